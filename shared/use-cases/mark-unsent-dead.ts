import type { Job } from '../domain/job.ts';
import { deadChanges } from '../domain/job-changes.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * A job was written QUEUED or SCHEDULED but its message or schedule could not be created: mark
 * it DEAD with the reason, so it shows in /dlq and is one replay away instead of waiting for a
 * message that will never come. Returns whether the write happened (the caller counts it).
 */
export async function markUnsentDead(job: Job, deadReason: string, deps: Pick<Dependencies, 'store' | 'clock' | 'config' | 'logger'>): Promise<boolean> {
  const now = deps.clock.now();
  deps.logger.error('job stored but its message could not be sent; marking it DEAD', { jobId: job.id, reason: deadReason });
  try {
    const changes = deadChanges(job, { at: now, retention: deps.config, releasesLease: true, reason: deadReason });
    await deps.store.transition(job.id, { event: JOB_EVENT.DEAD_LETTER, from: job.status, changes }, now);
    return true;
  } catch (error) {
    deps.logger.error('could not mark the unsent job DEAD', { jobId: job.id, error: String(error) });
    return false;
  }
}
