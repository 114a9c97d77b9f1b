import { describe, expect, it } from 'vitest';
import { capResult, decideAttempt, decideLostAttempt, type AttemptResult } from '../../shared/domain/attempt-decision.ts';
import { JobTimeoutError, PermanentError } from '../../shared/domain/errors.ts';
import type { Job } from '../../shared/domain/job.ts';
import { cancelledChanges, deadChanges, succeededChanges } from '../../shared/domain/job-changes.ts';
import { failureFingerprint } from '../../shared/domain/failure-fingerprint.ts';
import { newJob } from '../support/job-fixture.ts';

/*
 * The attempt's one decision, without I/O: which lifecycle event the finishing write performs,
 * which fields it sets or clears, which counters move and what makes a retry due.
 */

const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const RETENTION = { jobRetentionSeconds: 3600, deadJobRetentionSeconds: 7200 };

function running(overrides: Partial<Job> = {}): Job {
  return newJob('j1', {
    status: 'RUNNING',
    attempts: 1,
    maxAttempts: 3,
    leaseToken: 'L',
    leaseUntil: NOW + 40_000,
    startedAt: iso(NOW),
    backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 3_600_000, jitter: false },
    ...overrides,
  });
}

function decide(result: AttemptResult, job: Job = running(), progress: unknown = undefined) {
  return decideAttempt({
    job,
    result,
    startedAt: NOW,
    finishedAt: NOW + 250,
    waitMs: 1500,
    progress,
    maxResultBytes: 100,
    retention: RETENTION,
    random: () => 0.5,
  });
}

const boom = new Error('boom');

interface Row {
  name: string;
  result: AttemptResult;
  job: Partial<Job>;
  event: string;
  outcome: string;
  status: string;
  counters: Record<string, number>;
  followUp: unknown;
}

// prettier-ignore
const ROWS: Row[] = [
  { name: 'success', result: { kind: 'succeeded', value: { ok: 1 } }, job: {},
    event: 'SUCCEED', outcome: 'SUCCEEDED', status: 'SUCCEEDED',
    counters: { status_RUNNING: -1, status_SUCCEEDED: 1, succeeded: 1 }, followUp: null },
  { name: 'retryable error, attempts left', result: { kind: 'failed', error: boom }, job: {},
    event: 'RETRY_LATER', outcome: 'FAILED', status: 'RETRYING',
    counters: { status_RUNNING: -1, status_RETRYING: 1, failed: 1, retried: 1 }, followUp: { kind: 'message', delaySeconds: 1 } },
  { name: 'timeout, attempts left', result: { kind: 'failed', error: new JobTimeoutError(100) }, job: { attempts: 2 },
    event: 'RETRY_LATER', outcome: 'TIMED_OUT', status: 'RETRYING',
    counters: { status_RUNNING: -1, status_RETRYING: 1, failed: 1, retried: 1 }, followUp: { kind: 'message', delaySeconds: 2 } },
  { name: 'backoff beyond 15 minutes', result: { kind: 'failed', error: boom }, job: { backoff: { type: 'fixed', delayMs: 1_200_000, maxDelayMs: 3_600_000, jitter: false } },
    event: 'RETRY_LATER', outcome: 'FAILED', status: 'RETRYING',
    counters: { status_RUNNING: -1, status_RETRYING: 1, failed: 1, retried: 1 }, followUp: { kind: 'schedule', name: 'job.j1.1', dueAt: NOW + 250 + 1_200_000 } },
  { name: 'permanent error', result: { kind: 'failed', error: new PermanentError('no') }, job: {},
    event: 'FAIL', outcome: 'DEAD', status: 'DEAD',
    counters: { status_RUNNING: -1, status_DEAD: 1, dead: 1, failed: 1 }, followUp: null },
  { name: 'last attempt failed', result: { kind: 'failed', error: boom }, job: { attempts: 3 },
    event: 'FAIL', outcome: 'DEAD', status: 'DEAD',
    counters: { status_RUNNING: -1, status_DEAD: 1, dead: 1, failed: 1 }, followUp: null },
  { name: 'last attempt timed out', result: { kind: 'failed', error: new JobTimeoutError(100) }, job: { attempts: 3 },
    event: 'FAIL', outcome: 'DEAD', status: 'DEAD',
    counters: { status_RUNNING: -1, status_DEAD: 1, dead: 1, failed: 1 }, followUp: null },
  { name: 'stopped by cancel', result: { kind: 'stopped' }, job: {},
    event: 'RELEASE', outcome: 'CANCELLED', status: '(unchanged)',
    counters: {}, followUp: null },
];

