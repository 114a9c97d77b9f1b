import { InvalidStateError, JobNotFoundError, StaleJobStateError } from '../domain/errors.ts';
import type { Job } from '../domain/job.ts';
import type { MetricGroup } from '../domain/metrics.ts';
import { canTransition, type JobEvent } from '../domain/lifecycle.ts';
import { CounterDeltas } from '../domain/counter-deltas.ts';
import type { JobChanges, WriteGuard } from '../ports/job-store.ts';
import type { Dependencies } from './dependencies.ts';

export interface TransitionPlan {
  changes: JobChanges;
  /** Extra conditions on top of "still in the status we read". */
  guard?: Omit<WriteGuard, 'statuses'>;
}

/**
 * Applies an operator's transition (cancel, dead-letter, requeue) with optimistic concurrency:
 * read the job, check the lifecycle table, write on the condition that the status is still the
 * one read. If the job moved meanwhile, decide again from its new state (a few rounds).
 */
export async function transitionJob(
  deps: Pick<Dependencies, 'store' | 'counters' | 'metrics' | 'clock' | 'logger'>,
  id: string,
  event: JobEvent,
  plan: (job: Job, nowMs: number) => TransitionPlan,
): Promise<{ before: Job; after: Job }> {
  for (let round = 0; round < 5; round += 1) {
    const now = deps.clock.now();
    const before = await deps.store.get(id, now);
    if (!before) throw new JobNotFoundError(id);
    if (!canTransition(before.status, event)) throw new InvalidStateError(event, before.status);
    const { changes, guard } = plan(before, now);
    try {
      const after = await deps.store.update(id, { ...guard, statuses: [before.status] }, changes, now);
      const deltas = new CounterDeltas();
      deltas.move(groupOf(before), before.status, after.status);
      await flushCounters(deps, deltas);
      return { before, after };
    } catch (error) {
      if (!(error instanceof StaleJobStateError)) throw error;
      const current = error.current as Job | null;
      if (current && current.status === before.status && guard?.noLiveLeaseAt !== undefined) {
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

/** The (queue, type) a job's counters belong to. */
export function groupOf(job: Pick<Job, 'priority' | 'type'>): MetricGroup {
  return { queue: job.priority, type: job.type };
}
