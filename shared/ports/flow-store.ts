import type { FlowRecord } from '../domain/flow.ts';
import type { DependencyFailurePolicy } from '../domain/job.ts';

/** The gate of a dependent job after a dependency was counted (or found already counted). */
export interface GateCount {
  /** False: this dependency had been counted before (a duplicate delivery or a re-run release). */
  counted: boolean;
  remaining: number;
  /** Counted dependencies that did not succeed, and the first of them. */
  failures: number;
  failedDependency: string | null;
  policy: DependencyFailurePolicy;
}

/**
 * Flow items and gate items (docs/flows.md), on the job table. Every write is one conditional
 * single-item write.
 */
export interface FlowStore {
  /** Puts the flow item unless one with its id exists; then answers the existing one. */
  createFlow(flow: FlowRecord): Promise<{ created: true } | { created: false; existing: FlowRecord }>;
  getFlow(id: string): Promise<FlowRecord | null>;
  /** Puts a dependent's gate unless it exists (a replayed create never resets a gate already counted down). expiresAt: TTL, epoch seconds. */
  createGate(jobId: string, dependencies: readonly string[], policy: DependencyFailurePolicy, expiresAt: number): Promise<void>;
  /** POST /flows/{id}/retry, or a gate rebuilt: the gate waits for exactly these dependencies (again). */
  resetGate(jobId: string, pending: readonly string[], policy: DependencyFailurePolicy, expiresAt: number): Promise<void>;
  /** Counts a finished dependency once (failed: it did not succeed) and moves the gate's TTL to expiresAt; null when the job has no gate. */
  countDependency(jobId: string, dependencyId: string, failed: boolean, expiresAt: number): Promise<GateCount | null>;
}
