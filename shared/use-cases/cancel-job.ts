import type { Job } from '../domain/job.ts';
import { cancelledChanges } from '../domain/job-changes.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { CounterDeltas } from '../domain/counter-deltas.ts';
import type { Dependencies } from './dependencies.ts';
import { releaseDependents } from './release-dependents.ts';
import { dropPendingSchedule } from './drop-pending-schedule.ts';
import { flushCounters, transitionJob } from './transition-job.ts';

/**
 * BLOCKED | SCHEDULED | QUEUED | RETRYING | RUNNING -> CANCELLED. A pending message is dropped by the worker
 * when it finds the job cancelled. A RUNNING job keeps its lease: the worker notices within
 * SKYFORGE_CANCEL_POLL_MS, fires the handler's AbortSignal, discards any result and releases
 * the lease (RELEASE); until then the job cannot be retried (so two attempts never overlap).
 */
export async function cancelJob(id: string, reason: string | undefined, deps: Dependencies): Promise<Job> {
  const { before, after } = await transitionJob(deps, id, JOB_EVENT.CANCEL, (job, now) => ({
    changes: cancelledChanges(job, { at: now, retention: deps.config, releasesLease: false, reason: reason ?? 'cancelled by request' }),
  }));
  await dropPendingSchedule(before, deps);
  // A flow job's dependents follow their policy (cancel cascades, run runs).
  const deltas = new CounterDeltas();
  await releaseDependents(after, deps, deltas);
  await flushCounters(deps, deltas);
  return after;
}
