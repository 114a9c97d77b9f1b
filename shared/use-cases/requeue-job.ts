import { SkyForgeError } from '../domain/errors.ts';
import { JOB_STATUS, type Job, type JobStatus } from '../domain/job.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import type { JobChanges } from '../ports/job-store.ts';
import type { Dependencies } from './dependencies.ts';
import { markUnsentDead } from './mark-unsent-dead.ts';
import { CounterDeltas } from '../domain/counter-deltas.ts';
import { flushCounters, groupOf, transitionJob } from './transition-job.ts';

/** What a requeue writes: back to QUEUED with every trace of the last ending cleared. */
function requeueChanges(resetAttempts: boolean): JobChanges {
  return {
    status: JOB_STATUS.QUEUED,
    ...(resetAttempts ? { attempts: 0 } : {}),
    nextRunAt: null,
    finishedAt: null,
    deadReason: null,
    cancelReason: null,
    expiresAt: null,
    leaseToken: null,
    leaseUntil: null,
  };
}

/**
 * The table half of a requeue: DEAD | CANCELLED -> QUEUED. Refused while a cancelled or
 * dead-lettered attempt is still stopping (its lease is live), so attempts never overlap.
 */
async function markRequeued(id: string, resetAttempts: boolean, onlyFrom: JobStatus | undefined, deps: Dependencies): Promise<Job> {
  const { after } = await transitionJob(deps, id, JOB_EVENT.REQUEUE, (job, now) => {
    if (onlyFrom && job.status !== onlyFrom) {
      throw new SkyForgeError('INVALID_STATE', `job ${id} is ${job.status}, not ${onlyFrom}`, { status: job.status });
    }
    return { changes: requeueChanges(resetAttempts), guard: { noLiveLeaseAt: now } };
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
  const failures = await deps.queue.enqueue([{ jobId: after.id, priority: after.priority, delaySeconds: 0 }]);
  if (failures.length > 0) {
    await revertToDead(after, failures[0]?.reason ?? 'send failed', deps);
    throw new SkyForgeError('INTERNAL', `job ${id} could not be queued again; it stays in the dead-letter list`, { jobId: id });
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
  const failures = await deps.queue.enqueue(requeued.map((j) => ({ jobId: j.id, priority: j.priority, delaySeconds: 0 })));
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
    deltas.move(groupOf(job), JOB_STATUS.QUEUED, JOB_STATUS.DEAD);
    await flushCounters(deps, deltas);
  }
}
