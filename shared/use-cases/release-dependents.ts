import type { CounterDeltas } from '../domain/counter-deltas.ts';
import { decideRelease, dependencyFailed } from '../domain/dependency-gate.ts';
import { StaleJobStateError } from '../domain/errors.ts';
import { DependentNotSentError } from '../domain/flow-errors.ts';
import { flowItemExpiry } from '../domain/flow.ts';
import { isTerminal, JOB_STATUS, type Job, type JobStatus } from '../domain/job.ts';
import type { GateCount } from '../ports/flow-store.ts';
import { cancelledChanges } from '../domain/job-changes.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import { messageFlowOf } from '../domain/queue-message.ts';
import type { Dependencies } from './dependencies.ts';
import { markUnsentDead } from './mark-unsent-dead.ts';

/** A flow job that finished (or was deleted: status null), as its dependents need to know it. */
export type FinishedDependency = Pick<Job, 'id'> & { ref?: string | null; dependents?: string[] | null; status: JobStatus | null };

/** What a release reads and writes: the jobs, their gates, their messages. */
export type ReleaseDeps = Pick<Dependencies, 'store' | 'flows' | 'queue' | 'clock' | 'config' | 'logger'>;

/**
 * `redelivered`: the caller's message comes back if the release throws (the worker, the
 * dead-letter consumer), so a dependent whose message could not be sent is left QUEUED and the
 * release throws, to send it on the redelivery. Otherwise (an API request) such a dependent is
 * marked DEAD with the reason and its own dependents follow: visible, and one flow retry away.
 */
export interface ReleaseOptions {
  redelivered: boolean;
}

/**
 * A flow job finished: count it once on each dependent's gate and do what the gate says
 * (domain/dependency-gate.ts): cancel the dependent (and, recursively, its own dependents),
 * queue it and send its message, or let it wait.
 *
 * Idempotent, and driven by the finished job's state, not by who calls: a redelivered message
 * of a finished job runs it again, so a crash anywhere between the job's last write and the
 * dependents' release is finished by the next delivery. A dependency already counted is not
 * counted again; a dependent found QUEUED but never started on such a re-run gets its message
 * again (the send may be what crashed; a duplicate message is harmless, the claim is conditional).
 */
export async function releaseDependents(
  finished: FinishedDependency,
  deps: ReleaseDeps,
  deltas: CounterDeltas,
  options: ReleaseOptions = { redelivered: false },
  seen = new Set<string>(),
): Promise<void> {
  const dependents = finished.dependents ?? [];
  if (dependents.length === 0 || seen.has(finished.id)) return;
  seen.add(finished.id);
  const failed = dependencyFailed(finished.status);
  const context: ReleaseContext = { deps, deltas, options, seen };
  await Promise.all(dependents.map((dependentId) => releaseOne(dependentId, finished, failed, context)));
}

interface ReleaseContext {
  deps: ReleaseDeps;
  deltas: CounterDeltas;
  options: ReleaseOptions;
  seen: Set<string>;
}

/** One dependent: count the finished job on its gate, then cancel it, queue it or let it wait. */
async function releaseOne(dependentId: string, finished: FinishedDependency, failed: boolean, context: ReleaseContext): Promise<void> {
  const { deps, deltas, options, seen } = context;
  const expiresAt = flowItemExpiry(deps.clock.now(), deps.config);
  const gate = (await deps.flows.countDependency(dependentId, finished.id, failed, expiresAt)) ?? (await rebuildGate(dependentId, deps, expiresAt));
  if (!gate) return;
  const action = decideRelease(gate, gate.policy);
  if (action === 'cancel') {
    const cancelled = await cancelDependent(dependentId, gate.failedDependency ?? finished.id, finished, deps, deltas);
    if (cancelled) await releaseDependents(cancelled, deps, deltas, options, seen);
    return;
  }
  if (action === 'wait') return;
  const unsent = await unblockDependent(dependentId, !gate.counted, deps, deltas);
  if (!unsent) return;
  if (options.redelivered) throw new DependentNotSentError(unsent.job.id, unsent.reason);
  const reason = `could not be queued (${unsent.reason}); retry its flow with POST /flows/${unsent.job.flowId}/retry`;
  if (await markUnsentDead(unsent.job, reason, deps)) {
    deltas.shift(groupOf(unsent.job), unsent.job, { status: JOB_STATUS.DEAD });
    await releaseDependents({ ...unsent.job, status: JOB_STATUS.DEAD }, deps, deltas, options, seen);
  }
}

