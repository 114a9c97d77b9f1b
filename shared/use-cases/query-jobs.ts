import { DeadJobNotFoundError, JobNotFoundError } from '../domain/errors.ts';
import { JOB_STATUS, type Job } from '../domain/job.ts';
import type { ListQuery, Page } from '../ports/job-store.ts';
import type { Dependencies } from './dependencies.ts';
import { requeueJob, requeueJobs } from './requeue-job.ts';

export async function getJob(id: string, deps: Dependencies): Promise<Job> {
  const job = await deps.store.get(id, deps.clock.now());
  if (!job) throw new JobNotFoundError(id);
  return job;
}

export function listJobs(query: ListQuery, deps: Dependencies): Promise<Page<Job>> {
  return deps.store.list(query, deps.clock.now());
}

export function listDeadJobs(query: { type?: string; limit: number; cursor?: string }, deps: Dependencies): Promise<Page<Job>> {
  return deps.store.listDead(query, deps.clock.now());
}

export async function getDeadJob(id: string, deps: Dependencies): Promise<Job> {
  const job = await getJob(id, deps);
  if (job.status !== JOB_STATUS.DEAD) throw new DeadJobNotFoundError(id, job.status);
  return job;
}

/** POST /dlq/{id}/replay: DEAD -> QUEUED with attempts reset. */
export function replayDeadJob(id: string, deps: Dependencies): Promise<Job> {
  return requeueJob(id, { resetAttempts: true, onlyFrom: JOB_STATUS.DEAD }, deps);
}

/** POST /dlq/replay: replays up to `limit` dead jobs (optionally of one type), newest death first. */
export async function replayDeadJobs(options: { type?: string; limit: number }, deps: Dependencies): Promise<{ replayed: number }> {
  let replayed = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.listDead(
      { ...(options.type ? { type: options.type } : {}), limit: Math.min(100, options.limit - replayed), ...(cursor ? { cursor } : {}) },
      deps.clock.now(),
    );
    replayed += (await requeueJobs(page.items, deps)).length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && replayed < options.limit);
  return { replayed };
}
