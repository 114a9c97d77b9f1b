import type { Job } from '../domain/job.ts';
import { deadChanges } from '../domain/job-changes.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { CounterDeltas } from '../domain/counter-deltas.ts';
import type { Dependencies } from './dependencies.ts';
import { releaseDependents } from './release-dependents.ts';
import { dropPendingSchedule } from './drop-pending-schedule.ts';
import { flushCounters, transitionJob } from './transition-job.ts';

/** Any non-terminal -> DEAD by hand (POST /jobs/{id}/dlq). A RUNNING job is stopped like a cancel. */
export async function deadLetterJob(id: string, reason: string | undefined, deps: Dependencies): Promise<Job> {
  const { before, after } = await transitionJob(deps, id, JOB_EVENT.DEAD_LETTER, (job, now) => ({
    changes: deadChanges(job, {
      at: now,
      retention: deps.config,
      releasesLease: false,
      reason: `moved to the dead-letter list by request: ${reason ?? 'no reason given'}`,
    }),
  }));
  await dropPendingSchedule(before, deps);
  const deltas = new CounterDeltas();
  await releaseDependents(after, deps, deltas);
  await flushCounters(deps, deltas);
  return after;
}
