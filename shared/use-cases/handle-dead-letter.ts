import type { CounterDeltas } from '../domain/counter-deltas.ts';
import { traceIdOf } from '../domain/trace-context.ts';
import { StaleJobStateError } from '../domain/errors.ts';
import { appendHistory, isTerminal, JOB_STATUS, lostAttempt } from '../domain/job.ts';
import { applyChanges, deadChanges } from '../domain/job-changes.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import { isoAt } from '../domain/time.ts';
import { jobIdForFiring } from './body-hash.ts';
import type { Dependencies } from './dependencies.ts';
import type { MessageOutcome } from './message-outcome.ts';
import { buildJob } from './build-job.ts';
import { releaseDependents } from './release-dependents.ts';

/**
 * A message reached an SQS dead-letter queue: it was received maxReceiveCount times without
 * being deleted (the worker crashed, its function timed out or was throttled). The table is the
 * truth, so the job is marked DEAD with that reason, where /dlq lists it and replay works.
 * A job still running under a live lease is left alone (its message is kept to check again).
 */
export async function handleDeadLetter(
  message: { jobId: string; receiveCount: number; queue: string },
  deps: Pick<Dependencies, 'clock' | 'store' | 'config' | 'logger' | 'flows' | 'queue'>,
  deltas: CounterDeltas,
): Promise<MessageOutcome> {
  for (let round = 0; round < 3; round += 1) {
    const now = deps.clock.now();
    const job = await deps.store.get(message.jobId, now);
    if (!job) return { action: 'ack', note: 'job no longer exists' };
    if (isTerminal(job.status)) {
      await releaseDependents(job, deps, deltas, { redelivered: true });
      return { action: 'ack', note: `job is already ${job.status}` };
    }
    if (job.status === JOB_STATUS.RUNNING && (job.leaseUntil ?? 0) >= now) {
      return { action: 'keep', note: 'job is running under a live lease' };
    }
    const reason = deadLetterReason(message.queue);
    const history = job.status === JOB_STATUS.RUNNING ? appendHistory(job.history, lostAttempt(job, isoAt(now))) : undefined;
    const changes = deadChanges(job, { at: now, retention: deps.config, releasesLease: true, reason, ...(history ? { history } : {}) });
    try {
      const written = await deps.store.transition(job.id, { event: JOB_EVENT.DEAD_LETTER, from: job.status, leaseToken: job.leaseToken, changes }, now);
      deltas.shift(groupOf(job), written.before, written.after);
      await releaseDependents({ ...job, status: JOB_STATUS.DEAD }, deps, deltas, { redelivered: true });
      deps.logger.warn('job dead-lettered by SQS redrive', {
        jobId: job.id,
        type: job.type,
        queue: message.queue,
        dlqReceiveCount: message.receiveCount,
        reason,
        traceId: traceIdOf(job.traceparent),
      });
      return { action: 'ack', note: 'marked DEAD' };
    } catch (error) {
      if (!(error instanceof StaleJobStateError)) throw error;
    }
  }
  return { action: 'keep', note: 'job kept changing; will look again' };
}

function deadLetterReason(queue: string): string {
  return queue === 'schedule'
    ? 'EventBridge Scheduler could not deliver its message to the queue after every retry (schedule dead-letter queue)'
    : `its message was delivered the maximum number of times on the ${queue} queue without finishing ` +
        '(the worker crashed, its function timed out, or it was throttled) and SQS moved it to the dead-letter queue';
}

/**
 * A recurring schedule's firing that Scheduler could not deliver: the job it would have made is
 * created DEAD with the reason (MISSED_FIRING), so the missed run shows in /dlq and can be replayed.
 */
export async function handleDeadFiring(
  message: { scheduleName: string; scheduledAt: string },
  deps: Pick<Dependencies, 'schedules' | 'clock' | 'store' | 'config' | 'logger' | 'registry' | 'newId'>,
  deltas: CounterDeltas,
): Promise<MessageOutcome> {
  const schedule = await deps.schedules.get(message.scheduleName);
  if (!schedule) return { action: 'ack', note: `schedule ${message.scheduleName} no longer exists` };
  const now = deps.clock.now();
  const { job } = buildJob(schedule.job, deps, now, {
    id: jobIdForFiring(schedule.name, message.scheduledAt),
    scheduleName: schedule.name,
    lenient: true,
  });
  const reason = `EventBridge Scheduler could not deliver the firing of ${message.scheduledAt} after every retry`;
  const dead = applyChanges(
    { ...job, runAt: message.scheduledAt },
    deadChanges(job, { at: now, retention: deps.config, releasesLease: true, reason }),
    isoAt(now),
  );
  const created = await deps.store.create(dead, JOB_EVENT.MISSED_FIRING, now);
  if (created.created) deltas.move(groupOf(dead), null, JOB_STATUS.DEAD);
  deps.logger.warn('a schedule firing was not delivered; recorded as a DEAD job', { schedule: schedule.name, at: message.scheduledAt, jobId: job.id });
  return { action: 'ack', note: created.created ? 'firing recorded as DEAD' : 'firing already has its job' };
}
