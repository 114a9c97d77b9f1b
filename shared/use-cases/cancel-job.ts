import { LIMITS } from '../domain/job-defaults.ts';
import { JOB_STATUS, type Job } from '../domain/job.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { isoAt } from '../domain/time.ts';
import type { Dependencies } from './dependencies.ts';
import { expiryFor } from './retention.ts';
import { dropPendingSchedule } from './drop-pending-schedule.ts';
import { transitionJob } from './transition-job.ts';

/**
 * SCHEDULED | QUEUED | RETRYING | RUNNING -> CANCELLED. A pending message is dropped by the worker
 * when it finds the job cancelled. A RUNNING job keeps its lease: the worker notices within
 * SKYFORGE_CANCEL_POLL_MS, fires the handler's AbortSignal, discards any result and releases
 * the lease; until then the job cannot be retried (so two attempts never overlap).
 */
export async function cancelJob(id: string, reason: string | undefined, deps: Dependencies): Promise<Job> {
  const { before, after } = await transitionJob(deps, id, JOB_EVENT.CANCEL, (job, now) => ({
    changes: {
      status: JOB_STATUS.CANCELLED,
      cancelReason: (reason ?? 'cancelled by request').slice(0, LIMITS.maxReasonLength),
      nextRunAt: null,
      pendingSchedule: null,
      finishedAt: isoAt(now),
      expiresAt: expiryFor(job, JOB_STATUS.CANCELLED, now, deps.config),
    },
  }));
  await dropPendingSchedule(before, deps);
  return after;
}
