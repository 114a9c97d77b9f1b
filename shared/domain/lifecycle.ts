import { JOB_STATUS, type JobStatus } from './job.ts';
import { InvalidStateError } from './errors.ts';

/**
 * The job state machine as one pure table. The store turns `from` into the condition of the
 * single conditional write that performs the event (JobStore.create / JobStore.transition), so
 * this table *is* the set of races the database closes: an event whose `from` does not hold for
 * the item as stored is refused. No call site lists allowed statuses; every event here is
 * written by production code.
 */
export const JOB_EVENT = {
  /** POST /jobs without a delay. */
  SUBMIT: 'SUBMIT',
  /** POST /jobs with delayMs/runAt in the future. */
  SUBMIT_DELAYED: 'SUBMIT_DELAYED',
  /** POST /flows: a job with dependencies is created BLOCKED (it has no message yet). */
  BLOCK: 'BLOCK',
  /** Its last dependency finished (the gate reached zero): BLOCKED -> QUEUED, then its message is sent. */
  UNBLOCK: 'UNBLOCK',
  /** POST /flows/{id}/retry: a job the cascade cancelled, or a DEAD one, waits for its replayed dependencies again. */
  REBLOCK: 'REBLOCK',
  /** A recurring schedule's firing that Scheduler could not deliver is recorded as a DEAD job. */
  MISSED_FIRING: 'MISSED_FIRING',
  /**
   * A worker takes the job for an attempt (attempt += 1, lease until now + timeout).
   * SCHEDULED is accepted once its time has come: an SQS-delayed job's message only arrives
   * when it is due, so "SCHEDULED -> QUEUED -> RUNNING" is folded into one write.
   */
  CLAIM: 'CLAIM',
  /**
   * Flow control: the job is over its key's rate or parallelism limit. It stays (or goes back to)
   * QUEUED with throttledUntil/throttleReason, uses no attempt, and its message is sent again
   * with a delay.
   */
  THROTTLE: 'THROTTLE',
  /** The lease of a RUNNING job ran out (worker crashed or timed out) and its message came back. */
  RECLAIM: 'RECLAIM',
  /** The running attempt records its progress. */
  PROGRESS: 'PROGRESS',
  SUCCEED: 'SUCCEED',
  /** Retryable error with attempts left. */
  RETRY_LATER: 'RETRY_LATER',
  /** Permanent error, no attempts left, or timeout on the last attempt. */
  FAIL: 'FAIL',
  CANCEL: 'CANCEL',
  /** Manual POST /jobs/{id}/dlq, the SQS dead-letter queue consumer, or a message that could not be sent. */
  DEAD_LETTER: 'DEAD_LETTER',
  /** A cancelled or dead-lettered attempt stopped: it records itself and gives its lease back. */
  RELEASE: 'RELEASE',
  /** POST /jobs/{id}/retry and dead-letter replay. */
  REQUEUE: 'REQUEUE',
  DELETE: 'DELETE',
} as const;
export type JobEvent = (typeof JOB_EVENT)[keyof typeof JOB_EVENT];

/** The events that create a job (their only `from` is NEW). */
export type CreateEvent = typeof JOB_EVENT.SUBMIT | typeof JOB_EVENT.SUBMIT_DELAYED | typeof JOB_EVENT.MISSED_FIRING | typeof JOB_EVENT.BLOCK;

/** The pseudo-state of a job that does not exist yet. */
export const NEW = 'NEW' as const;
export type FromState = JobStatus | typeof NEW;

/** `to` of an event that writes the job but leaves its status as it was. */
export const UNCHANGED = 'UNCHANGED' as const;

/**
 * What an event's write demands of the job's lease.
 * - `held`: the writer names the attempt's lease token, and the item must still hold it (only
 *   the running attempt records its own progress and outcome).
 * - `expired`: the writer names the lease it saw, and that lease must have run out (taking over
 *   a lost attempt).
 */
export type LeaseRule = 'held' | 'expired';

export interface TransitionRule {
  from: readonly FromState[];
  /** null: the item is removed. */
  to: JobStatus | null | typeof UNCHANGED;
  lease?: LeaseRule;
  /** The write starts an attempt: attempts + 1 and a new lease. */
  startsAttempt?: boolean;
  /** Only once the job is due (its nextRunAt has passed). */
  onlyWhenDue?: boolean;
}

const { BLOCKED, SCHEDULED, QUEUED, RUNNING, RETRYING, SUCCEEDED, DEAD, CANCELLED } = JOB_STATUS;

export const TRANSITIONS: Readonly<Record<JobEvent, TransitionRule>> = {
  SUBMIT: { from: [NEW], to: QUEUED },
  SUBMIT_DELAYED: { from: [NEW], to: SCHEDULED },
  MISSED_FIRING: { from: [NEW], to: DEAD },
  BLOCK: { from: [NEW], to: BLOCKED },
  UNBLOCK: { from: [BLOCKED], to: QUEUED },
  REBLOCK: { from: [CANCELLED, DEAD], to: BLOCKED },
  CLAIM: { from: [QUEUED, RETRYING, SCHEDULED], to: RUNNING, startsAttempt: true, onlyWhenDue: true },
  THROTTLE: { from: [QUEUED, RETRYING, SCHEDULED], to: QUEUED },
  RECLAIM: { from: [RUNNING], to: RUNNING, startsAttempt: true, lease: 'expired' },
  PROGRESS: { from: [RUNNING], to: UNCHANGED, lease: 'held' },
  SUCCEED: { from: [RUNNING], to: SUCCEEDED, lease: 'held' },
  RETRY_LATER: { from: [RUNNING], to: RETRYING, lease: 'held' },
  FAIL: { from: [RUNNING], to: DEAD, lease: 'held' },
  CANCEL: { from: [BLOCKED, SCHEDULED, QUEUED, RETRYING, RUNNING], to: CANCELLED },
  DEAD_LETTER: { from: [BLOCKED, SCHEDULED, QUEUED, RETRYING, RUNNING], to: DEAD },
  RELEASE: { from: [CANCELLED, DEAD], to: UNCHANGED, lease: 'held' },
  REQUEUE: { from: [DEAD, CANCELLED], to: QUEUED },
  DELETE: { from: [BLOCKED, SCHEDULED, QUEUED, RETRYING, SUCCEEDED, DEAD, CANCELLED], to: null },
};

/** The states an event may start from (what the store's condition expression checks). */
export function allowedFrom(event: JobEvent): readonly JobStatus[] {
  return TRANSITIONS[event].from.filter((s): s is JobStatus => s !== NEW);
}

export function canTransition(from: FromState, event: JobEvent): boolean {
  return TRANSITIONS[event].from.includes(from);
}

/**
 * The state after `event`, or InvalidStateError when the event is not allowed from `from`.
 * Returns null for events that remove the job.
 */
export function nextStatus(from: FromState, event: JobEvent): JobStatus | null {
  if (!canTransition(from, event)) {
    throw new InvalidStateError(event, from);
  }
  const { to } = TRANSITIONS[event];
  if (to !== UNCHANGED) return to;
  if (from === NEW) throw new InvalidStateError(event, from);
  return from;
}

/** The status a create event makes a job in. */
export function createdStatus(event: CreateEvent): JobStatus {
  const { from, to } = TRANSITIONS[event];
  if (!from.includes(NEW) || to === null || to === UNCHANGED) throw new Error(`${event} does not create a job`);
  return to;
}
