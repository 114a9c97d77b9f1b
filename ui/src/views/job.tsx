import { useState } from 'preact/hooks';
import { api, ApiError, type Job } from '../api.ts';
import { useApp } from '../app-context.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { JsonBlock } from '../components/json-block.tsx';
import { Link } from '../components/link.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { dateTime, duration } from '../format.ts';
import { allows } from '../job-actions.ts';
import { navigate } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import { useTitle } from '../use-title.ts';

/** A running job's page refreshes every second, so its progress bar moves. */
const RUNNING_REFRESH_MS = 1000;

/** /ui/jobs/{id}: payload, result, progress, attempt timeline, last error, metadata, actions. */
export function JobView(props: { id: string }) {
  useTitle(`Job ${props.id}`);
  const app = useApp();
  const path = `/jobs/${encodeURIComponent(props.id)}`;
  const [interval, setIntervalMs] = useState(3000);
  const poll = usePoll(
    async () => {
      const job = await api<Job>('GET', path);
      setIntervalMs(job.status === 'RUNNING' ? RUNNING_REFRESH_MS : 3000);
      return job;
    },
    path,
    interval,
  );
  const [actionError, setActionError] = useState<Error | undefined>();
  const [reason, setReason] = useState('');
  const [resetAttempts, setResetAttempts] = useState(true);
  const job = poll.data;

  const act = async (label: string, call: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await call();
      app.notify(`${label}: done for job ${props.id}.`);
      setReason('');
      await poll.refresh();
    } catch (error) {
      setActionError(error as Error);
    }
  };

  if (!job) {
    const missing = poll.error instanceof ApiError && poll.error.status === 404;
    return (
      <section>
        <h1>Job {props.id}</h1>
        {missing ? <p role="alert">No job with this id (it may have been deleted or expired).</p> : <ErrorNotice error={poll.error} />}
        {!poll.error ? <p>Loading…</p> : null}
        <p>
          <Link to="/jobs">All jobs</Link>
        </p>
      </section>
    );
  }

  const reasonField = (
    <label class="stack">
      Reason (optional)
      <input type="text" value={reason} maxLength={500} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
    </label>
  );
  const progress = typeof job.progress === 'number' ? job.progress : null;

  return (
    <section>
      <p class="crumbs">
        <Link to="/jobs">Jobs</Link> / <span class="mono">{job.id}</span>
      </p>
      <h1>
        {job.type} <StatusBadge status={job.status} />
      </h1>
      {!app.readOnly ? (
        <div class="actions" role="group" aria-label="Actions">
          {allows(job.status, 'cancel') ? (
            <ConfirmButton label="Cancel" question={`Cancel job ${job.id}?`} onConfirm={() => act('Cancel', () => api('POST', `${path}/cancel`, reason ? { reason } : {}))}>
              {reasonField}
            </ConfirmButton>
          ) : null}
          {allows(job.status, 'retry') ? (
            <ConfirmButton label="Retry" question={`Retry job ${job.id}?`} onConfirm={() => act('Retry', () => api('POST', `${path}/retry`, { resetAttempts }))}>
              <label class="check">
                <input type="checkbox" checked={resetAttempts} onChange={(e) => setResetAttempts((e.currentTarget as HTMLInputElement).checked)} /> Reset attempts to 0
              </label>
            </ConfirmButton>
          ) : null}
          {allows(job.status, 'dlq') ? (
            <ConfirmButton label="Send to DLQ" danger question={`Send job ${job.id} to the dead-letter list?`} onConfirm={() => act('Send to DLQ', () => api('POST', `${path}/dlq`, reason ? { reason } : {}))}>
              {reasonField}
            </ConfirmButton>
          ) : null}
          {allows(job.status, 'delete') ? (
            <ConfirmButton
              label="Delete"
              danger
              question={`Delete job ${job.id} for good?`}
              onConfirm={() =>
                act('Delete', async () => {
                  await api('DELETE', path);
                  navigate('/jobs');
                })
              }
            />
          ) : null}
        </div>
      ) : null}
      <ErrorNotice error={actionError} prefix="The action failed" />
      <ErrorNotice error={poll.error} prefix="Refresh failed" />

      {job.status === 'RUNNING' || progress !== null ? (
        <div class="progress">
          <label>
            Progress{' '}
            {progress !== null ? (
              <>
                <progress max={100} value={progress} /> <span>{Math.round(progress)}%</span>
              </>
            ) : (
              <span class="muted">not reported</span>
            )}
          </label>
        </div>
      ) : job.progress !== null && job.progress !== undefined ? (
        <JsonBlock label="Progress" value={job.progress} />
      ) : null}

      <div class="columns">
        <dl class="facts">
          <dt>Id</dt>
          <dd class="mono">{job.id}</dd>
          <dt>Priority</dt>
          <dd>{job.priority}</dd>
          <dt>Attempts</dt>
          <dd>
            {job.attempts} of {job.maxAttempts}
          </dd>
          <dt>Created</dt>
          <dd>
            <TimeAgo at={job.createdAt} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <TimeAgo at={job.updatedAt} />
          </dd>
          {job.nextRunAt ? (
            <>
              <dt>Next run</dt>
              <dd>
                <TimeAgo at={job.nextRunAt} />
              </dd>
            </>
          ) : null}
          {job.flowControl ? (
            <>
              <dt>Flow control</dt>
              <dd>
                <span class="mono">{job.flowControl.key}</span>
                {job.flowControl.parallelism !== undefined ? `: parallelism ${job.flowControl.parallelism}` : ''}
                {job.flowControl.rate !== undefined ? `${job.flowControl.parallelism !== undefined ? ',' : ':'} rate ${job.flowControl.rate} per ${job.flowControl.periodSeconds} s` : ''}
              </dd>
            </>
          ) : null}
          {job.throttledUntil ? (
            <>
              <dt>Throttled until</dt>
              <dd>
                <TimeAgo at={job.throttledUntil} /> (over its key’s {job.throttleReason === 'parallelism' ? 'parallelism' : 'rate'} limit; no attempt used)
              </dd>
            </>
          ) : null}
          <dt>Timeout</dt>
          <dd>{job.timeoutMs.toLocaleString()} ms</dd>
          {job.idempotencyKey ? (
            <>
              <dt>Idempotency key</dt>
              <dd class="mono">{job.idempotencyKey}</dd>
            </>
          ) : null}
          {job.traceId ? (
            <>
              <dt>Trace id</dt>
              <dd class="mono" data-testid="trace-id" title="W3C trace id: find the job's spans and log lines by it">
                {job.traceId}
              </dd>
            </>
          ) : null}
          {job.scheduleName ? (
            <>
              <dt>Schedule</dt>
              <dd>
                <Link to="/schedules">{job.scheduleName}</Link>
              </dd>
            </>
          ) : null}
          {job.flowId ? (
            <>
              <dt>Flow</dt>
              <dd>
                <Link to={`/flows/${encodeURIComponent(job.flowId)}`}>{job.ref ?? job.flowId}</Link>
              </dd>
              {job.dependsOn?.length ? (
                <>
                  <dt>Depends on</dt>
                  <dd class="mono">
                    {job.dependsOn.map((id, i) => (
                      <span key={id}>
                        {i ? ', ' : ''}
                        <Link to={`/jobs/${encodeURIComponent(id)}`}>{id}</Link>
                      </span>
                    ))}
                  </dd>
                </>
              ) : null}
            </>
          ) : null}
          {job.deadReason ? (
            <>
              <dt>Dead because</dt>
              <dd>{job.deadReason}</dd>
            </>
          ) : null}
          {job.cancelReason ? (
            <>
              <dt>Cancelled because</dt>
              <dd>{job.cancelReason}</dd>
            </>
          ) : null}
          {job.fingerprint ? (
            <>
              <dt>Failure group</dt>
              <dd>
                <Link to={`/dlq?group=${job.fingerprint}`}>{job.fingerprint}</Link>
              </dd>
            </>
          ) : null}
        </dl>
        <div>
          {job.lastError ? (
            <div class="last-error" role="note" aria-label="Last error">
              <h2>Last error</h2>
              <p>
                <strong>{job.lastError.name}</strong>: {job.lastError.message}
              </p>
              <p class="muted small">
                <TimeAgo at={job.lastError.at} />
              </p>
            </div>
          ) : null}
          <h2>Metadata</h2>
          <JsonBlock label="Metadata" value={job.metadata} />
        </div>
      </div>

      <h2>Attempts</h2>
      {job.history.length === 0 ? (
        <p class="muted">No attempt yet.</p>
      ) : (
        <ol class="timeline" aria-label="Attempt history">
          {job.history.map((a) => (
            <li key={`${a.attempt}-${a.startedAt}`} class={`outcome-${a.outcome.toLowerCase()}`}>
              <span class="timeline-head">
                Attempt {a.attempt}: <StatusBadge status={a.outcome} />
              </span>
              <span class="muted small">
                {dateTime(a.startedAt)}, {duration(a.startedAt, a.finishedAt)}
              </span>
              {a.error ? (
                <span class="timeline-error">
                  {a.error.name}: {a.error.message}
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      )}

      <div class="columns">
        <div>
          <h2>Payload</h2>
          <JsonBlock label="Payload" value={job.payload} />
        </div>
        <div>
          <h2>Result</h2>
          <JsonBlock label="Result" value={job.result} />
        </div>
      </div>
    </section>
  );
}
