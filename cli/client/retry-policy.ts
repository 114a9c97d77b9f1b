/**
 * When the client repeats a call, in one place. A call is repeated only when doing so cannot
 * apply it twice:
 *
 * | outcome | idempotent call (GET, PUT, DELETE, POST /jobs and /jobs/batch with their keys) | other POST (cancel, retry, replay, trigger, schedule create...) |
 * | --- | --- | --- |
 * | 429 (the limiter refused it before it ran) | retry, after Retry-After | retry, after Retry-After |
 * | 502, 503, 504 (it may have run) | retry | no |
 * | connection never made (refused, DNS, unreachable) | retry | retry |
 * | other network error or timeout (it may have run) | retry | no |
 * | any other status | no | no |
 */

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** System errors that prove no byte of the request reached the server. */
export const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A Retry-After longer than this is not waited for: the error goes back to the caller at once. */
export const MAX_RETRY_AFTER_MS = 60_000;
export const BASE_DELAY_MS = 100;
export const MAX_DELAY_MS = 5_000;

export type AttemptOutcome =
  | { kind: 'status'; status: number; retryAfterMs: number | null }
  | { kind: 'network'; notSent: boolean };

/** Whether `outcome` may be retried; the caller checks the attempt budget. */
export function isRetryable(outcome: AttemptOutcome, idempotent: boolean): boolean {
  if (outcome.kind === 'network') return idempotent || outcome.notSent;
  if (outcome.status === 429) return outcome.retryAfterMs === null || outcome.retryAfterMs <= MAX_RETRY_AFTER_MS;
  return idempotent && RETRYABLE_STATUSES.has(outcome.status);
}

/**
 * The wait before retry number `retry` (0-based): the server's Retry-After when it sent one,
 * otherwise exponential from BASE_DELAY_MS, capped, with equal jitter (uniform in [d/2, d]) so that
 * many clients refused together do not come back together.
 */
export function retryDelayMs(retry: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from `now` (null when absent or unreadable). */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
