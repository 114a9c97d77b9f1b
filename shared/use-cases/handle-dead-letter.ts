import { StaleJobStateError } from '../domain/errors.ts';
import { appendHistory, isTerminal, JOB_STATUS, lostAttempt, type Job } from '../domain/job.ts';
import { isoAt } from '../domain/time.ts';
import type { CounterDeltas } from '../domain/counter-deltas.ts';
import { jobIdForFiring } from './body-hash.ts';
import type { Dependencies } from './dependencies.ts';
import { buildJob } from './submit-jobs.ts';
import { groupOf } from './transition-job.ts';
import type { MessageOutcome } from './run-job.ts';
import { expiryFor } from './retention.ts';

/**
 * A message reached an SQS dead-letter queue: it was received maxReceiveCount times without
 * being deleted (the worker crashed, its function timed out or was throttled). The table is the
 * truth, so the job is marked DEAD with that reason, where /dlq lists it and replay works.
 * A job still running under a live lease is left alone (its message is kept to check again).
 */
export async function handleDeadLetter(
  message: { jobId: string; receiveCount: number; queue: string },
  deps: Dependencies,
  deltas: CounterDeltas,
): Promise<MessageOutcome> {
  for (let round = 0; round < 3; round += 1) {
    const now = deps.clock.now();
    const job = await deps.store.get(message.jobId, now);
    if (!job) return { action: 'ack', note: 'job no longer exists' };
    if (isTerminal(job.status)) return { action: 'ack', note: `job is already ${job.status}` };
    if (job.status === JOB_STATUS.RUNNING && (job.leaseUntil ?? 0) >= now) {
      return { action: 'keep', note: 'job is running under a live lease' };
    }
    const reason =
      message.queue === 'schedule'
        ? 'EventBridge Scheduler could not deliver its message to the queue after every retry (schedule dead-letter queue)'
        : `its message was delivered the maximum number of times on the ${message.queue} queue without finishing ` +
          '(the worker crashed, its function timed out, or it was throttled) and SQS moved it to the dead-letter queue';
    try {
      await deps.store.update(
        job.id,
        { statuses: [job.status], leaseToken: job.leaseToken },
        {
          status: JOB_STATUS.DEAD,
          deadReason: reason,
          nextRunAt: null,
          pendingSchedule: null,
          leaseToken: null,
          leaseUntil: null,
          finishedAt: isoAt(now),
          expiresAt: expiryFor(job, JOB_STATUS.DEAD, now, deps.config),
          ...(job.status === JOB_STATUS.RUNNING ? { history: appendHistory(job.history, lostAttempt(job, isoAt(now))) } : {}),
        },
        now,
      );
      deltas.move(groupOf(job), job.status, JOB_STATUS.DEAD);
      deps.logger.warn('job dead-lettered by SQS redrive', {
        jobId: job.id,
        type: job.type,
        queue: message.queue,
        dlqReceiveCount: message.receiveCount,
        reason,
      });
      return { action: 'ack', note: 'marked DEAD' };
    } catch (error) {
      if (!(error instanceof StaleJobStateError)) throw error;
    }
  }
  return { action: 'keep', note: 'job kept changing; will look again' };
}

/**
 * A recurring schedule's firing that Scheduler could not deliver: the job it would have made is
 * created DEAD with the reason, so the missed run shows in /dlq and can be replayed.
 */
export async function handleDeadFiring(
  message: { scheduleName: string; scheduledAt: string },
  deps: Dependencies,
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
  const dead: Job = {
    ...job,
    status: JOB_STATUS.DEAD,
    runAt: message.scheduledAt,
    deadReason: `EventBridge Scheduler could not deliver the firing of ${message.scheduledAt} after every retry`,
    finishedAt: isoAt(now),
    expiresAt: expiryFor(job, JOB_STATUS.DEAD, now, deps.config),
  };
  const created = await deps.store.create(dead, now);
  if (created.created) deltas.move(groupOf(dead), null, JOB_STATUS.DEAD);
  deps.logger.warn('a schedule firing was not delivered; recorded as a DEAD job', { schedule: schedule.name, at: message.scheduledAt, jobId: job.id });
  return { action: 'ack', note: created.created ? 'firing recorded as DEAD' : 'firing already has its job' };
}
