import { describe, expect, it, vi } from 'vitest';
import { JobCancelledError, JobTimeoutError, PermanentError } from '../../shared/domain/errors.ts';
import type { BackoffPolicy } from '../../shared/domain/job.ts';
import { backoffDelayMs, decideAfterFailure } from '../../shared/domain/retry-policy.ts';

/** API.md's default: exponential from 1000 ms, capped at 300000 ms, no jitter. */
const DEFAULT_BACKOFF: BackoffPolicy = { type: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: false };
const policy = (over: Partial<BackoffPolicy>): BackoffPolicy => ({ ...DEFAULT_BACKOFF, ...over });

/** attempt that failed -> delay before the next one, for the default policy. */
const EXPONENTIAL_TABLE: [attempt: number, delayMs: number][] = [
  [1, 1000],
  [2, 2000],
  [3, 4000],
  [4, 8000],
  [5, 16_000],
  [6, 32_000],
  [7, 64_000],
  [8, 128_000],
  [9, 256_000],
  [10, 300_000],
  [11, 300_000],
  [25, 300_000],
];

describe('backoffDelayMs', () => {
  describe('exponential from 1000 ms, capped at 300000 ms', () => {
    it.each(EXPONENTIAL_TABLE)('after attempt %i waits %i ms', (attempt, expected) => {
      // Act
      const delay = backoffDelayMs(DEFAULT_BACKOFF, attempt, () => 0);

      // Assess
      expect(delay).toBe(expected);
    });
  });

  describe('fixed', () => {
    it.each([
      [1, 5000],
      [2, 5000],
      [7, 5000],
      [1000, 5000],
    ])('after attempt %i waits %i ms', (attempt, expected) => {
      // Act
      const delay = backoffDelayMs(policy({ type: 'fixed', delayMs: 5000 }), attempt);

      // Assess
      expect(delay).toBe(expected);
    });
  });

  describe('cap reached', () => {
    it.each([
      { name: 'exponential reaches the cap', p: policy({ delayMs: 2000, maxDelayMs: 5000 }), attempt: 2, expected: 4000 },
      { name: 'exponential just over the cap', p: policy({ delayMs: 2000, maxDelayMs: 5000 }), attempt: 3, expected: 5000 },
      { name: 'exponential far over the cap', p: policy({ delayMs: 2000, maxDelayMs: 5000 }), attempt: 9, expected: 5000 },
      { name: 'fixed above its cap', p: policy({ type: 'fixed', delayMs: 10_000, maxDelayMs: 3000 }), attempt: 1, expected: 3000 },
      { name: 'exponential base above its cap', p: policy({ delayMs: 10_000, maxDelayMs: 3000 }), attempt: 1, expected: 3000 },
      { name: 'cap of 0', p: policy({ delayMs: 1000, maxDelayMs: 0 }), attempt: 4, expected: 0 },
    ])('$name: attempt $attempt -> $expected ms', ({ p, attempt, expected }) => {
      // Act
      const delay = backoffDelayMs(p, attempt);

      // Assess
      expect(delay).toBe(expected);
    });
  });

  describe('delayMs 0 means "retry at once"', () => {
    it.each([
      { type: 'exponential' as const, attempt: 1 },
      { type: 'exponential' as const, attempt: 10 },
      { type: 'exponential' as const, attempt: 1_000_000 },
      { type: 'fixed' as const, attempt: 1 },
      { type: 'fixed' as const, attempt: 50 },
    ])('$type after attempt $attempt -> 0', ({ type, attempt }) => {
      // Act
      const plain = backoffDelayMs(policy({ type, delayMs: 0 }), attempt);
      const jittered = backoffDelayMs(policy({ type, delayMs: 0, jitter: true }), attempt, () => 0.7);

      // Assess
      expect(plain).toBe(0);
      expect(jittered).toBe(0);
    });
  });

  describe('very large attempt numbers stay finite and capped', () => {
    it.each([53, 54, 100, 1024, 1075, 2 ** 31, Number.MAX_SAFE_INTEGER])('attempt %d', (attempt) => {
      // Act
      const small = backoffDelayMs(DEFAULT_BACKOFF, attempt);
      const huge = backoffDelayMs(policy({ delayMs: 86_400_000, maxDelayMs: 86_400_000 }), attempt);
      const jittered = backoffDelayMs(policy({ jitter: true }), attempt, () => 0.5);

      // Assess
      expect(small).toBe(300_000);
      expect(huge).toBe(86_400_000);
      expect(jittered).toBe(225_000);
    });
  });

  describe('equal jitter with an injected random', () => {
    it.each([
      // d = 1000 (attempt 1)
      { attempt: 1, random: 0, expected: 500 },
      { attempt: 1, random: 0.5, expected: 750 },
      { attempt: 1, random: 1, expected: 1000 },
      // d = 4000 (attempt 3)
      { attempt: 3, random: 0, expected: 2000 },
      { attempt: 3, random: 0.5, expected: 3000 },
      { attempt: 3, random: 1, expected: 4000 },
      // d = 300000 (capped)
      { attempt: 20, random: 0, expected: 150_000 },
      { attempt: 20, random: 0.5, expected: 225_000 },
      { attempt: 20, random: 1, expected: 300_000 },
    ])('attempt $attempt, random $random -> $expected ms', ({ attempt, random, expected }) => {
      // Prepare
      const rng = vi.fn(() => random);

      // Act
      const delay = backoffDelayMs(policy({ jitter: true }), attempt, rng);

      // Assess
      expect(delay).toBe(expected);
      expect(rng).toHaveBeenCalled();
    });

    it('fixed policy: random 0.5 -> 3/4 of the delay', () => {
      // Act
      const delay = backoffDelayMs(policy({ type: 'fixed', delayMs: 8000, jitter: true }), 4, () => 0.5);

      // Assess
      expect(delay).toBe(6000);
    });

    it.each(EXPONENTIAL_TABLE)('after attempt %i stays within [d/2, d] for d = %i', (attempt, d) => {
      // Prepare
      const randoms = [0, 1e-9, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 0.999_999_9];

      // Act
      const delays = randoms.map((r) => backoffDelayMs(policy({ jitter: true }), attempt, () => r));

      // Assess
      for (const delay of delays) {
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(d / 2);
        expect(delay).toBeLessThanOrEqual(d);
      }
      expect(new Set(delays).size).toBeGreaterThan(1);
    });

    it('with the default Math.random stays within [d/2, d]', () => {
      // Act
      const delays = Array.from({ length: 500 }, () => backoffDelayMs(policy({ jitter: true }), 3));

      // Assess
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(2000);
        expect(delay).toBeLessThanOrEqual(4000);
      }
    });

    it('without jitter the random source does not shorten the delay', () => {
      // Act
      const delay = backoffDelayMs(DEFAULT_BACKOFF, 3, () => 0);

      // Assess
      expect(delay).toBe(4000);
    });
  });
});

