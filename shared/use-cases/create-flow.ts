import { CounterDeltas } from '../domain/counter-deltas.ts';
import { JobNotSentError, SkyForgeError, UnavailableError } from '../domain/errors.ts';
import { flowItemExpiry, validateFlowGraph, type FlowEntry, type FlowRecord } from '../domain/flow.ts';
import { FlowIdempotencyKeyReusedError } from '../domain/flow-errors.ts';
import { JOB_STATUS, type DependencyFailurePolicy, type Job } from '../domain/job.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import { isoAt } from '../domain/time.ts';
import { canonicalJson, sha256 } from './body-hash.ts';
import { buildJob, type Prepared } from './build-job.ts';
import type { Dependencies } from './dependencies.ts';
import { flowView, type FlowView } from './flow-view.ts';
import { markUnsentDead } from './mark-unsent-dead.ts';
import { releaseDependents } from './release-dependents.ts';
import { markUncounted, sendJobs, type JobRequest, type SendFailure } from './submit-jobs.ts';
import { flushCounters } from './transition-job.ts';

/** One entry of POST /flows (already checked for shape by the HTTP schema). */
export type FlowJobRequest = Omit<JobRequest, 'idempotencyKey'> & {
  ref: string;
  dependsOn?: string[];
  onDependencyFailure?: DependencyFailurePolicy;
};

export interface FlowRequest {
  idempotencyKey?: string;
  jobs: FlowJobRequest[];
}

export type CreateFlowOutcome = { status: 201 | 200; flow: FlowView; replayed: boolean };

/**
 * POST /flows (docs/flows.md). In this order, each step one conditional write per item and safe
 * to repeat: the flow item (the idempotency lock: its id derives from the key), the gate of every
 * job with dependencies, every job item (BLOCKED, or QUEUED/SCHEDULED for the roots), and only
 * then the roots' messages. A crash anywhere leaves nothing running; the same request again
 * (same key) finishes what is missing and sends the roots that never went out.
 */
export async function createFlow(request: FlowRequest, deps: Dependencies): Promise<CreateFlowOutcome> {
  validateFlowGraph(request.jobs.map((j) => ({ ref: j.ref, dependsOn: j.dependsOn ?? [] })));
  const now = deps.clock.now();
  const flowId = request.idempotencyKey ? flowIdForKey(request.idempotencyKey) : deps.newId(now);
  const prepared = prepareJobs(request, flowId, deps, now);
  // Flow and gate items outlive the flow's jobs, counted from its latest delayed root.
  const latestStart = Math.max(0, ...prepared.map(({ job }) => (job.nextRunAt ? Date.parse(job.nextRunAt) - now : 0)));
  const expiresAt = flowItemExpiry(now, deps.config, latestStart);
  const record: FlowRecord = {
    id: flowId,
    createdAt: isoAt(now),
    idempotencyKey: request.idempotencyKey ?? null,
    bodyHash: request.idempotencyKey ? sha256(canonicalJson(request.jobs)) : null,
    jobs: prepared.map(({ entry }) => entry),
    expiresAt,
  };
  const written = await deps.flows.createFlow(record);
  if (!written.created && written.existing.bodyHash !== record.bodyHash) {
    throw new FlowIdempotencyKeyReusedError(request.idempotencyKey ?? '', flowId);
  }
  const flow = written.created ? record : written.existing;
  await Promise.all(
    prepared.filter(({ entry }) => entry.dependsOn.length > 0).map(({ job }) => deps.flows.createGate(job.id, job.dependsOn ?? [], job.onDependencyFailure ?? 'cancel', expiresAt)),
  );
  const stored = await storeFlowJobs(prepared, deps, now);
  const toSend = stored.filter((s) => s.entry.dependsOn.length === 0 && (s.created || waitingForFirstMessage(s.job)));
  const failed = await sendJobs(toSend, deps);
  if (failed.size > 0) await handleUnsentRoots(toSend, failed, request, deps);
  return { status: written.created ? 201 : 200, replayed: !written.created, flow: flowView(flow, stored.map((s) => s.job)) };
}

/** The flow's id: from its idempotency key (so a retry finds the same flow), else a new ULID. */
export function flowIdForKey(key: string): string {
  return `f${sha256(`flow\u0000${key}`).slice(0, 25)}`;
}

type PreparedFlowJob = Prepared & { entry: FlowEntry };

