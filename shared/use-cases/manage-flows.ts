import { CounterDeltas } from '../domain/counter-deltas.ts';
import { SkyForgeError } from '../domain/errors.ts';
import { flowItemExpiry, type FlowRecord } from '../domain/flow.ts';
import { FlowNotFoundError } from '../domain/flow-errors.ts';
import { isTerminal, JOB_STATUS, type Job } from '../domain/job.ts';
import { requeueChanges } from '../domain/job-changes.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { cancelJob } from './cancel-job.ts';
import type { Dependencies } from './dependencies.ts';
import { flowView, type FlowView } from './flow-view.ts';
import { releaseDependents } from './release-dependents.ts';
import { requeueJob } from './requeue-job.ts';
import { flushCounters, transitionJob } from './transition-job.ts';

/** The flow item and its jobs (one GetItem, one BatchGetItem of at most 100 keys). */
async function readFlow(id: string, deps: Dependencies): Promise<{ flow: FlowRecord; jobs: Job[] }> {
  const flow = await deps.flows.getFlow(id);
  if (!flow) throw new FlowNotFoundError(id);
  const jobs = await deps.store.getMany(flow.jobs.map((e) => e.jobId), deps.clock.now());
  return { flow, jobs };
}

export async function getFlow(id: string, deps: Dependencies): Promise<FlowView> {
  const { flow, jobs } = await readFlow(id, deps);
  return flowView(flow, jobs);
}

/**
 * POST /flows/{id}/cancel: every unfinished job is cancelled (a running one sees its AbortSignal).
 * Then the release of every finished job runs again, which also finishes a cascade that a crash
 * of an earlier request cut short. A flow with nothing left to cancel answers as it stands.
 */
export async function cancelFlow(id: string, deps: Dependencies, reason?: string): Promise<FlowView> {
  const { jobs } = await readFlow(id, deps);
  await Promise.all(
    jobs
      .filter((job) => !isTerminal(job.status))
      .map(async (job) => {
        try {
          await cancelJob(job.id, reason ?? `flow ${id} cancelled by request`, deps);
        } catch (error) {
          // Finished (or removed) meanwhile: nothing left to cancel.
          if (!(error instanceof SkyForgeError)) throw error;
        }
      }),
  );
  const after = await readFlow(id, deps);
  const deltas = new CounterDeltas();
  await Promise.all(after.jobs.filter((job) => isTerminal(job.status)).map((job) => releaseDependents(job, deps, deltas)));
  await flushCounters(deps, deltas);
  return flowView(after.flow, after.jobs);
}

/**
 * POST /flows/{id}/retry: every DEAD job, and every job the cascade cancelled, starts again. One
 * whose dependencies all SUCCEEDED is replayed at once (QUEUED, attempts reset); any other goes
 * back to BLOCKED (REBLOCK), its gate waiting again for each dependency that has not succeeded, so
 * a replayed job never runs before the jobs it depends on. Order: gates and BLOCKED first, then
 * the replays' messages, so nothing can finish before the gates it counts on are restored. Last,
 * every finished job's release runs again: a dependency cancelled by request (not replayed) counts
 * at once and its dependents follow their policy, and one that finished meanwhile is not lost.
 */
export async function retryFlow(id: string, deps: Dependencies): Promise<FlowView> {
  const { flow, jobs } = await readFlow(id, deps);
  const again = jobs.filter((job) => job.status === JOB_STATUS.DEAD || (job.status === JOB_STATUS.CANCELLED && job.cancelledByDependency));
  if (again.length === 0) return flowView(flow, jobs);
  const succeeded = new Set(jobs.filter((job) => job.status === JOB_STATUS.SUCCEEDED).map((job) => job.id));
  const waitsFor = (job: Job) => (job.dependsOn ?? []).filter((dep) => !succeeded.has(dep));
  await Promise.all(
    again
      .filter((job) => waitsFor(job).length > 0)
      .map(async (job) => {
        await deps.flows.resetGate(job.id, waitsFor(job), job.onDependencyFailure ?? 'cancel', flowItemExpiry(deps.clock.now(), deps.config));
        await transitionJob(deps, job.id, JOB_EVENT.REBLOCK, (_read, now) => ({
          changes: { ...requeueChanges(true), cancelledByDependency: null },
          // A dead-lettered attempt still stopping keeps its lease: wait for it, as a requeue does.
          noLiveLeaseAt: now,
        }));
      }),
  );
  const replays = await Promise.allSettled(again.filter((job) => waitsFor(job).length === 0).map((job) => requeueJob(job.id, { resetAttempts: true }, deps)));
  const after = await readFlow(id, deps);
  const deltas = new CounterDeltas();
  await Promise.all(after.jobs.filter((job) => isTerminal(job.status)).map((job) => releaseDependents(job, deps, deltas)));
  await flushCounters(deps, deltas);
  const failed = replays.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return getFlow(id, deps);
}
