import { api, JOB_STATUSES, PRIORITIES, type MinuteCounts, type Stats } from '../api.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Link } from '../components/link.tsx';
import { MinuteChart } from '../components/minute-chart.tsx';
import { TableScroll } from '../components/table-scroll.tsx';
import { count } from '../format.ts';
import { usePoll } from '../use-poll.ts';
import { useTitle } from '../use-title.ts';

interface Overview {
  stats: Stats;
  minutes: MinuteCounts[];
  chartError?: Error;
}

async function loadOverview(): Promise<Overview> {
  // The charts are extra: an API without /stats/minutes (an older stack) still shows the rest.
  const [stats, series] = await Promise.all([
    api<Stats>('GET', '/stats'),
    api<{ items: MinuteCounts[] }>('GET', '/stats/minutes?minutes=60').catch((error: Error) => error),
  ]);
  return series instanceof Error ? { stats, minutes: [], chartError: series } : { stats, minutes: series.items };
}

/** /ui/: queue depths per priority, jobs per status, throughput and failures per minute. */
export function OverviewView() {
  useTitle('Overview');
  const { data, error } = usePoll(loadOverview, 'overview');
  const minutes = data?.minutes ?? [];
  const labels = minutes.map((m) => m.minute);
  return (
    <section>
      <h1>Overview</h1>
      <ErrorNotice error={error} />
      <h2>Queues</h2>
      <TableScroll label="Queues">
        <table>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col" class="num">Ready</th>
              <th scope="col" class="num">In flight</th>
              <th scope="col" class="num">Delayed</th>
              <th scope="col" class="num">Dead letters</th>
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((priority) => {
              const q = data?.stats.queues[priority];
              return (
                <tr key={priority}>
                  <th scope="row">
                    <Link to={`/jobs?priority=${priority}`}>{priority}</Link>
                  </th>
                  <td class="num">{q ? count(q.ready) : '…'}</td>
                  <td class="num">{q ? count(q.inFlight) : '…'}</td>
                  <td class="num">{q ? count(q.delayed) : '…'}</td>
                  <td class="num">{q ? count(q.deadLetters) : '…'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      <h2>Jobs per status</h2>
      <ul class="tiles" aria-label="Jobs per status">
        {JOB_STATUSES.filter((s) => s !== 'BLOCKED' || (data?.stats.jobs.BLOCKED ?? 0) > 0).map((status) => (
          <li key={status} class={`tile status-${status.toLowerCase()}`}>
            <Link to={status === 'DEAD' ? '/dlq' : `/jobs?status=${status}`}>
              <span class="tile-value">{data ? count(data.stats.jobs[status]) : '…'}</span>
              <span class="tile-label">{status}</span>
            </Link>
          </li>
        ))}
      </ul>
      <p class="muted small">Terminal states count every job that reached them, including expired ones.</p>
      <h2>Last hour</h2>
      <ErrorNotice error={data?.chartError} prefix="No charts" />
      <div class="charts">
        <MinuteChart
          title="Throughput per minute"
          minutes={labels}
          series={[{ label: 'succeeded', values: minutes.map((m) => m.succeeded), className: 'fill-ok' }]}
        />
        <MinuteChart
          title="Failures per minute"
          minutes={labels}
          series={[
            { label: 'failed attempts', values: minutes.map((m) => m.failed), className: 'fill-warn' },
            { label: 'dead', values: minutes.map((m) => m.dead), className: 'fill-bad' },
          ]}
        />
      </div>
    </section>
  );
}
