import { LIMITS } from '../domain/job-defaults.ts';
import { JOB_STATUS, type Job } from '../domain/job.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { isoAt } from '../domain/time.ts';
import type { Dependencies } from './dependencies.ts';
import { expiryFor } from './retention.ts';
import { dropPendingSchedule } from './drop-pending-schedule.ts';
import { transitionJob } from './transition-job.ts';

/** Any non-terminal -> DEAD by hand (POST /jobs/{id}/dlq). A RUNNING job is stopped like a cancel. */
export async function deadLetterJob(id: string, reason: string | undefined, deps: Dependencies): Promise<Job> {
  const { before, after } = await transitionJob(deps, id, JOB_EVENT.DEAD_LETTER, (job, now) => ({
    changes: {
      status: JOB_STATUS.DEAD,
      deadReason: `moved to the dead-letter list by request: ${reason ?? 'no reason given'}`.slice(0, LIMITS.maxReasonLength),
      nextRunAt: null,
      pendingSchedule: null,
      finishedAt: isoAt(now),
      expiresAt: expiryFor(job, JOB_STATUS.DEAD, now, deps.config),
    },
  }));
  await dropPendingSchedule(before, deps);
  return after;
}
