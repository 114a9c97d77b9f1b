import { LIMITS } from '../domain/job-defaults.ts';
import { JOB_STATUS, type Job, type JobStatus } from '../domain/job.ts';
import type { UseCaseConfig } from './dependencies.ts';

/**
 * TTL (epoch seconds) for a job entering a terminal state. Dead jobs are kept longer so operators
 * can replay them; a job with an idempotency key is kept at least 24 hours so its key holds.
 */
export function expiryFor(job: Pick<Job, 'idempotencyKey'>, status: JobStatus, nowMs: number, config: UseCaseConfig): number {
  let seconds = status === JOB_STATUS.DEAD ? config.deadJobRetentionSeconds : config.jobRetentionSeconds;
  if (job.idempotencyKey) seconds = Math.max(seconds, LIMITS.idempotencyWindowSeconds);
  return Math.floor(nowMs / 1000) + seconds;
}
