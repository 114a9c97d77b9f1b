import { JOB_STATUS, type Job, type JobStatus } from './job.ts';
import { LIMITS } from './job-defaults.ts';

/** How long finished jobs are kept (the deployment's settings). */
export interface Retention {
  jobRetentionSeconds: number;
  deadJobRetentionSeconds: number;
}

/**
 * TTL (epoch seconds) for a job entering a terminal state. Dead jobs are kept longer so operators
 * can replay them; a job with an idempotency key is kept at least 24 hours so its key holds.
 */
export function expiryFor(job: Pick<Job, 'idempotencyKey'>, status: JobStatus, nowMs: number, retention: Retention): number {
  let seconds = status === JOB_STATUS.DEAD ? retention.deadJobRetentionSeconds : retention.jobRetentionSeconds;
  if (job.idempotencyKey) seconds = Math.max(seconds, LIMITS.idempotencyWindowSeconds);
  return Math.floor(nowMs / 1000) + seconds;
}
