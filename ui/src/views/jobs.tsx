import { useState } from 'preact/hooks';
import { api, JOB_STATUSES, PRIORITIES, query, type Job, type Page } from '../api.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Link } from '../components/link.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { EmptyRow, TableScroll } from '../components/table-scroll.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { navigate, useLocation } from '../router.ts';
import { usePoll } from '../use-poll.ts';
import { useTitle } from '../use-title.ts';

const PAGE_SIZE = 50;

/** Cursors of the pages before the current one, per filter set (for "Previous page"). */
const previousCursors = new Map<string, string[]>();

/** /ui/jobs?status=&type=&priority=&cursor=: newest first, filters kept in the URL, cursor paging. */
export function JobsView() {
  useTitle('Jobs');
  const { query: params } = useLocation();
  const filters = { status: params.get('status') ?? '', type: params.get('type') ?? '', priority: params.get('priority') ?? '' };
  const cursor = params.get('cursor') ?? '';
  const filterKey = JSON.stringify(filters);
  const path = `/jobs${query({ ...filters, limit: PAGE_SIZE, cursor })}`;
  const { data, error, loading } = usePoll(() => api<Page<Job>>('GET', path), path);
  const [typeDraft, setTypeDraft] = useState<{ key: string; value: string }>({ key: filterKey, value: filters.type });
  const typeValue = typeDraft.key === filterKey ? typeDraft.value : filters.type;
  const [jumpId, setJumpId] = useState('');

  const go = (next: Partial<typeof filters> & { cursor?: string }, replace = false) => {
    const merged = { ...filters, ...next };
    navigate(`/jobs${query({ status: merged.status, type: merged.type, priority: merged.priority, cursor: next.cursor })}`, { replace });
  };
  const stack = previousCursors.get(filterKey) ?? [];

  return (
    <section>
      <h1>Jobs</h1>
      <div class="toolbar">
        <form
          class="filters"
          aria-label="Filter jobs"
          onSubmit={(e) => {
            e.preventDefault();
            previousCursors.delete(filterKey);
            go({ type: typeValue.trim() });
          }}
        >
          <label>
            Status
            <select
              value={filters.status}
              onChange={(e) => {
                previousCursors.delete(filterKey);
                go({ status: (e.currentTarget as HTMLSelectElement).value });
              }}
            >
              <option value="">any</option>
              {JOB_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Priority
            <select
              value={filters.priority}
              onChange={(e) => {
                previousCursors.delete(filterKey);
                go({ priority: (e.currentTarget as HTMLSelectElement).value });
              }}
            >
              <option value="">any</option>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <label>
            Type
            <input
              type="search"
              value={typeValue}
              placeholder="e.g. email.send"
              onInput={(e) => setTypeDraft({ key: filterKey, value: (e.currentTarget as HTMLInputElement).value })}
            />
          </label>
          <button type="submit">Filter</button>
        </form>
        <form
          class="jump"
          aria-label="Open a job by id"
          onSubmit={(e) => {
            e.preventDefault();
            const id = jumpId.trim();
            if (id) navigate(`/jobs/${encodeURIComponent(id)}`);
          }}
        >
          <label>
            Job id
            <input type="search" value={jumpId} placeholder="01K…" onInput={(e) => setJumpId((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <button type="submit">Open</button>
        </form>
      </div>
      <ErrorNotice error={error} />
      <TableScroll label="Jobs">
        <table class="jobs" aria-busy={loading && !data ? 'true' : 'false'}>
          <caption class="visually-hidden">Jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Status</th>
              <th scope="col">Type</th>
              <th scope="col">Priority</th>
              <th scope="col" class="num">Attempts</th>
              <th scope="col">Created</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((job) => (
              <tr key={job.id}>
                <td class="mono">
                  <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.id}</Link>
                </td>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td>{job.type}</td>
                <td>{job.priority}</td>
                <td class="num">
                  {job.attempts}/{job.maxAttempts}
                </td>
                <td>
                  <TimeAgo at={job.createdAt} />
                </td>
                <td>
                  <TimeAgo at={job.updatedAt} />
                </td>
              </tr>
            ))}
            {data && data.items.length === 0 ? <EmptyRow columns={7}>No jobs match these filters.</EmptyRow> : null}
            {!data && loading ? <EmptyRow columns={7}>Loading…</EmptyRow> : null}
          </tbody>
        </table>
      </TableScroll>
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={!cursor}
          onClick={() => {
            const previous = stack.slice(0, -1);
            previousCursors.set(filterKey, previous);
            go({ cursor: stack[stack.length - 1] || undefined });
          }}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!data?.nextCursor}
          onClick={() => {
            previousCursors.set(filterKey, [...stack, cursor]);
            go({ cursor: data?.nextCursor ?? undefined });
          }}
        >
          Next page
        </button>
        {cursor ? (
          <button type="button" onClick={() => (previousCursors.delete(filterKey), go({ cursor: undefined }))}>
            Newest
          </button>
        ) : null}
      </nav>
    </section>
  );
}
