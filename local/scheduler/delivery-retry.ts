import type { DeliveryRecord } from './records.ts';

/** What happens to an invocation whose attempt failed. */
export type AfterFailedAttempt =
  | { kind: 'retry'; attempt: number; dueAt: number }
  /** Retries are used up; the reason is the limit that ended them (Scheduler's EXHAUSTED_RETRY_CONDITION). */
  | { kind: 'deadLetter'; reason: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' };

/**
 * Delay before retry number `retry` (1 for the first): exponential from 1 s, capped at one minute.
 * Scheduler documents no backoff formula; locally, a failing target (a deleted queue) should show
 * up in the DLQ within hours, not spread over a day.
 */
export function defaultRetryDelayMs(retry: number): number {
  return Math.min(1000 * 2 ** (retry - 1), 60_000);
}

/**
 * The retry-or-dead-letter decision, in one place. A RetryPolicy allows MaximumRetryAttempts
 * retries after the first attempt (0 = no retry), and none that would start more than
 * MaximumEventAgeInSeconds after the invocation first fired.
 */
export function afterFailedAttempt(delivery: DeliveryRecord, now: number, retryDelayMs: (retry: number) => number): AfterFailedAttempt {
  const { maximumRetryAttempts, maximumEventAgeInSeconds } = delivery.target.retryPolicy;
  const retriesMade = delivery.attempt - 1;
  if (retriesMade >= maximumRetryAttempts) return { kind: 'deadLetter', reason: 'MaximumRetryAttempts' };
  const dueAt = now + Math.max(0, retryDelayMs(retriesMade + 1));
  if (dueAt > delivery.firedAt + maximumEventAgeInSeconds * 1000) return { kind: 'deadLetter', reason: 'MaximumEventAgeInSeconds' };
  return { kind: 'retry', attempt: delivery.attempt + 1, dueAt };
}
