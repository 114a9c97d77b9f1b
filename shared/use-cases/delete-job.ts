import { CounterDeltas } from '../domain/counter-deltas.ts';
import { InvalidStateError, JobNotFoundError, StaleJobStateError } from '../domain/errors.ts';
import { isTerminal, type Job } from '../domain/job.ts';
import { canTransition, JOB_EVENT } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import type { Dependencies } from './dependencies.ts';
import { dropPendingSchedule } from './drop-pending-schedule.ts';
import { flushCounters } from './transition-job.ts';
import { releaseDependents } from './release-dependents.ts';

/**
 * Deletes a job in any state but RUNNING, with its pending one-time schedule. Its pending SQS
 * message, if any, is dropped by the worker when it finds no job (messages carry only the id).
 */
export async function deleteJob(id: string, deps: Dependencies): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    const now = deps.clock.now();
    const job = await deps.store.get(id, now);
    if (!job) throw new JobNotFoundError(id);
    if (!canTransition(job.status, JOB_EVENT.DELETE)) throw new InvalidStateError(JOB_EVENT.DELETE, job.status);
    try {
      const { before } = await deps.store.transition(id, { event: JOB_EVENT.DELETE, from: job.status }, now);
      await dropPendingSchedule(job, deps);
      const deltas = new CounterDeltas();
      deltas.shift(groupOf(before), before, null);
      // A deleted flow job counts as a dependency that did not succeed.
      if (!isTerminal(job.status)) await releaseDependents({ ...job, status: null }, deps, deltas);
      await flushCounters(deps, deltas);
      return;
    } catch (error) {
      if (!(error instanceof StaleJobStateError)) throw error;
      if (!(error.current as Job | null)) throw new JobNotFoundError(id);
    }
  }
  throw new InvalidStateError(JOB_EVENT.DELETE, 'CHANGING', `job ${id} kept changing; try again`);
}
