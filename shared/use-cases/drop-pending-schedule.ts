import type { Job } from '../domain/job.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * Removes the one-time schedule that would have made a job due, once the job no longer waits
 * for it (cancelled, dead-lettered, deleted). Best effort: if it fails, the schedule still fires
 * and the worker drops the message, because the job is no longer claimable.
 */
export async function dropPendingSchedule(job: Pick<Job, 'id' | 'pendingSchedule'>, deps: Pick<Dependencies, 'scheduler' | 'logger'>): Promise<void> {
  if (!job.pendingSchedule) return;
  try {
    await deps.scheduler.remove(job.pendingSchedule);
  } catch (error) {
    deps.logger.warn('could not remove the job’s pending schedule; its firing will be ignored', {
      jobId: job.id,
      schedule: job.pendingSchedule,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
