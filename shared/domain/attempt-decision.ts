import { CounterDeltas } from './counter-deltas.ts';
import { JobTimeoutError, WorkerLostError } from './errors.ts';
import { appendHistory, ATTEMPT_OUTCOME, JOB_STATUS, lostAttempt, type AttemptOutcome, type Job, type JobError } from './job.ts';
import { LIMITS } from './job-defaults.ts';
import { deadChanges, succeededChanges, type JobChanges } from './job-changes.ts';
import { JOB_EVENT, nextStatus } from './lifecycle.ts';
import { COUNTERS, groupOf, HISTOGRAMS } from './metrics.ts';
import type { Retention } from './retention.ts';
import { decideAfterFailure } from './retry-policy.ts';
import { jobScheduleName } from './schedule-names.ts';
import { isoAt } from './time.ts';

/**
 * What an attempt's outcome changes, decided without I/O: the job's write (lifecycle event and
 * fields), the counters, and the follow-up that makes a retry due. The worker's finish
 * (use-cases/finish-attempt.ts) performs it; unit tests check it with tables.
 */

/** How the handler's run ended (runtime/attempt-runner.ts). */
export type AttemptResult =
  | { kind: 'succeeded'; value: unknown }
  /** Threw, or ran past its timeout (error: JobTimeoutError). */
  | { kind: 'failed'; error: unknown }
  /** Cancelled or dead-lettered while it ran: the AbortSignal fired for that reason. */
  | { kind: 'stopped' };

/** What makes the next attempt due: an SQS delay up to 15 minutes, a one-time schedule beyond. */
export type FollowUp = { kind: 'message'; delaySeconds: number } | { kind: 'schedule'; name: string; dueAt: number };

export interface AttemptDecision {
  event: typeof JOB_EVENT.SUCCEED | typeof JOB_EVENT.RETRY_LATER | typeof JOB_EVENT.FAIL | typeof JOB_EVENT.RELEASE;
  changes: JobChanges;
  outcome: AttemptOutcome;
  /** Applied to the batch's counters once the write has succeeded. */
  deltas: CounterDeltas;
  followUp: FollowUp | null;
  /** The backoff before the retry, when there is one. */
  retryInMs: number | null;
}

export interface AttemptFacts {
  /** The job as claimed (RUNNING, this attempt's lease). */
  job: Job;
  result: AttemptResult;
  /** Epoch ms. */
  startedAt: number;
  finishedAt: number;
  /** ms the job waited between becoming due and this attempt starting. */
  waitMs: number;
  /** The latest progress the handler reported (undefined: none); it rides on the finishing write. */
  progress: unknown;
  maxResultBytes: number;
  retention: Retention;
  random: () => number;
}

/** The one decision of an attempt's outcome. */
export function decideAttempt(facts: AttemptFacts): AttemptDecision {
  const { job, result, startedAt, finishedAt } = facts;
  const record = { attempt: job.attempts, startedAt: isoAt(startedAt), finishedAt: isoAt(finishedAt) };
  const progress = facts.progress !== undefined ? { progress: facts.progress } : {};
  if (result.kind === 'stopped') {
    // The operator's write already moved the job (and its counters); the attempt only records
    // itself and gives the lease back.
    const history = appendHistory(job.history, { ...record, outcome: ATTEMPT_OUTCOME.CANCELLED, error: null });
    return {
      event: JOB_EVENT.RELEASE,
      changes: { ...progress, history, leaseToken: null, leaseUntil: null },
      outcome: ATTEMPT_OUTCOME.CANCELLED,
      deltas: new CounterDeltas(),
      followUp: null,
      retryInMs: null,
    };
  }
  const deltas = attemptDeltas(job, facts);
  const ending = { at: finishedAt, retention: facts.retention, releasesLease: true };
  if (result.kind === 'succeeded') {
    const outcome = ATTEMPT_OUTCOME.SUCCEEDED;
    const history = appendHistory(job.history, { ...record, outcome, error: null });
    const changes = { ...succeededChanges(job, { ...ending, history, result: capResult(result.value, facts.maxResultBytes) }), ...progress };
    return finished(job, JOB_EVENT.SUCCEED, changes, outcome, deltas);
  }
  const lastError = jobError(result.error, finishedAt);
  deltas.add(groupOf(job), COUNTERS.failed);
  const decision = decideAfterFailure(
    { attempt: job.attempts, maxAttempts: job.maxAttempts, error: result.error, backoff: job.backoff },
    facts.random,
  );
  if (decision.kind === 'dead') {
    const outcome = ATTEMPT_OUTCOME.DEAD;
    const history = appendHistory(job.history, { ...record, outcome, error: lastError });
    const changes = { ...deadChanges(job, { ...ending, history, lastError, reason: decision.reason }), ...progress };
    return finished(job, JOB_EVENT.FAIL, changes, outcome, deltas);
  }
  const outcome = result.error instanceof JobTimeoutError ? ATTEMPT_OUTCOME.TIMED_OUT : ATTEMPT_OUTCOME.FAILED;
  const dueAt = finishedAt + decision.delayMs;
  // Backoffs beyond SQS's 15-minute delay go through a one-time schedule.
  const followUp: FollowUp =
    decision.delayMs > LIMITS.maxSqsDelayMs
      ? { kind: 'schedule', name: jobScheduleName(job.id, job.attempts), dueAt }
      : { kind: 'message', delaySeconds: Math.ceil(decision.delayMs / 1000) };
  deltas.add(groupOf(job), COUNTERS.retried);
  const changes: JobChanges = {
    ...progress,
    nextRunAt: isoAt(dueAt),
    pendingSchedule: followUp.kind === 'schedule' ? followUp.name : null,
    lastError,
    history: appendHistory(job.history, { ...record, outcome, error: lastError }),
    leaseToken: null,
    leaseUntil: null,
  };
  return { ...finished(job, JOB_EVENT.RETRY_LATER, changes, outcome, deltas), followUp, retryInMs: decision.delayMs };
}