describe('decideAttempt: event, outcome, counters and follow-up', () => {
  it.each(ROWS)('$name -> $event ($status)', ({ result, job, event, outcome, counters, followUp }) => {
    // Act
    const decision = decideAttempt({
      job: running(job),
      result,
      startedAt: NOW,
      finishedAt: NOW + 250,
      waitMs: 1500,
      progress: undefined,
      maxResultBytes: 100,
      retention: RETENTION,
      random: () => 0.5,
    });

    // Assess: counters without the histogram entries (checked below)
    expect(decision.event).toBe(event);
    expect(decision.outcome).toBe(outcome);
    expect(decision.followUp).toEqual(followUp);
    const values = decision.deltas.entries()[0]?.values ?? {};
    const plain = Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith('duration_') && !k.startsWith('wait_')));
    expect(plain).toEqual(counters);
  });

  it.each(ROWS.filter((r) => r.event !== 'RELEASE'))('$name: the attempt is timed and its wait observed', ({ result, job }) => {
    const decision = decide(result, running(job));
    const samples = decision.deltas.samples({ queue: 'normal', type: 'demo.echo' });
    expect(samples).toEqual({ duration: [0.25], wait: [1.5] });
  });

  it.each(ROWS)('$name: the write releases the lease and records the attempt in history', ({ result, job, outcome }) => {
    const decision = decide(result, running({ ...job, history: [{ attempt: 0, startedAt: iso(NOW), finishedAt: iso(NOW), outcome: 'LOST', error: null }] }));
    expect(decision.changes).toMatchObject({ leaseToken: null, leaseUntil: null });
    expect(decision.changes.history?.map((h) => h.outcome)).toEqual(['LOST', outcome]);
  });
});

describe('decideAttempt: the fields each ending writes', () => {
  it('success: result (capped), finishedAt, retention, nothing pending', () => {
    const small = decide({ kind: 'succeeded', value: { a: 'x' } });
    const big = decide({ kind: 'succeeded', value: { a: 'x'.repeat(200) } });
    expect(small.changes).toMatchObject({
      result: { a: 'x' },
      finishedAt: iso(NOW + 250),
      expiresAt: Math.floor((NOW + 250) / 1000) + 3600,
      nextRunAt: null,
      pendingSchedule: null,
    });
    expect(big.changes.result).toEqual({ truncated: true, sizeBytes: 208, limitBytes: 100 });
  });

  it('retry: nextRunAt after the backoff, lastError, no finishedAt or TTL', () => {
    const decision = decide({ kind: 'failed', error: boom });
    expect(decision.changes).toMatchObject({ nextRunAt: iso(NOW + 250 + 1000), pendingSchedule: null, lastError: { name: 'Error', message: 'boom' } });
    expect(decision.changes).not.toHaveProperty('finishedAt');
    expect(decision.changes).not.toHaveProperty('expiresAt');
    expect(decision.retryInMs).toBe(1000);
  });

  it('dead: the retry policy reason, lastError and the dead-job retention', () => {
    const decision = decide({ kind: 'failed', error: new PermanentError('card declined') });
    expect(decision.changes).toMatchObject({
      deadReason: 'permanent error on attempt 1: PermanentError: card declined',
      lastError: { name: 'PermanentError', message: 'card declined' },
      expiresAt: Math.floor((NOW + 250) / 1000) + 7200,
    });
  });

  it('progress reported during the attempt rides on the finishing write, whatever the ending', () => {
    for (const result of [{ kind: 'succeeded', value: 1 }, { kind: 'failed', error: boom }, { kind: 'stopped' }] as AttemptResult[]) {
      expect(decide(result, running(), 70).changes.progress).toBe(70);
      expect(decide(result, running()).changes).not.toHaveProperty('progress');
    }
  });
});

