import { JOB_STATUS } from '../domain/job.ts';
import { groupOf } from '../domain/metrics.ts';
import { jobIdForFiring } from './body-hash.ts';
import type { Dependencies } from './dependencies.ts';
import type { BatchContext, MessageOutcome } from './message-outcome.ts';
import { buildJob } from './build-job.ts';
import { newTrace } from '../domain/trace-context.ts';

/**
 * A recurring schedule fired: create the firing's job (its id derives from the schedule and the
 * scheduled time, so a duplicate delivery finds it instead of making another). The worker then
 * runs it on this very message, saving a round trip through the queue.
 */
export async function createFiringJob(
  message: { scheduleName: string; scheduledAt: string },
  deps: Dependencies,
  batch: BatchContext,
): Promise<{ jobId: string } | MessageOutcome> {
  const schedule = await deps.schedules.get(message.scheduleName);
  if (!schedule) return { action: 'ack', note: `schedule ${message.scheduleName} no longer exists` };
  if (!schedule.enabled) return { action: 'ack', note: `schedule ${message.scheduleName} is paused` };
  const now = deps.clock.now();
  const jobId = jobIdForFiring(schedule.name, message.scheduledAt);
  // Each firing starts a trace of its own (no API request came before it); the job's
  // scheduleName links it to its schedule (docs/tracing.md).
  const { job, event } = buildJob(schedule.job, deps, now, { id: jobId, scheduleName: schedule.name, lenient: true, trace: newTrace() });
  const created = await deps.store.create({ ...job, runAt: message.scheduledAt }, event, now);
  if (created.created) batch.deltas.move(groupOf(job), null, JOB_STATUS.QUEUED);
  return { jobId };
}