function finished(job: Job, event: AttemptDecision['event'], changes: JobChanges, outcome: AttemptOutcome, deltas: CounterDeltas): AttemptDecision {
  deltas.move(groupOf(job), JOB_STATUS.RUNNING, nextStatus(JOB_STATUS.RUNNING, event));
  return { event, changes, outcome, deltas, followUp: null, retryInMs: null };
}

/** Duration and wait of a finished (not stopped) attempt. */
function attemptDeltas(job: Job, facts: AttemptFacts): CounterDeltas {
  const deltas = new CounterDeltas();
  deltas.observe(groupOf(job), HISTOGRAMS.duration, (facts.finishedAt - facts.startedAt) / 1000);
  deltas.observe(groupOf(job), HISTOGRAMS.wait, facts.waitMs / 1000);
  return deltas;
}

export interface LostAttemptDecision {
  event: typeof JOB_EVENT.RECLAIM | typeof JOB_EVENT.FAIL;
  /** RECLAIM: what rides on the reclaim write; FAIL: the DEAD change. */
  changes: JobChanges;
  deltas: CounterDeltas;
}

/**
 * A RUNNING job whose lease ran out: its worker vanished. The lost attempt is a retryable failure
 * judged by the retry policy like any other: with attempts left the job is reclaimed at once
 * (its lease already made it wait the attempt's timeout), else it is DEAD.
 */
export function decideLostAttempt(job: Job, now: number, retention: Retention, random: () => number): LostAttemptDecision {
  const lost = lostAttempt(job, isoAt(now));
  const history = appendHistory(job.history, lost);
  const lastError = lost.error as JobError;
  const deltas = new CounterDeltas();
  deltas.add(groupOf(job), COUNTERS.failed);
  const decision = decideAfterFailure(
    { attempt: job.attempts, maxAttempts: job.maxAttempts, error: new WorkerLostError(), backoff: job.backoff },
    random,
  );
  if (decision.kind === 'retry') return { event: JOB_EVENT.RECLAIM, changes: { history, lastError }, deltas };
  deltas.move(groupOf(job), JOB_STATUS.RUNNING, JOB_STATUS.DEAD);
  return {
    event: JOB_EVENT.FAIL,
    changes: deadChanges(job, { at: now, retention, releasesLease: true, history, lastError, reason: decision.reason }),
    deltas,
  };
}

/** A result larger than the limit is replaced by a marker (the item must stay under 400 KB). */
export function capResult(value: unknown, maxBytes: number): unknown {
  const json = JSON.stringify(value ?? null) ?? 'null';
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= maxBytes) return JSON.parse(json) as unknown;
  return { truncated: true, sizeBytes: bytes, limitBytes: maxBytes };
}

function jobError(error: unknown, at: number): JobError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name || 'Error', message: e.message.slice(0, LIMITS.maxErrorMessageLength), at: isoAt(at) };
}
