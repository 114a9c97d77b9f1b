import { CounterDeltas } from '../domain/counter-deltas.ts';
import { messageFlowOf } from '../domain/queue-message.ts';
import { InvalidStateError, JobNotSentError, SkyForgeError, UnavailableError } from '../domain/errors.ts';
import { JOB_STATUS, type Job, type JobStatus } from '../domain/job.ts';
import { requeueChanges } from '../domain/job-changes.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import type { Dependencies } from './dependencies.ts';
import { markUnsentDead } from './mark-unsent-dead.ts';
import { flushCounters, transitionJob } from './transition-job.ts';

/**
 * The table half of a requeue: DEAD | CANCELLED -> QUEUED. Refused while a cancelled or
 * dead-lettered attempt is still stopping (its lease is live), so attempts never overlap.
 */
async function markRequeued(id: string, resetAttempts: boolean, onlyFrom: JobStatus | undefined, deps: Dependencies): Promise<Job> {
  const { after } = await transitionJob(deps, id, JOB_EVENT.REQUEUE, (job, now) => {
    // Replaying from the dead-letter list: a job that left it meanwhile is not there any more.
    if (onlyFrom && job.status !== onlyFrom) throw new InvalidStateError(JOB_EVENT.REQUEUE, job.status, `job ${id} is ${job.status}, not ${onlyFrom}`);
    return { changes: requeueChanges(resetAttempts), noLiveLeaseAt: now };
  });
  return after;
}

/**
 * DEAD | CANCELLED -> QUEUED (POST /jobs/{id}/retry, dead-letter replay), then its message.
 * Without resetAttempts an exhausted job gets exactly one more attempt.
 */
export async function requeueJob(
  id: string,
  options: { resetAttempts: boolean; onlyFrom?: JobStatus },
  deps: Dependencies,
): Promise<Job> {
  const after = await markRequeued(id, options.resetAttempts, options.onlyFrom, deps);
  const [failure] = await deps.queue.enqueue([{ jobId: after.id, priority: after.priority, delaySeconds: 0, timeoutMs: after.timeoutMs, ...messageFlowOf(after) }]);
  if (failure) {
    // Back where it was (DEAD, replayable), so the request changed nothing.
    await revertToDead(after, failure.reason, deps);
    if (!failure.permanent) throw new UnavailableError(`job ${id} could not be queued again yet (${failure.reason}); it stays in the dead-letter list, retry the request`, { jobId: id });
    throw new JobNotSentError(id, 'queued again', failure.reason);
  }
  return after;
}

/**
 * Replays many dead jobs: the table writes run in parallel (bounded), the messages go out in
 * SendMessageBatch calls of 10. A job that moved meanwhile is skipped, not an error.
 */
export async function requeueJobs(jobs: readonly Job[], deps: Dependencies, concurrency = 16): Promise<Job[]> {
  const requeued: Job[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++] as Job;
      try {
        requeued.push(await markRequeued(job.id, true, JOB_STATUS.DEAD, deps));
      } catch (error) {
        if (!(error instanceof SkyForgeError)) throw error;
        deps.logger.info('skipped a job during replay', { jobId: job.id, reason: error.message });
      }
    }
  });
  await Promise.all(workers);
  const failures = await deps.queue.enqueue(requeued.map((j) => ({ jobId: j.id, priority: j.priority, delaySeconds: 0, timeoutMs: j.timeoutMs, ...messageFlowOf(j) })));
  const failed = new Set(failures.map((f) => f.jobId));
  for (const failure of failures) {
    const job = requeued.find((j) => j.id === failure.jobId);
    if (job) await revertToDead(job, failure.reason, deps);
  }
  return requeued.filter((j) => !failed.has(j.id));
}

async function revertToDead(job: Job, reason: string, deps: Dependencies): Promise<void> {
  if (await markUnsentDead(job, `could not be queued again (${reason})`, deps)) {
    const deltas = new CounterDeltas();
    deltas.shift(groupOf(job), job, { status: JOB_STATUS.DEAD });
    await flushCounters(deps, deltas);
  }
}
