import { JOB_STATUS, type AttemptRecord, type Job, type JobError, type JobStatus } from './job.ts';
import { LIMITS } from './job-defaults.ts';
import { expiryFor, type Retention } from './retention.ts';
import { isoAt } from './time.ts';
import { failureFingerprint } from './failure-fingerprint.ts';

/**
 * Fields one write sets on a job (a null value removes the attribute). The status is not among
 * them: it comes from the lifecycle table's `to` for the event the write performs.
 */
export type JobChanges = Partial<Omit<Job, 'id' | 'createdAt' | 'type' | 'priority' | 'status'>>;

/** How a job ends: when, and what the end write does besides setting the status. */
export interface Ending {
  /** Epoch ms. */
  at: number;
  retention: Retention;
  /**
   * True when the write comes from the attempt's own worker, or the attempt's lease has run out:
   * the lease ends with it. An operator stopping a RUNNING job (cancel, manual dlq) leaves the
   * lease to the attempt, which releases it once it has stopped (the RELEASE event), so a retry
   * can never overlap the stopping attempt.
   */
  releasesLease: boolean;
  /** The attempt history with the attempt that ended, when one did. */
  history?: AttemptRecord[];
  lastError?: JobError;
}

type TerminalStatus = typeof JOB_STATUS.SUCCEEDED | typeof JOB_STATUS.DEAD | typeof JOB_STATUS.CANCELLED;

/** What every terminal change sets and clears; the three builders below add their own fields. */
function endChanges(job: Pick<Job, 'idempotencyKey'>, status: TerminalStatus, ending: Ending): JobChanges {
  return {
    finishedAt: isoAt(ending.at),
    expiresAt: expiryFor(job, status, ending.at, ending.retention),
    // Nothing is due any more: no next run, no one-time schedule to wait for.
    nextRunAt: null,
    pendingSchedule: null,
    throttledUntil: null,
    throttleReason: null,
    ...(ending.releasesLease ? { leaseToken: null, leaseUntil: null } : {}),
    ...(ending.history ? { history: ending.history } : {}),
    ...(ending.lastError ? { lastError: ending.lastError } : {}),
  };
}

/** RUNNING -> SUCCEEDED: the handler's (capped) result is stored. */
export function succeededChanges(job: Pick<Job, 'idempotencyKey'>, ending: Ending & { result: unknown }): JobChanges {
  return { ...endChanges(job, JOB_STATUS.SUCCEEDED, ending), result: ending.result };
}

/** Any unfinished state -> DEAD, with the reason /dlq shows and the failure group it joins. */
export function deadChanges(job: Pick<Job, 'idempotencyKey' | 'type' | 'lastError'>, ending: Ending & { reason: string }): JobChanges {
  const deadReason = ending.reason.slice(0, LIMITS.maxReasonLength);
  const fingerprint = failureFingerprint({ type: job.type, lastError: ending.lastError ?? job.lastError, deadReason });
  return { ...endChanges(job, JOB_STATUS.DEAD, ending), deadReason, fingerprint };
}

/** Any unfinished state -> CANCELLED, with the reason. */
export function cancelledChanges(job: Pick<Job, 'idempotencyKey'>, ending: Ending & { reason: string }): JobChanges {
  return { ...endChanges(job, JOB_STATUS.CANCELLED, ending), cancelReason: ending.reason.slice(0, LIMITS.maxReasonLength) };
}

/**
 * DEAD | CANCELLED -> QUEUED: every trace of the last ending cleared. Its message goes out at
 * once, so its QUEUED is counted by the queue's depth until a write counts it (`uncounted`).
 */
export function requeueChanges(resetAttempts: boolean): JobChanges {
  return {
    ...(resetAttempts ? { attempts: 0 } : {}),
    uncounted: 'queued',
    nextRunAt: null,
    finishedAt: null,
    deadReason: null,
    cancelReason: null,
    fingerprint: null,
    expiresAt: null,
    leaseToken: null,
    leaseUntil: null,
  };
}

/** The job as it stands after a write of `changes` (and `status`) at `nowIso`. */
export function applyChanges(job: Job, changes: JobChanges & { status?: JobStatus }, nowIso: string): Job {
  const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  return { ...job, ...set, updatedAt: nowIso };
}
