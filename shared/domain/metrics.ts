import type { Priority } from './job.ts';
import { JOB_STATUS, JOB_STATUSES, type JobStatus } from './job.ts';

/**
 * What SkyForge counts, per queue and job type. Monotonic counters and histograms feed
 * Prometheus (`skyforge_*`) and CloudWatch (EMF); status counters feed `jobs{status}` and /stats.
 */
export const COUNTERS = {
  submitted: 'submitted',
  succeeded: 'succeeded',
  /** Attempt failures: every failed attempt, retried or not. */
  failed: 'failed',
  retried: 'retried',
  dead: 'dead',
  cancelled: 'cancelled',
} as const;
export type CounterName = (typeof COUNTERS)[keyof typeof COUNTERS];

export const HISTOGRAMS = { duration: 'duration', wait: 'wait' } as const;
export type HistogramName = (typeof HISTOGRAMS)[keyof typeof HISTOGRAMS];

/** Upper bounds (seconds) of the duration and wait histograms' buckets; +Inf is implied. */
export const HISTOGRAM_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900] as const;

export interface MetricGroup {
  queue: Priority;
  type: string;
}

/** Counter values of one (queue, type) group, by value name (see CounterDeltas). */
export interface CounterGroup extends MetricGroup {
  values: Record<string, number>;
}

/** Jobs deferred by flow control, by reason: `skyforge_jobs_throttled_total{queue,type,reason}`. */
export function throttledValue(reason: 'rate' | 'parallelism'): string {
  return `throttled_${reason}`;
}

export function statusValue(status: JobStatus): string {
  return `status_${status}`;
}

export function bucketValue(histogram: HistogramName, index: number): string {
  return `${histogram}_b${index}`;
}

/** Index of the first bucket whose bound holds `seconds`; the length of the list means +Inf. */
export function bucketIndex(seconds: number): number {
  const index = HISTOGRAM_BUCKETS_SECONDS.findIndex((bound) => seconds <= bound);
  return index === -1 ? HISTOGRAM_BUCKETS_SECONDS.length : index;
}

/** Entering these statuses counts in the matching monotonic counter. */
export const ENTRY_COUNTERS: Partial<Record<JobStatus, CounterName>> = {
  [JOB_STATUS.SUCCEEDED]: COUNTERS.succeeded,
  [JOB_STATUS.DEAD]: COUNTERS.dead,
  [JOB_STATUS.CANCELLED]: COUNTERS.cancelled,
};

/** Sums a value over every group (e.g. jobs per status for /stats). */
export function total(groups: readonly CounterGroup[], name: string): number {
  return groups.reduce((sum, g) => sum + (g.values[name] ?? 0), 0);
}

/**
 * Jobs per status as /stats and /metrics show them: the counters, plus, for QUEUED, the messages
 * ready in the queues. A job queued at once (or replayed) is counted by its waiting message until
 * a worker's write counts it (Job.uncounted), so the API writes no counter per submit. Never
 * below 0 (a counter write lost to a crash may leave one behind).
 */
export function jobsByStatus(groups: readonly CounterGroup[], readyMessages: number): Record<JobStatus, number> {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, Math.max(0, total(groups, statusValue(s)))])) as Record<JobStatus, number>;
  counts.QUEUED += Math.max(0, readyMessages);
  return counts;
}

/** The (queue, type) a job's counters belong to. */
export function groupOf(job: { priority: Priority; type: string }): MetricGroup {
  return { queue: job.priority, type: job.type };
}
