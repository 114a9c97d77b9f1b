import type { BackoffPolicy } from './job.ts';
import { isRetryable, JobTimeoutError, WorkerLostError } from './errors.ts';

/**
 * Delay before attempt `failedAttempt + 1`, after attempt `failedAttempt` (1-based) failed.
 * exponential: delayMs * 2^(n-1); fixed: delayMs; both capped at maxDelayMs. With jitter the
 * delay is drawn from [d/2, d] ("equal jitter"): retries of many jobs that failed together
 * spread out, yet none comes back sooner than half the planned delay.
 */
export function backoffDelayMs(policy: BackoffPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, failedAttempt);
  const raw = policy.type === 'fixed' ? policy.delayMs : policy.delayMs * 2 ** Math.min(n - 1, 52);
  const capped = Math.min(raw, policy.maxDelayMs);
  if (!policy.jitter) return Math.round(capped);
  const half = capped / 2;
  return Math.round(half + random() * half);
}

export type FailureDecision =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead'; reason: string };

export interface FailureFacts {
  /** The attempt that just failed (1-based). */
  attempt: number;
  maxAttempts: number;
  error: unknown;
  backoff: BackoffPolicy;
}

/** The one place that decides between "retry later" and "dead". */
export function decideAfterFailure(facts: FailureFacts, random: () => number = Math.random): FailureDecision {
  const { attempt, maxAttempts, error, backoff } = facts;
  if (!isRetryable(error)) {
    return { kind: 'dead', reason: `permanent error on attempt ${attempt}: ${describe(error)}` };
  }
  if (attempt >= maxAttempts) {
    if (error instanceof WorkerLostError) {
      return { kind: 'dead', reason: `the worker stopped (crash or function timeout) on attempt ${attempt} of ${maxAttempts}; no attempts left` };
    }
    const what = error instanceof JobTimeoutError ? 'timed out' : 'failed';
    return { kind: 'dead', reason: `${what} on attempt ${attempt} of ${maxAttempts}: ${describe(error)}` };
  }
  return { kind: 'retry', delayMs: backoffDelayMs(backoff, attempt, random) };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