describe('decideAfterFailure', () => {
  describe('retryable error with attempts left -> retry after the backoff', () => {
    it.each([
      { name: 'attempt 1 of 3', attempt: 1, maxAttempts: 3, backoff: DEFAULT_BACKOFF, random: 0, delayMs: 1000 },
      { name: 'attempt 2 of 3', attempt: 2, maxAttempts: 3, backoff: DEFAULT_BACKOFF, random: 0, delayMs: 2000 },
      { name: 'attempt 9 of 100', attempt: 9, maxAttempts: 100, backoff: DEFAULT_BACKOFF, random: 0, delayMs: 256_000 },
      { name: 'attempt 40 of 100 (capped)', attempt: 40, maxAttempts: 100, backoff: DEFAULT_BACKOFF, random: 0, delayMs: 300_000 },
      { name: 'fixed 5000', attempt: 3, maxAttempts: 5, backoff: policy({ type: 'fixed', delayMs: 5000 }), random: 0, delayMs: 5000 },
      { name: 'jitter, random 0', attempt: 1, maxAttempts: 3, backoff: policy({ jitter: true }), random: 0, delayMs: 500 },
      { name: 'jitter, random 1', attempt: 2, maxAttempts: 3, backoff: policy({ jitter: true }), random: 1, delayMs: 2000 },
    ])('$name -> retry in $delayMs ms', ({ attempt, maxAttempts, backoff, random, delayMs }) => {
      // Act
      const decision = decideAfterFailure({ attempt, maxAttempts, backoff, error: new Error('boom') }, () => random);

      // Assess
      expect(decision).toEqual({ kind: 'retry', delayMs });
    });

    it.each([
      { name: 'a thrown string', error: 'boom' },
      { name: 'a thrown object', error: { message: 'boom' } },
      { name: 'an Error with retryable: true', error: Object.assign(new Error('boom'), { retryable: true }) },
      { name: 'a TypeError', error: new TypeError('boom') },
    ])('$name is retried', ({ error }) => {
      // Act
      const decision = decideAfterFailure({ attempt: 1, maxAttempts: 3, backoff: DEFAULT_BACKOFF, error });

      // Assess
      expect(decision).toEqual({ kind: 'retry', delayMs: 1000 });
    });
  });

  describe('no attempts left -> dead with a reason naming the attempt', () => {
    it.each([
      { name: 'attempt 3 of 3', attempt: 3, maxAttempts: 3 },
      { name: 'attempt 1 of 1', attempt: 1, maxAttempts: 1 },
      { name: 'attempt 100 of 100', attempt: 100, maxAttempts: 100 },
      { name: 'attempt 4 of 3 (a reclaimed lease went past the budget)', attempt: 4, maxAttempts: 3 },
    ])('$name', ({ attempt, maxAttempts }) => {
      // Act
      const decision = decideAfterFailure({ attempt, maxAttempts, backoff: DEFAULT_BACKOFF, error: new Error('disk full') });

      // Assess
      expect(decision.kind).toBe('dead');
      const reason = decision.kind === 'dead' ? decision.reason : '';
      expect(reason).toMatch(new RegExp(`\\battempt ${attempt}\\b`));
      expect(reason).toContain('disk full');
      expect(reason).not.toContain('timed out');
    });

    it('a thrown string on the last attempt is named in the reason', () => {
      // Act
      const decision = decideAfterFailure({ attempt: 2, maxAttempts: 2, backoff: DEFAULT_BACKOFF, error: 'socket hang up' });

      // Assess
      expect(decision.kind).toBe('dead');
      expect(decision.kind === 'dead' && decision.reason).toContain('socket hang up');
    });
  });

  describe('non-retryable errors -> dead at once, even on attempt 1 of many', () => {
    const namedPermanent = new Error('bad card');
    namedPermanent.name = 'PermanentError';

    it.each([
      { name: 'PermanentError', error: new PermanentError('bad card') },
      { name: 'an Error with retryable: false', error: Object.assign(new Error('bad card'), { retryable: false }) },
      { name: "a plain Error named 'PermanentError'", error: namedPermanent },
      { name: 'JobCancelledError', error: new JobCancelledError('bad card') },
    ])('$name', ({ error }) => {
      // Act
      const decision = decideAfterFailure({ attempt: 1, maxAttempts: 10, backoff: DEFAULT_BACKOFF, error }, () => 0.5);

      // Assess
      expect(decision.kind).toBe('dead');
      const reason = decision.kind === 'dead' ? decision.reason : '';
      expect(reason).toMatch(/\battempt 1\b/);
      expect(reason).toContain('bad card');
    });
  });

  describe('JobTimeoutError', () => {
    it('is retryable while attempts are left', () => {
      // Act
      const decision = decideAfterFailure({ attempt: 2, maxAttempts: 3, backoff: DEFAULT_BACKOFF, error: new JobTimeoutError(30_000) });

      // Assess
      expect(decision).toEqual({ kind: 'retry', delayMs: 2000 });
    });

    it('on the last attempt is dead and the reason says "timed out"', () => {
      // Prepare
      const error = new JobTimeoutError(30_000);

      // Act
      const decision = decideAfterFailure({ attempt: 3, maxAttempts: 3, backoff: DEFAULT_BACKOFF, error });

      // Assess: the reason itself says so, not only the error message quoted in it
      expect(decision.kind).toBe('dead');
      const reason = decision.kind === 'dead' ? decision.reason : '';
      expect(reason.replace(error.message, '')).toContain('timed out');
      expect(reason).toMatch(/\battempt 3\b/);
    });
  });
});
