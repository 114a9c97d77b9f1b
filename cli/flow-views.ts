import type { FlowView, JobView } from './client/index.ts';
import { flowStatusStyle, statusStyle } from './job-views.ts';
import type { Column, Output } from './output.ts';

/** How people see a flow: a summary and its jobs, dependencies first. */

/** One row of the jobs table of a flow. */
export interface FlowRow {
  ref: string;
  job: JobView;
  /** The refs of its dependencies (the API gives job ids). */
  after: string[];
  /** 0 for a job without dependencies, else one more than its deepest dependency. */
  stage: number;
}

/**
 * The flow's jobs in stages (a job comes after every job it depends on), in the flow's own order
 * within a stage. A dependency the flow does not list is shown by its id.
 */
export function flowRows(flow: Pick<FlowView, 'jobs'>): FlowRow[] {
  const entries = Object.entries(flow.jobs);
  const refOf = new Map(entries.map(([ref, job]) => [job.id, ref]));
  const stage = new Map<string, number>();
  const depth = (ref: string, path: ReadonlySet<string>): number => {
    const known = stage.get(ref);
    if (known !== undefined) return known;
    // The API refuses cycles; a malformed answer still must not loop forever.
    if (path.has(ref)) return 0;
    const deps = (flow.jobs[ref]?.dependsOn ?? []).map((id) => refOf.get(id)).filter((r): r is string => r !== undefined);
    const next = new Set(path).add(ref);
    const value = deps.length ? Math.max(...deps.map((dep) => depth(dep, next))) + 1 : 0;
    stage.set(ref, value);
    return value;
  };
  const rows = entries.map(([ref, job]) => ({ ref, job, after: (job.dependsOn ?? []).map((id) => refOf.get(id) ?? id), stage: depth(ref, new Set()) }));
  return rows.map((row, index) => ({ row, index })).sort((a, b) => a.row.stage - b.row.stage || a.index - b.index).map(({ row }) => row);
}

export const FLOW_COLUMNS: readonly Column<FlowRow>[] = [
  { header: 'REF', value: (r) => r.ref, maxWidth: 32 },
  { header: 'TYPE', value: (r) => r.job.type, maxWidth: 32 },
  { header: 'STATUS', value: (r) => r.job.status, style: (r) => statusStyle(r.job.status) },
  // `(run)`: the job runs even when a dependency fails (onDependencyFailure "run").
  { header: 'DEPENDS ON', value: (r) => (r.after.length ? `${r.after.join(', ')}${r.job.onDependencyFailure === 'run' ? ' (run)' : ''}` : '-'), maxWidth: 48 },
  { header: 'ATTEMPTS', value: (r) => `${r.job.attempts}/${r.job.maxAttempts}`, align: 'right' },
  { header: 'JOB', value: (r) => r.job.id },
];

/** `3 jobs: 1 SUCCEEDED, 1 QUEUED, 1 BLOCKED` */
export function jobCounts(flow: Pick<FlowView, 'jobs'>): string {
  const jobs = Object.values(flow.jobs);
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  return `${jobs.length} job${jobs.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** The detail view of `flows status`, `flows create`, `cancel` and `retry`. */
export function printFlow(out: Output, flow: FlowView): void {
  out.keyValues([
    ['flow', flow.id],
    ['status', out.paint(flow.status, flowStatusStyle(flow.status))],
    ['jobs', jobCounts(flow)],
  ]);
  out.line();
  out.table(FLOW_COLUMNS, flowRows(flow), 'no jobs');
}

/** Why a finished flow did not succeed: `resize DEAD (boom), notify CANCELLED`. */
export function flowFailure(flow: FlowView): string {
  return flowRows(flow)
    .filter((r) => r.job.status === 'DEAD' || r.job.status === 'CANCELLED')
    .map((r) => {
      const why = r.job.status === 'DEAD' ? (r.job.deadReason ?? r.job.lastError?.message) : r.job.cancelReason;
      return `${r.ref} ${r.job.status}${why ? ` (${why})` : ''}`;
    })
    .join(', ');
}
