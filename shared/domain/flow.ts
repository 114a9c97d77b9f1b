import { ValidationError } from './errors.ts';
import { JOB_STATUS, type DependencyFailurePolicy, type JobStatus } from './job.ts';
import type { Retention } from './retention.ts';

/** API.md "Flows": at most this many jobs in one flow. */
export const FLOW_LIMITS = { maxJobs: 100, maxRefLength: 64 } as const;

/** A flow's status, derived from its jobs' statuses (never stored). */
export const FLOW_STATUS = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type FlowStatus = (typeof FLOW_STATUS)[keyof typeof FLOW_STATUS];

/** One job of a flow as the flow item records it: its ref, its id, its edges (refs) and policy. */
export interface FlowEntry {
  ref: string;
  jobId: string;
  dependsOn: string[];
  onDependencyFailure: DependencyFailurePolicy;
}

/** The flow item: written first, it names every job of the flow (see docs/flows.md). */
export interface FlowRecord {
  id: string;
  createdAt: string;
  idempotencyKey: string | null;
  /** Hash of the normalized body, to tell a replayed POST /flows from a reuse of its key. */
  bodyHash: string | null;
  jobs: FlowEntry[];
  /** DynamoDB TTL, epoch seconds (see flowItemExpiry). */
  expiresAt: number | null;
}

/**
 * When a flow item or a gate item expires (DynamoDB TTL, epoch seconds): twice the dead-job
 * retention after its last write (and after a root's delay, at creation), so it outlives the
 * jobs of its flow that are still kept. Every count refreshes a gate's; a gate gone too early
 * anyway is rebuilt from its jobs (use-cases/release-dependents.ts).
 */
export function flowItemExpiry(nowMs: number, retention: Pick<Retention, 'deadJobRetentionSeconds'>, delayMs = 0): number {
  return Math.floor((nowMs + delayMs) / 1000) + 2 * retention.deadJobRetentionSeconds;
}

/**
 * Checks a flow's graph: refs unique, every dependency a known ref (not itself), no cycle, at
 * most FLOW_LIMITS.maxJobs jobs. Throws ValidationError naming the offending ref(s).
 * @example validateFlowGraph([{ ref: 'a', dependsOn: [] }, { ref: 'b', dependsOn: ['a'] }])
 */
export function validateFlowGraph(nodes: readonly { ref: string; dependsOn: readonly string[] }[]): void {
  if (nodes.length === 0) throw new ValidationError('jobs must hold at least one job', { field: 'jobs' });
  if (nodes.length > FLOW_LIMITS.maxJobs) {
    throw new ValidationError(`a flow may hold at most ${FLOW_LIMITS.maxJobs} jobs (got ${nodes.length})`, { field: 'jobs', max: FLOW_LIMITS.maxJobs });
  }
  const index = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (index.has(node.ref)) throw new ValidationError(`duplicate ref "${node.ref}"`, { field: `jobs.${i}.ref`, ref: node.ref });
    index.set(node.ref, i);
  });
  nodes.forEach((node, i) => {
    node.dependsOn.forEach((dep, j) => {
      if (!index.has(dep)) throw new ValidationError(`jobs.${i} ("${node.ref}") depends on unknown ref "${dep}"`, { field: `jobs.${i}.dependsOn.${j}`, ref: dep });
      if (dep === node.ref) throw new ValidationError(`"${node.ref}" depends on itself`, { field: `jobs.${i}.dependsOn.${j}`, cycle: [dep, dep] });
    });
    if (new Set(node.dependsOn).size !== node.dependsOn.length) {
      throw new ValidationError(`"${node.ref}" names a dependency twice`, { field: `jobs.${i}.dependsOn`, ref: node.ref });
    }
  });
  const cycle = findCycle(nodes);
  if (cycle) throw new ValidationError(`the flow has a cycle: ${cycle.join(' -> ')}`, { field: 'jobs', cycle });
}

/** A cycle as a list of refs (first = last), or null: depth-first search with three colours. */
function findCycle(nodes: readonly { ref: string; dependsOn: readonly string[] }[]): string[] | null {
  const edges = new Map(nodes.map((n) => [n.ref, n.dependsOn]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (ref: string): string[] | null => {
    if (state.get(ref) === 'done') return null;
    if (state.get(ref) === 'open') return [...path.slice(path.indexOf(ref)), ref];
    state.set(ref, 'open');
    path.push(ref);
    for (const dep of edges.get(ref) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    state.set(ref, 'done');
    return null;
  };
  for (const node of nodes) {
    const found = visit(node.ref);
    if (found) return found;
  }
  return null;
}

/**
 * The flow's status from its jobs': RUNNING while a job is unfinished (or not written yet),
 * then SUCCEEDED when all succeeded, FAILED when one ended DEAD, else CANCELLED.
 */
export function flowStatusOf(statuses: readonly JobStatus[], expectedJobs: number): FlowStatus {
  const finished = (s: JobStatus) => s === JOB_STATUS.SUCCEEDED || s === JOB_STATUS.DEAD || s === JOB_STATUS.CANCELLED;
  if (statuses.length < expectedJobs || !statuses.every(finished)) return FLOW_STATUS.RUNNING;
  if (statuses.every((s) => s === JOB_STATUS.SUCCEEDED)) return FLOW_STATUS.SUCCEEDED;
  if (statuses.includes(JOB_STATUS.DEAD)) return FLOW_STATUS.FAILED;
  return FLOW_STATUS.CANCELLED;
}