/**
 * A gate that is gone (expired by TTL while its job still waited, or never written): rebuilt from
 * the dependent's dependencies as they stand, unless the dependent no longer waits. Concurrent
 * rebuilds agree: whichever reads last sees every dependency that finished before it.
 */
async function rebuildGate(dependentId: string, deps: ReleaseDeps, expiresAt: number): Promise<GateCount | null> {
  const now = deps.clock.now();
  const dependent = await deps.store.get(dependentId, now);
  if (dependent?.status !== JOB_STATUS.BLOCKED) return null;
  const ids = dependent.dependsOn ?? [];
  const found = new Map((await deps.store.getMany(ids, now)).map((job) => [job.id, job]));
  const pending = ids.filter((id) => {
    const status = found.get(id)?.status;
    return status !== undefined && !isTerminal(status);
  });
  const failed = ids.filter((id) => !pending.includes(id) && dependencyFailed(found.get(id)?.status ?? null));
  const policy = dependent.onDependencyFailure ?? 'cancel';
  deps.logger.warn('dependent job had no gate; rebuilt from its dependencies', { jobId: dependentId, pending: pending.length, failed: failed.length });
  await deps.flows.resetGate(dependentId, pending, policy, expiresAt);
  return { counted: true, remaining: pending.length, failures: failed.length, failedDependency: failed[0] ?? null, policy };
}

/** BLOCKED -> CANCELLED, naming the failed dependency; returns the job when it is (now or already) cancelled by the cascade. */
async function cancelDependent(id: string, failedId: string, finished: FinishedDependency, deps: ReleaseDeps, deltas: CounterDeltas): Promise<Job | null> {
  const now = deps.clock.now();
  const name = failedId === finished.id && finished.ref ? `"${finished.ref}" (${failedId})` : failedId;
  const reason = `dependency ${name} did not succeed (${failedId === finished.id ? (finished.status ?? 'deleted') : 'failed'})`;
  const changes = { ...cancelledChanges({ idempotencyKey: null }, { at: now, retention: deps.config, releasesLease: true, reason }), cancelledByDependency: failedId };
  try {
    const { before, after } = await deps.store.transition(id, { event: JOB_EVENT.CANCEL, from: JOB_STATUS.BLOCKED, changes }, now);
    deltas.shift(groupOf(before), before, after);
    return after;
  } catch (error) {
    if (!(error instanceof StaleJobStateError)) throw error;
    const current = error.current as Job | null;
    // Cancelled by an earlier run of this release: finish its own cascade (a crash may have cut it).
    return current?.status === JOB_STATUS.CANCELLED && current.cancelledByDependency ? current : null;
  }
}

/**
 * BLOCKED -> QUEUED, then its message. On a re-run, a dependent still QUEUED and never started
 * gets its message again. Returns the job whose message could not be sent, if any.
 */
async function unblockDependent(id: string, rerun: boolean, deps: ReleaseDeps, deltas: CounterDeltas): Promise<{ job: Job; reason: string } | null> {
  const now = deps.clock.now();
  let job: Job;
  try {
    // Its message goes out at once: the queue's depth counts it until its claim does.
    const { before, after } = await deps.store.transition(id, { event: JOB_EVENT.UNBLOCK, changes: { uncounted: 'queued' } }, now);
    deltas.shift(groupOf(before), before, after);
    job = after;
  } catch (error) {
    if (!(error instanceof StaleJobStateError)) throw error;
    const current = error.current as Job | null;
    if (!rerun || current?.status !== JOB_STATUS.QUEUED || current.attempts > 0) return null;
    job = current;
  }
  const [failure] = await deps.queue.enqueue([{ jobId: job.id, priority: job.priority, delaySeconds: 0, timeoutMs: job.timeoutMs, ...messageFlowOf(job) }]);
  return failure ? { job, reason: failure.reason } : null;
}
