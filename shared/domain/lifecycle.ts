import { JOB_STATUS, type JobStatus } from './job.ts';
import { InvalidStateError } from './errors.ts';

/**
 * The job state machine as one pure table. The store turns `from` into the condition of the
 * single conditional write that performs the event, so this table *is* the set of races the
 * database closes: an event whose `from` does not hold for the item as stored is refused.
 */
export const JOB_EVENT = {
  /** POST /jobs without a delay. */
  SUBMIT: 'SUBMIT',
  /** POST /jobs with delayMs/runAt in the future. */
  SUBMIT_DELAYED: 'SUBMIT_DELAYED',
  /** The scheduler's time came (EventBridge Scheduler target). */
  DUE: 'DUE',
  /**
   * A worker takes the job for an attempt (attempt += 1, lease until now + timeout).
   * SCHEDULED is accepted once its time has come: an SQS-delayed job's message only arrives
   * when it is due, so "SCHEDULED -> QUEUED -> RUNNING" is folded into one write.
   */
  CLAIM: 'CLAIM',
  /** The lease of a RUNNING job ran out (worker crashed or timed out) and its message came back. */
  RECLAIM: 'RECLAIM',
  SUCCEED: 'SUCCEED',
  /** Retryable error with attempts left. */
  RETRY_LATER: 'RETRY_LATER',
  /** Permanent error, no attempts left, or timeout on the last attempt. */
  FAIL: 'FAIL',
  CANCEL: 'CANCEL',
  /** Manual POST /jobs/{id}/dlq, or the SQS dead-letter queue consumer. */
  DEAD_LETTER: 'DEAD_LETTER',
  /** POST /jobs/{id}/retry and dead-letter replay. */
  REQUEUE: 'REQUEUE',
  DELETE: 'DELETE',
} as const;
export type JobEvent = (typeof JOB_EVENT)[keyof typeof JOB_EVENT];

/** The pseudo-state of a job that does not exist yet. */
export const NEW = 'NEW' as const;
export type FromState = JobStatus | typeof NEW;

interface TransitionRule {
  from: readonly FromState[];
  /** null: the item is removed. */
  to: JobStatus | null;
}

const { SCHEDULED, QUEUED, RUNNING, RETRYING, SUCCEEDED, DEAD, CANCELLED } = JOB_STATUS;

export const TRANSITIONS: Readonly<Record<JobEvent, TransitionRule>> = {
  SUBMIT: { from: [NEW], to: QUEUED },
  SUBMIT_DELAYED: { from: [NEW], to: SCHEDULED },
  DUE: { from: [SCHEDULED], to: QUEUED },
  CLAIM: { from: [QUEUED, RETRYING, SCHEDULED], to: RUNNING },
  RECLAIM: { from: [RUNNING], to: RUNNING },
  SUCCEED: { from: [RUNNING], to: SUCCEEDED },
  RETRY_LATER: { from: [RUNNING], to: RETRYING },
  FAIL: { from: [RUNNING], to: DEAD },
  CANCEL: { from: [SCHEDULED, QUEUED, RETRYING, RUNNING], to: CANCELLED },
  DEAD_LETTER: { from: [SCHEDULED, QUEUED, RETRYING, RUNNING], to: DEAD },
  REQUEUE: { from: [DEAD, CANCELLED], to: QUEUED },
  DELETE: { from: [SCHEDULED, QUEUED, RETRYING, SUCCEEDED, DEAD, CANCELLED], to: null },
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
  return TRANSITIONS[event].to;
}
