import { COUNTERS } from './metrics.ts';

/**
 * Job events per minute, summed over every queue and type: what the dashboard charts
 * (throughput and failures over the last hour). Written by the same per-batch counter write as
 * the totals, never once per job. Submissions are not counted per minute: a single POST /jobs
 * would then pay a second counter write per job (the api's one request = one job), the largest
 * cost above the floor; the charts show what finishes.
 */
export const MINUTE_COUNTERS = [COUNTERS.succeeded, COUNTERS.failed, COUNTERS.retried, COUNTERS.dead, COUNTERS.cancelled] as const;
export type MinuteCounterName = (typeof MINUTE_COUNTERS)[number];

export type MinuteCounts = { minute: string } & Record<MinuteCounterName, number>;

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
  return { minute, ...(Object.fromEntries(MINUTE_COUNTERS.map((c) => [c, 0])) as Record<MinuteCounterName, number>) };
}
