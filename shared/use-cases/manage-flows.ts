import { CounterDeltas } from '../domain/counter-deltas.ts';
import { InvalidStateError, SkyForgeError } from '../domain/errors.ts';
import type { FlowRecord } from '../domain/flow.ts';
import { FlowNotFoundError } from '../domain/flow-errors.ts';
import { isTerminal, JOB_STATUS, type Job, type JobStatus } from '../domain/job.ts';
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
export async function cancelFlow(id: string, deps: Dependencies): Promise<FlowView> {
  const { jobs } = await readFlow(id, deps);
  await Promise.all(
    jobs
      .filter((job) => !isTerminal(job.status))
      .map(async (job) => {
        try {
          await cancelJob(job.id, `flow ${id} cancelled by request`, deps);
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
 * POST /flows/{id}/retry: the DEAD jobs are replayed (attempts reset) and every job the cascade
 * cancelled goes back to BLOCKED, its gate waiting again for each dependency that has not
 * succeeded. Order: gates, then BLOCKED, then the replayed jobs' messages, so nothing can finish
 * before the gates it counts on are restored. A dependency cancelled by request stays cancelled
 * and counts again at once (its dependents follow their policy once more).
 */
export async function retryFlow(id: string, deps: Dependencies): Promise<FlowView> {
  const { flow, jobs } = await readFlow(id, deps);
  const dead = jobs.filter((job) => job.status === JOB_STATUS.DEAD);
  const cascaded = jobs.filter((job) => job.status === JOB_STATUS.CANCELLED && job.cancelledByDependency);
  if (dead.length === 0 && cascaded.length === 0) return flowView(flow, jobs);
  const statusAfter = new Map<string, JobStatus>(jobs.map((job) => [job.id, job.status]));
  for (const job of dead) statusAfter.set(job.id, JOB_STATUS.QUEUED);
  for (const job of cascaded) statusAfter.set(job.id, JOB_STATUS.BLOCKED);
  await Promise.all(
    cascaded.map(async (job) => {
      const pending = (job.dependsOn ?? []).filter((dep) => statusAfter.get(dep) !== JOB_STATUS.SUCCEEDED);
      await deps.flows.resetGate(job.id, pending, job.onDependencyFailure ?? 'cancel');
      await transitionJob(deps, job.id, JOB_EVENT.REBLOCK, () => ({ changes: { ...requeueChanges(false), cancelledByDependency: null } }));
    }),
  );
  const deltas = new CounterDeltas();
  const replays = await Promise.allSettled(dead.map((job) => requeueJob(job.id, { resetAttempts: true }, deps)));
  const failures = replays.flatMap((r, i) => (r.status === 'rejected' ? [[dead[i] as Job, r.reason as unknown] as const] : []));
  // A replay that could not be sent is DEAD again; dependencies cancelled by request count again at once.
  const recount = [
    ...failures.map(([job]) => ({ ...job, status: JOB_STATUS.DEAD })),
    ...jobs.filter((job) => job.status === JOB_STATUS.CANCELLED && !job.cancelledByDependency),
  ];
  await Promise.all(recount.map((job) => releaseDependents(job, deps, deltas)));
  await flushCounters(deps, deltas);
  if (failures[0]) throw failures[0][1] instanceof Error ? failures[0][1] : new InvalidStateError('REQUEUE', 'DEAD', String(failures[0][1]));
  return getFlow(id, deps);
}
