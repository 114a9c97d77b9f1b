import { JOB_STATUS, type Job } from '../domain/job.ts';
import { isoAt } from '../domain/time.ts';
import type { Dependencies } from './dependencies.ts';
import { expiryFor } from './retention.ts';

/**
 * A job was written QUEUED or SCHEDULED but its message or schedule could not be created: mark
 * it DEAD with the reason, so it shows in /dlq and is one replay away instead of waiting for a
 * message that will never come. Returns whether the write happened (the caller counts it).
 */
export async function markUnsentDead(job: Job, deadReason: string, deps: Dependencies): Promise<boolean> {
  const now = deps.clock.now();
  deps.logger.error('job stored but its message could not be sent; marking it DEAD', { jobId: job.id, reason: deadReason });
  try {
    await deps.store.update(
      job.id,
      { statuses: [job.status] },
      {
        status: JOB_STATUS.DEAD,
        deadReason,
        pendingSchedule: null,
        finishedAt: isoAt(now),
        expiresAt: expiryFor(job, JOB_STATUS.DEAD, now, deps.config),
      },
      now,
    );
    return true;
  } catch (error) {
    deps.logger.error('could not mark the unsent job DEAD', { jobId: job.id, error: String(error) });
    return false;
  }
}
