import { useState } from 'preact/hooks';
import { api, ApiError, query, type FailureGroup, type Job, type Page } from '../api.ts';
import { useApp } from '../app-context.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Link } from '../components/link.tsx';
import { ReplayProgress, type ReplayProgressState } from '../components/replay-progress.tsx';
import { EmptyRow, TableScroll } from '../components/table-scroll.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { navigate, useLocation } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import { useTitle } from '../use-title.ts';

/** A group is replayed in steps of this many jobs, so the bar moves and one call stays short. */
const REPLAY_STEP = 100;
const JOB_PAGE = 50;

/** /ui/dlq?type=&group=: dead letters grouped by failure fingerprint; replay a group or chosen jobs. */
export function DeadLettersView() {
  useTitle('Dead letters');
  const app = useApp();
  const { query: params } = useLocation();
  const type = params.get('type') ?? '';
  const group = params.get('group') ?? '';
  const groupsPath = `/dlq/groups${query({ type })}`;
  const jobsPath = `/dlq${query({ type, fingerprint: group, limit: JOB_PAGE })}`;
  const groups = usePoll(() => api<{ items: FailureGroup[] }>('GET', groupsPath), groupsPath);
  const jobs = usePoll(() => api<Page<Job>>('GET', jobsPath), jobsPath);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [progress, setProgress] = useState<ReplayProgressState | null>(null);
  const [actionError, setActionError] = useState<Error | undefined>();
  const [typeDraft, setTypeDraft] = useState(type);

  const refresh = async () => {
    await Promise.all([groups.refresh(), jobs.refresh()]);
  };

  const replayGroup = async (g: FailureGroup) => {
    setActionError(undefined);
    const label = `Group ${g.fingerprint}`;
    // Bounded by the group's size when the replay began: replayed jobs that die again join the
    // group anew and are not replayed twice by one click.
    const total = g.count;
    let done = 0;
    setProgress({ label, done, total, skipped: 0, finished: false });
    try {
      while (done < total) {
        const { replayed } = await api<{ replayed: number }>('POST', `/dlq/groups/${encodeURIComponent(g.fingerprint)}/replay`, {
          limit: Math.min(REPLAY_STEP, total - done),
        });
        done += replayed;
        setProgress({ label, done, total, skipped: 0, finished: false });
        if (replayed === 0) break;
      }
      setProgress({ label, done, total: Math.max(total, done), skipped: 0, finished: true });
      app.notify(`Replayed ${done} job${done === 1 ? '' : 's'} of group ${g.fingerprint}.`);
    } catch (error) {
      setActionError(error as Error);
    }
    await refresh();
  };

  const replaySelected = async () => {
    setActionError(undefined);
    const ids = [...selected];
    const label = 'Selected jobs';
    let done = 0;
    let skipped = 0;
    setProgress({ label, done, total: ids.length, skipped, finished: false });
    for (const id of ids) {
      try {
        await api('POST', `/dlq/${encodeURIComponent(id)}/replay`, {});
        done += 1;
      } catch (error) {
        // Replayed by someone else meanwhile (409, or 404 once it left the list): not a failure of this replay.
        if (error instanceof ApiError && (error.status === 409 || error.status === 404)) skipped += 1;
        else {
          setActionError(error as Error);
          break;
        }
      }
      setProgress({ label, done, total: ids.length, skipped, finished: false });
    }
    setProgress({ label, done, total: ids.length, skipped, finished: true });
    setSelected(new Set());
    app.notify(`Replayed ${done} selected job${done === 1 ? '' : 's'}.`);
    await refresh();
  };

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const visibleIds = jobs.data?.items.map((j) => j.id) ?? [];
  const allSelected = visibleIds.length > 0 && visibleIds.every((id) => selected.has(id));
  const activeGroup = groups.data?.items.find((g) => g.fingerprint === group);

  return (
    <section>
      <h1>Dead letters</h1>
      <form
        class="filters"
        aria-label="Filter dead letters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/dlq${query({ type: typeDraft.trim() })}`);
        }}
      >
        <label>
          Type
          <input type="search" value={typeDraft} placeholder="any" onInput={(e) => setTypeDraft((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ReplayProgress state={progress} />
      <ErrorNotice error={actionError} prefix="Replay failed" />
      <h2>Failure groups</h2>
      <ErrorNotice error={groups.error} />
      <TableScroll label="Failure groups">
        <table class="groups">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Error</th>
              <th scope="col" class="num">Jobs</th>
              <th scope="col">First</th>
              <th scope="col">Last</th>
              <th scope="col">Samples</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.data?.items.map((g) => (
              <tr key={g.fingerprint} aria-selected={g.fingerprint === group ? 'true' : undefined} class={g.fingerprint === group ? 'selected' : undefined}>
                <td>{g.type}</td>
                <td>
                  <strong>{g.errorName}</strong>: {g.message}
                  <div class="muted small mono">{g.fingerprint}</div>
                </td>
                <td class="num">{g.count.toLocaleString()}</td>
                <td>
                  <TimeAgo at={g.firstDeadAt} />
                </td>
                <td>
                  <TimeAgo at={g.lastDeadAt} />
                </td>
                <td>
                  <div class="samples">
                    {g.sampleJobIds.slice(0, 3).map((id) => (
                      <Link key={id} to={`/jobs/${encodeURIComponent(id)}`} class="mono">
                        {id.slice(-8)}
                      </Link>
                    ))}
                  </div>
                </td>
                <td>
                  <div class="row-actions">
                    <Link to={`/dlq${query({ type, group: g.fingerprint })}`}>Show jobs</Link>
                    {!app.readOnly ? (
                      <ConfirmButton label="Replay" question={`Replay the ${g.count} dead job${g.count === 1 ? '' : 's'} of this group (${g.type}: ${g.errorName})?`} onConfirm={() => replayGroup(g)} />
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
            {groups.data && groups.data.items.length === 0 ? <EmptyRow columns={7}>No dead letters.</EmptyRow> : null}
          </tbody>
        </table>
      </TableScroll>

      <h2>
        {activeGroup ? `Jobs of group ${activeGroup.fingerprint}` : group ? `Jobs of group ${group}` : 'Dead jobs, newest first'}
        {group ? (
          <>
            {' '}
            <Link to={`/dlq${query({ type })}`} class="small">
              show all
            </Link>
          </>
        ) : null}
      </h2>
      <ErrorNotice error={jobs.error} />
      {!app.readOnly ? (
        <div class="actions">
          <ConfirmButton
            label={`Replay selected (${selected.size})`}
            disabled={selected.size === 0}
            question={`Replay the ${selected.size} selected job${selected.size === 1 ? '' : 's'}?`}
            onConfirm={replaySelected}
          />
        </div>
      ) : null}
      <TableScroll label="Dead jobs">
        <table class="dead-jobs">
          <thead>
            <tr>
              {!app.readOnly ? (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all shown"
                    checked={allSelected}
                    onChange={(e) => setSelected((e.currentTarget as HTMLInputElement).checked ? new Set(visibleIds) : new Set())}
                  />
                </th>
              ) : null}
              <th scope="col">Id</th>
              <th scope="col">Type</th>
              <th scope="col">Reason</th>
              <th scope="col" class="num">Attempts</th>
              <th scope="col">Dead since</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data?.items.map((job) => (
              <tr key={job.id}>
                {!app.readOnly ? (
                  <td>
                    <input type="checkbox" aria-label={`Select ${job.id}`} checked={selected.has(job.id)} onChange={(e) => toggle(job.id, (e.currentTarget as HTMLInputElement).checked)} />
                  </td>
                ) : null}
                <td class="mono">
                  <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.id}</Link>
                </td>
                <td>{job.type}</td>
                <td>{job.deadReason ?? job.lastError?.message ?? '—'}</td>
                <td class="num">{job.attempts}</td>
                <td>
                  <TimeAgo at={job.finishedAt ?? job.updatedAt} />
                </td>
              </tr>
            ))}
            {jobs.data && jobs.data.items.length === 0 ? <EmptyRow columns={6}>None.</EmptyRow> : null}
          </tbody>
        </table>
      </TableScroll>
      {jobs.data?.nextCursor ? <p class="muted small">Showing the newest {JOB_PAGE}; replay a whole group to reach the rest.</p> : null}
    </section>
  );
}
