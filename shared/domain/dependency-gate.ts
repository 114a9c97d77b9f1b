import { JOB_STATUS, type DependencyFailurePolicy, type JobStatus } from './job.ts';

/**
 * The gate of a dependent job (docs/flows.md): how many of its dependencies have not finished,
 * which ones, and how many of the finished ones failed. The store performs `countDependency` as
 * one conditional write (`ADD remaining -1, failures :f DELETE pending :dep` under
 * `contains(pending, :dep)`); this pure model of it is what the unit tests check with tables.
 */
export interface GateState {
  remaining: number;
  pending: ReadonlySet<string>;
  /** Finished dependencies that did not succeed (DEAD, CANCELLED, deleted). */
  failures: number;
  /** The first of them, named in the dependent's cancelReason. */
  failedDependency: string | null;
}

export function newGate(dependencies: readonly string[]): GateState {
  return { remaining: dependencies.length, pending: new Set(dependencies), failures: 0, failedDependency: null };
}

/**
 * Counts a finished dependency once: a second delivery of the same dependency's message finds
 * it no longer pending and changes nothing (counted: false).
 */
export function countDependency(gate: GateState, dependencyId: string, failed: boolean): { counted: boolean; gate: GateState } {
  if (!gate.pending.has(dependencyId)) return { counted: false, gate };
  const pending = new Set(gate.pending);
  pending.delete(dependencyId);
  return {
    counted: true,
    gate: {
      remaining: gate.remaining - 1,
      pending,
      failures: gate.failures + (failed ? 1 : 0),
      failedDependency: gate.failedDependency ?? (failed ? dependencyId : null),
    },
  };
}

/** What a finished dependency does to one dependent, decided from the gate after counting it. */
export type ReleaseAction = 'cancel' | 'unblock' | 'wait';

/** DEAD, CANCELLED or gone (null): the dependency did not succeed. */
export function dependencyFailed(status: JobStatus | null): boolean {
  return status !== JOB_STATUS.SUCCEEDED;
}

/**
 * Decided from the gate as the count left it, so two dependencies finishing at once (one failed,
 * one succeeded) agree, whichever counts last:
 * - a dependency failed and the policy is `cancel`: the dependent is cancelled at once, without
 *   waiting for its other dependencies;
 * - otherwise, once nothing remains: the dependent is queued (a `run` dependent sees the failure
 *   in ctx.dependencies);
 * - otherwise it waits.
 */
export function decideRelease(gate: { remaining: number; failures: number }, policy: DependencyFailurePolicy): ReleaseAction {
  if (gate.failures > 0 && policy === 'cancel') return 'cancel';
  return gate.remaining <= 0 ? 'unblock' : 'wait';
}