describe('decideLostAttempt: a worker vanished and its lease ran out', () => {
  it.each([
    { attempts: 1, maxAttempts: 3, event: 'RECLAIM', counters: { failed: 1 } },
    { attempts: 2, maxAttempts: 3, event: 'RECLAIM', counters: { failed: 1 } },
    { attempts: 3, maxAttempts: 3, event: 'FAIL', counters: { failed: 1, status_RUNNING: -1, status_DEAD: 1, dead: 1 } },
    { attempts: 1, maxAttempts: 1, event: 'FAIL', counters: { failed: 1, status_RUNNING: -1, status_DEAD: 1, dead: 1 } },
  ])('attempt $attempts of $maxAttempts -> $event', ({ attempts, maxAttempts, event, counters }) => {
    // Act
    const decision = decideLostAttempt(running({ attempts, maxAttempts }), NOW, RETENTION, () => 0.5);

    // Assess
    expect(decision.event).toBe(event);
    expect(decision.deltas.entries()[0]?.values).toEqual(counters);
    expect(decision.changes.history?.at(-1)).toMatchObject({ attempt: attempts, outcome: 'LOST', finishedAt: iso(NOW) });
    expect(decision.changes.lastError?.name).toBe('WorkerLostError');
    if (event === 'FAIL') {
      expect(decision.changes).toMatchObject({ leaseToken: null, leaseUntil: null, finishedAt: iso(NOW) });
      expect(decision.changes.deadReason).toBe(`the worker stopped (crash or function timeout) on attempt ${attempts} of ${maxAttempts}; no attempts left`);
    } else {
      expect(decision.changes).not.toHaveProperty('leaseToken');
    }
  });
});

describe('terminal changes: one builder each, every field it sets or clears', () => {
  const job = { idempotencyKey: null, type: 'email.send', lastError: null };
  const ending = { at: NOW, retention: RETENTION };
  // The failure group of a DEAD job with no error: its type and dead reason 'r'.
  const fingerprint = failureFingerprint({ type: 'email.send', lastError: null, deadReason: 'r' });
  const common = { finishedAt: iso(NOW), nextRunAt: null, pendingSchedule: null, throttledUntil: null, throttleReason: null };

  it.each([
    { name: 'SUCCEEDED by its worker', changes: succeededChanges(job, { ...ending, releasesLease: true, result: 1 }), expected: { ...common, result: 1, expiresAt: Math.floor(NOW / 1000) + 3600, leaseToken: null, leaseUntil: null } },
    { name: 'DEAD by its worker', changes: deadChanges(job, { ...ending, releasesLease: true, reason: 'r' }), expected: { ...common, deadReason: 'r', fingerprint, expiresAt: Math.floor(NOW / 1000) + 7200, leaseToken: null, leaseUntil: null } },
    { name: 'DEAD by an operator', changes: deadChanges(job, { ...ending, releasesLease: false, reason: 'r' }), expected: { ...common, deadReason: 'r', fingerprint, expiresAt: Math.floor(NOW / 1000) + 7200 } },
    { name: 'CANCELLED by an operator', changes: cancelledChanges(job, { ...ending, releasesLease: false, reason: 'c' }), expected: { ...common, cancelReason: 'c', expiresAt: Math.floor(NOW / 1000) + 3600 } },
  ])('$name', ({ changes, expected }) => {
    expect(changes).toEqual(expected);
  });

  it('keeps a job with an idempotency key at least 24 hours, and cuts long reasons', () => {
    const changes = deadChanges({ idempotencyKey: 'k', type: 't', lastError: null }, { ...ending, releasesLease: true, reason: 'x'.repeat(5000) });
    expect(changes.expiresAt).toBe(Math.floor(NOW / 1000) + 24 * 3600);
    expect(changes.deadReason).toHaveLength(1024);
  });

  it('capResult keeps JSON as stored and replaces what is too large', () => {
    expect(capResult(undefined, 10)).toBeNull();
    expect(capResult({ a: [1, 2] }, 100)).toEqual({ a: [1, 2] });
    expect(capResult('x'.repeat(20), 10)).toEqual({ truncated: true, sizeBytes: 22, limitBytes: 10 });
  });
});