/** Every entry built as a job (registry checks, defaults), with its flow fields; ids derive from the flow's id and the entry's place. */
function prepareJobs(request: FlowRequest, flowId: string, deps: Dependencies, now: number): PreparedFlowJob[] {
  const ids = new Map(request.jobs.map((j, i) => [j.ref, `${flowId}-${i}`]));
  const dependents = new Map<string, string[]>();
  for (const j of request.jobs) for (const dep of j.dependsOn ?? []) dependents.set(dep, [...(dependents.get(dep) ?? []), ids.get(j.ref) as string]);
  return request.jobs.map((entryRequest, index) => {
    const { ref, dependsOn: dependsOnRefs = [], onDependencyFailure = 'cancel', ...body } = entryRequest;
    let built: Prepared;
    try {
      built = buildJob(body, deps, now, { id: ids.get(ref) as string });
      // A root queued at once is counted by its waiting message until its claim counts it.
      if (dependsOnRefs.length === 0) built = markUncounted(built);
    } catch (error) {
      if (error instanceof SkyForgeError) error.message = `jobs.${index} ("${ref}"): ${error.message}`;
      throw error;
    }
    const blocked = dependsOnRefs.length > 0;
    const dependsOn = dependsOnRefs.map((r) => ids.get(r) as string);
    const job: Job = {
      ...built.job,
      status: blocked ? JOB_STATUS.BLOCKED : built.job.status,
      flowId,
      ref,
      dependsOn,
      dependents: dependents.get(ref) ?? [],
      onDependencyFailure,
    };
    const entry: FlowEntry = { ref, jobId: job.id, dependsOn: dependsOnRefs, onDependencyFailure };
    return { ...built, job, event: blocked ? JOB_EVENT.BLOCK : built.event, entry };
  });
}

/** Writes each job item (create if absent); a replay finds the ones written before. */
async function storeFlowJobs(prepared: readonly PreparedFlowJob[], deps: Dependencies, now: number): Promise<(PreparedFlowJob & { created: boolean })[]> {
  const deltas = new CounterDeltas();
  const stored = await Promise.all(
    prepared.map(async (p) => {
      const result = await deps.store.create(p.job, p.event, now);
      if (result.created) deltas.shift(groupOf(result.job), null, result.job);
      return { ...p, job: result.created ? result.job : result.existing, created: result.created };
    }),
  );
  await flushCounters(deps, deltas);
  return stored;
}

/** A root whose message may never have gone out (the request that made it answered an error). */
function waitingForFirstMessage(job: Job): boolean {
  return (job.status === JOB_STATUS.QUEUED || job.status === JOB_STATUS.SCHEDULED) && job.attempts === 0;
}

/**
 * Roots whose message could not be sent. A passing failure with an idempotency key: the flow stays
 * as stored and the same request again sends them (503). Otherwise the root is marked DEAD with the
 * reason and its dependents cancelled, so the flow is FAILED and POST /flows/{id}/retry restarts it.
 */
async function handleUnsentRoots(sent: readonly PreparedFlowJob[], failed: Map<string, SendFailure>, request: FlowRequest, deps: Dependencies): Promise<never> {
  const transient = [...failed.values()].every((f) => !f.permanent);
  const [firstId, first] = [...failed.entries()][0] as [string, SendFailure];
  if (transient && request.idempotencyKey) {
    throw new UnavailableError(`the flow is stored but ${failed.size} of its jobs could not be ${first.what} yet (${first.reason}); send the same request again`, {
      jobId: firstId,
    });
  }
  const deltas = new CounterDeltas();
  for (const { job } of sent.filter((p) => failed.has(p.job.id))) {
    const reason = `could not be ${first.what} (${failed.get(job.id)?.reason}); retry the flow with POST /flows/${job.flowId}/retry`;
    if (await markUnsentDead(job, reason, deps)) {
      deltas.shift(groupOf(job), job, { status: JOB_STATUS.DEAD });
      await releaseDependents({ ...job, status: JOB_STATUS.DEAD }, deps, deltas);
    }
  }
  await flushCounters(deps, deltas);
  if (transient) throw new UnavailableError(`the flow's jobs could not be ${first.what} (${first.reason}); it is FAILED, retry it with POST /flows/{id}/retry`, { jobId: firstId });
  throw new JobNotSentError(firstId, first.what === 'scheduled' ? 'scheduled' : 'queued', first.reason);
}
