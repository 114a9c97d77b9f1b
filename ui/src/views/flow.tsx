import { useState } from 'preact/hooks';
import { api, ApiError, type Flow } from '../api.ts';
import { useApp } from '../app-context.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { flowAllows } from '../flow-actions.ts';
import { flowStages } from '../flow-stages.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Link } from '../components/link.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { TableScroll } from '../components/table-scroll.tsx';
import { usePoll } from '../use-poll.ts';
import { useTitle } from '../use-title.ts';

/** While a job of the flow runs, the view refreshes every second, as a running job's page does. */
const RUNNING_REFRESH_MS = 1000;

/** /ui/flows/{id}: the jobs of a flow, by stage, with their dependencies and statuses; Cancel and Retry. */
export function FlowView(props: { id: string }) {
  useTitle(`Flow ${props.id}`);
  const app = useApp();
  const path = `/flows/${encodeURIComponent(props.id)}`;
  const [interval, setIntervalMs] = useState(3000);
  const poll = usePoll(
    async () => {
      const flow = await api<Flow>('GET', path);
      setIntervalMs(Object.values(flow.jobs).some((job) => job.status === 'RUNNING') ? RUNNING_REFRESH_MS : 3000);
      return flow;
    },
    path,
    interval,
  );
  const [actionError, setActionError] = useState<Error | undefined>();
  const [reason, setReason] = useState('');
  const flow = poll.data;
  if (!flow) {
    const missing = poll.error instanceof ApiError && poll.error.status === 404;
    return (
      <section>
        <h1>Flow {props.id}</h1>
        {missing ? <p role="alert">No flow with this id (it may have expired, or this deployment has no flows).</p> : <ErrorNotice error={poll.error} />}
        {!poll.error ? <p>Loading…</p> : null}
      </section>
    );
  }
  const act = async (label: string, action: 'cancel' | 'retry', body: Record<string, string> = {}) => {
    setActionError(undefined);
    try {
      await api('POST', `${path}/${action}`, body);
      app.notify(`${label}: done for flow ${props.id}.`);
      setReason('');
      await poll.refresh();
    } catch (error) {
      setActionError(error as Error);
    }
  };
  const refOf = new Map(Object.entries(flow.jobs).map(([ref, job]) => [job.id, ref]));
  const after = (ids: string[] | undefined) => (ids?.length ? ids.map((id) => refOf.get(id) ?? id).join(', ') : '');
  const stages = flowStages(flow.jobs);
  return (
    <section>
      <h1>
        Flow <span class="mono">{flow.id}</span> <StatusBadge status={flow.status} />
      </h1>
      {!app.readOnly ? (
        <div class="actions" role="group" aria-label="Actions">
          {flowAllows(flow, 'cancel') ? (
            <ConfirmButton label="Cancel" question={`Cancel every unfinished job of flow ${flow.id}?`} onConfirm={() => act('Cancel', 'cancel', reason ? { reason } : {})}>
              <label class="stack">
                Reason (optional)
                <input type="text" value={reason} maxLength={500} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
              </label>
            </ConfirmButton>
          ) : null}
          {flowAllows(flow, 'retry') ? (
            <ConfirmButton
              label="Retry"
              question={`Retry flow ${flow.id}? Its DEAD jobs run again, and the jobs they cancelled wait for them.`}
              onConfirm={() => act('Retry', 'retry')}
            />
          ) : null}
        </div>
      ) : null}
      <ErrorNotice error={actionError} prefix="The action failed" />
      <ErrorNotice error={poll.error} prefix="Refresh failed" />
      <ol class="flow-stages" aria-label="Stages">
        {stages.map((stage, i) => (
          <li key={i}>
            <h2 class="small">Stage {i + 1}</h2>
            <ul>
              {stage.map(([ref, job]) => (
                <li key={ref} class="flow-node">
                  <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{ref}</Link> <StatusBadge status={job.status} />
                  {job.dependsOn?.length ? (
                    <div class="muted small">
                      after {after(job.dependsOn)}
                      {job.onDependencyFailure === 'run' ? ', even if they fail' : ''}
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      <TableScroll label="Jobs of the flow">
        <table>
          <thead>
            <tr>
              <th scope="col">Ref</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Depends on</th>
              <th scope="col">Attempts</th>
              <th scope="col">Job</th>
            </tr>
          </thead>
          <tbody>
            {stages.flat().map(([ref, job]) => (
              <tr key={ref}>
                <th scope="row">{ref}</th>
                <td>{job.type}</td>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td>{after(job.dependsOn) || '—'}</td>
                <td>
                  {job.attempts} of {job.maxAttempts}
                </td>
                <td class="mono">
                  <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.id}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
