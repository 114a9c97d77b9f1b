import { PRIORITIES } from '../../shared/config/definitions.ts';
import { JOB_STATUSES, TERMINAL_STATUSES } from '../../shared/domain/job.ts';
import type { JobStatus, Priority, QueueDepth, Stats } from '../client/index.ts';
import { defineCommand } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { statusStyle } from '../job-views.ts';
import type { Output } from '../output.ts';

type QueueRow = { queue: string; depth: QueueDepth };

/**
 * The queue depths and job counts as two tables. With `previous` (watch), a CHANGE column shows
 * how each job count moved since the last frame.
 */
export function statsLines(out: Output, stats: Stats, previous?: Stats): string[] {
  const rows: QueueRow[] = PRIORITIES.map((queue: Priority) => ({ queue, depth: stats.queues[queue] }));
  const sum = (key: keyof QueueDepth): number => rows.reduce((n, r) => n + (r.depth?.[key] ?? 0), 0);
  rows.push({ queue: 'total', depth: { ready: sum('ready'), inFlight: sum('inFlight'), delayed: sum('delayed'), deadLetters: sum('deadLetters') } });
  const count = (r: QueueRow, key: keyof QueueDepth): string => String(r.depth?.[key] ?? 0);
  const queueTable = out.tableLines<QueueRow>(
    [
      { header: 'QUEUE', value: (r) => r.queue, style: (r) => (r.queue === 'total' ? 'bold' : undefined) },
      { header: 'READY', value: (r) => count(r, 'ready'), align: 'right' },
      { header: 'IN FLIGHT', value: (r) => count(r, 'inFlight'), align: 'right' },
      { header: 'DELAYED', value: (r) => count(r, 'delayed'), align: 'right' },
      { header: 'DEAD LETTERS', value: (r) => count(r, 'deadLetters'), align: 'right', style: (r) => ((r.depth?.deadLetters ?? 0) > 0 ? 'red' : undefined) },
    ],
    rows,
  );
  const statuses = JOB_STATUSES as readonly JobStatus[];
  const change = (s: JobStatus): string => {
    const delta = (stats.jobs[s] ?? 0) - (previous?.jobs[s] ?? 0);
    return delta === 0 ? '' : delta > 0 ? `+${delta}` : String(delta);
  };
  const jobTable = out.tableLines<JobStatus>(
    [
      { header: 'STATUS', value: (s) => s, style: (s) => statusStyle(s) },
      { header: 'JOBS', value: (s) => String(stats.jobs[s] ?? 0), align: 'right' },
      ...(previous ? [{ header: 'CHANGE', value: change, align: 'right' as const, style: () => 'dim' as const }] : []),
    ],
    statuses,
  );
  return [...queueTable, '', ...jobTable, out.paint(`(${TERMINAL_STATUSES.join(', ')}: every job that ever reached them)`, 'dim')];
}

export const statsCommand = defineCommand({
  name: 'stats',
  summary: 'Show queue depths (ready, in flight, delayed, dead letters) and jobs per status.',
  usage: ['stats'],
  options: {},
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const stats = await ctx.client().stats();
    if (ctx.json) ctx.out.json(stats);
    else for (const line of statsLines(ctx.out, stats)) ctx.out.line(line);
    return EXIT.OK;
  },
});
