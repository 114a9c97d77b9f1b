import type { Job } from '../domain/job.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * Frees the parallelism slot of a job whose attempt's outcome was just written. A failure only
 * delays the slot until the attempt's lease ends (an expired lease frees its slot), so it is
 * logged, never thrown.
 */
export async function releaseFlowSlots(job: Pick<Job, 'id' | 'flowControl'>, deps: Dependencies): Promise<void> {
  if (job.flowControl?.parallelism === undefined) return;
  try {
    await deps.flowControl.releaseSlot(job.flowControl.key, job.id);
  } catch (error) {
    deps.logger.warn('could not free a parallelism slot; it frees when its lease ends', { jobId: job.id, key: job.flowControl.key, error: String(error) });
  }
}
