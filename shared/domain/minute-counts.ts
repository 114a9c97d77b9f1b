import { COUNTERS, type CounterName } from './metrics.ts';

/**
 * Job events per minute, summed over every queue and type: what the dashboard charts
 * (throughput and failures over the last hour). Written by the same per-request / per-batch
 * counter write as the totals, never once per job.
 */
export type MinuteCounts = { minute: string } & Record<CounterName, number>;

export const MINUTE_COUNTERS: readonly CounterName[] = Object.values(COUNTERS);

/** The counted minutes are kept this long (DynamoDB TTL); the charts ask for the last hour. */
export const MINUTE_RETENTION_SECONDS = 3 * 3600;
export const MAX_MINUTES = 180;

/** `2026-12-04T23:05` for any instant in that UTC minute. */
export function minuteOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** The minute keys from `fromMs` to `toMs`, oldest first. */
export function minutesBetween(fromMs: number, toMs: number): string[] {
  const minutes: string[] = [];
  for (let t = Math.floor(fromMs / 60_000) * 60_000; t <= toMs; t += 60_000) minutes.push(minuteOf(t));
  return minutes;
}

export function emptyMinute(minute: string): MinuteCounts {
  return { minute, ...(Object.fromEntries(MINUTE_COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>) };
}
