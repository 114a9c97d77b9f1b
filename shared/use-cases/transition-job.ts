import { CounterDeltas } from '../domain/counter-deltas.ts';
import { InvalidStateError, JobNotFoundError, StaleJobStateError } from '../domain/errors.ts';
import type { Job } from '../domain/job.ts';
import type { JobChanges } from '../domain/job-changes.ts';
import { canTransition, type JobEvent } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import type { Dependencies } from './dependencies.ts';

/** An operator's event: what it writes, decided from the job as read. */
export interface TransitionPlan {
  changes: JobChanges;
  /** The job may hold no live lease at this instant (a requeue waits for a stopping attempt). */
  noLiveLeaseAt?: number;
}

type OperatorEvent = Exclude<JobEvent, 'DELETE'>;

/**
 * Applies an operator's event (cancel, dead-letter, requeue) with optimistic concurrency: read
 * the job, check the lifecycle table, and perform the event on the condition that the status is
 * still the one read. If the job moved meanwhile, decide again from its new state (a few rounds).
 */
export async function transitionJob(
  deps: Pick<Dependencies, 'store' | 'counters' | 'metrics' | 'clock' | 'logger'>,
  id: string,
  event: OperatorEvent,
  plan: (job: Job, nowMs: number) => TransitionPlan,
): Promise<{ before: Job; after: Job }> {
  for (let round = 0; round < 5; round += 1) {
    const now = deps.clock.now();
    const read = await deps.store.get(id, now);
    if (!read) throw new JobNotFoundError(id);
    if (!canTransition(read.status, event)) throw new InvalidStateError(event, read.status);
    const { changes, noLiveLeaseAt } = plan(read, now);
    try {
      const request = { event, from: read.status, changes, ...(noLiveLeaseAt !== undefined ? { noLiveLeaseAt } : {}) };
      const { before, after } = await deps.store.transition(id, request, now);
      const deltas = new CounterDeltas();
      deltas.shift(groupOf(before), before, after);
      await flushCounters(deps, deltas);
      return { before, after };
    } catch (error) {
      if (!(error instanceof StaleJobStateError)) throw error;
      const current = error.current as Job | null;
      if (current && current.status === read.status && noLiveLeaseAt !== undefined) {
        throw new InvalidStateError(event, current.status, `job ${id} is still stopping its last attempt; try again in a few seconds`);
      }
    }
  }
  throw new InvalidStateError(event, 'CHANGING', `job ${id} kept changing; try again`);
}

/**
 * Writes a request's or batch's deltas to the counters (Prometheus) and the metrics sink (EMF):
 * one call for both, so the two never disagree. Counters never fail the operation that produced
 * them: a lost delta is logged, not thrown.
 */
export async function flushCounters(deps: Pick<Dependencies, 'counters' | 'metrics' | 'logger'>, deltas: CounterDeltas): Promise<void> {
  if (deltas.isEmpty) return;
  deps.metrics.publish(deltas);
  try {
    await deps.counters.add(deltas);
  } catch (error) {
    deps.logger.warn('could not update job counters', { error: String(error), deltas: deltas.entries() });
  }
}
