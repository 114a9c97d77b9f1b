import { WorkerLostError } from './errors.ts';
import { fingerprintOf } from './failure-fingerprint.ts';
import type { FlowControl, ThrottleReason } from './flow-control.ts';
import type { Priority } from './priority.ts';
import { traceIdOf } from './trace-context.ts';

export type { Priority } from './priority.ts';

/** Every state a job can be in. See docs/lifecycle.md for the diagram. */
export const JOB_STATUS = {
  /** A job of a flow waiting for its dependencies (API.md "Flows"). */
  BLOCKED: 'BLOCKED',
  SCHEDULED: 'SCHEDULED',
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  RETRYING: 'RETRYING',
  SUCCEEDED: 'SUCCEEDED',
  DEAD: 'DEAD',
  CANCELLED: 'CANCELLED',
} as const;
export type JobStatus = (typeof JOB_STATUS)[keyof typeof JOB_STATUS];
export const JOB_STATUSES = Object.values(JOB_STATUS) as readonly JobStatus[];

export const TERMINAL_STATUSES: readonly JobStatus[] = [JOB_STATUS.SUCCEEDED, JOB_STATUS.DEAD, JOB_STATUS.CANCELLED];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const BACKOFF_TYPES = ['exponential', 'fixed'] as const;
export type BackoffType = (typeof BACKOFF_TYPES)[number];

export interface BackoffPolicy {
  type: BackoffType;
  /** Delay after the first failed attempt. */
  delayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
  /** Equal jitter: the delay is drawn uniformly from [d/2, d]. */
  jitter: boolean;
}

export interface JobError {
  message: string;
  name: string;
  at: string;
}

/** How one attempt ended. LOST: the worker vanished (crash or Lambda timeout) and the lease ran out. */
export const ATTEMPT_OUTCOME = {
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  CANCELLED: 'CANCELLED',
  DEAD: 'DEAD',
  LOST: 'LOST',
} as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOME)[keyof typeof ATTEMPT_OUTCOME];

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  finishedAt: string;
  outcome: AttemptOutcome;
  error: JobError | null;
}

/** At most this many attempts are kept on the item (the newest ones), so it never outgrows 400 KB. */
export const HISTORY_LIMIT = 20;

/** A job as the store keeps it. `null` means "not set". */
export interface Job {
  id: string;
  type: string;
  /** As submitted; undefined when the request had none (shown as null). */
  payload: unknown;
  priority: Priority;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
  runAt: string | null;
  /** When the next attempt may start (delay or backoff); null when it may start now. */
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: unknown;
  progress: unknown;
  lastError: JobError | null;
  idempotencyKey: string | null;
  metadata: Record<string, unknown>;
  scheduleName: string | null;
  history: AttemptRecord[];
  deadReason: string | null;
  cancelReason: string | null;
  /** Flows (docs/flows.md): the flow the job belongs to and its ref there; null outside a flow. */
  flowId?: string | null;
  ref?: string | null;
  /** Ids of the jobs this one waits for, and of the jobs that wait for it. */
  dependsOn?: string[] | null;
  dependents?: string[] | null;
  /** What a dependency's failure does to this job: `cancel` (default) or `run`. */
  onDependencyFailure?: DependencyFailurePolicy | null;
  /** CANCELLED because this dependency failed (the cascade); a flow retry puts it back to BLOCKED. */
  cancelledByDependency?: string | null;
  /** DEAD only: the failure group (see failure-fingerprint.ts), set by the write that made it DEAD. */
  fingerprint: string | null;
  /** Lease of the attempt in progress: who holds it and until when (epoch ms). */
  leaseToken: string | null;
  leaseUntil: number | null;
  /** Hash of the normalized submit body, to tell a replayed idempotent submit from a reuse. */
  bodyHash: string | null;
  /** TTL, epoch seconds; set when the job reaches a terminal state. */
  expiresAt: number | null;
  /** Name of the one-time EventBridge schedule that will make the job due (delays over 15 minutes). */
  pendingSchedule: string | null;
  /** Rate and parallelism limits shared by every job of its key (API.md "Flow control"). */
  flowControl: FlowControl | null;
  /** QUEUED and over its key's limits: when it will be tried again (ISO), and why. */
  throttledUntil: string | null;
  throttleReason: ThrottleReason | null;
  /**
   * Counting not done yet (see counter-deltas.ts `shift`): 'new', a job created QUEUED with its
   * message sent at once, not counted anywhere yet; 'queued', a job queued again (a replay) whose
   * old status was counted out but whose QUEUED is not counted in. While its message waits ready
   * in the queue, the queue's depth counts it; the first write that touches it again counts it.
   * Absent once counted.
   */
  uncounted?: UncountedMark | null;
  /**
   * W3C trace context of the work that created the job (docs/tracing.md): the `traceparent` whose
   * span is the parent of every attempt's, and the caller's `tracestate`.
   */
  traceparent: string | null;
  tracestate: string | null;
}

export type UncountedMark = 'new' | 'queued';

/** What the API shows of a job: everything but the internal bookkeeping. */
export type JobView = Omit<
  Job,
  | 'leaseToken'
  | 'leaseUntil'
  | 'bodyHash'
  | 'expiresAt'
  | 'pendingSchedule'
  | 'fingerprint'
  | 'flowId'
  | 'ref'
  | 'dependsOn'
  | 'dependents'
  | 'onDependencyFailure'
  | 'cancelledByDependency'
  | 'uncounted'
  | 'traceparent'
  | 'tracestate'
> & {
  /** DEAD jobs only: the failure group (API.md, Dead letters). */
  fingerprint?: string;
  /** Jobs of a flow only (API.md, Flows): the flow, the job's ref in it, the ids of its dependencies. */
  flowId?: string;
  ref?: string;
  dependsOn?: string[];
  onDependencyFailure?: DependencyFailurePolicy;
  /** The W3C trace id the job's attempts and log lines carry; null for jobs from before traces. */
  traceId: string | null;
};

export function toJobView(job: Job): JobView {
  const {
    leaseToken: _t,
    leaseUntil: _u,
    bodyHash: _h,
    expiresAt: _e,
    pendingSchedule: _p,
    fingerprint: _f,
    flowId,
    ref,
    dependsOn,
    dependents: _d,
    onDependencyFailure,
    cancelledByDependency: _c,
    uncounted: _u2,
    traceparent,
    tracestate: _s,
    ...view
  } = job;
  const fingerprint = fingerprintOf(job);
  const flow = flowId ? { flowId, ...(ref ? { ref } : {}), dependsOn: dependsOn ?? [], onDependencyFailure: onDependencyFailure ?? 'cancel' } : {};
  return { ...view, payload: view.payload ?? null, ...(fingerprint ? { fingerprint } : {}), ...flow, traceId: traceIdOf(traceparent) };
}

/**
 * The record of an attempt whose worker vanished (crash or function timeout) before finishing:
 * found when its lease ran out, by a redelivery or by the dead-letter consumer.
 */
export function lostAttempt(job: Pick<Job, 'attempts' | 'startedAt'>, nowIso: string): AttemptRecord {
  return {
    attempt: job.attempts,
    startedAt: job.startedAt ?? nowIso,
    finishedAt: nowIso,
    outcome: ATTEMPT_OUTCOME.LOST,
    error: { name: 'WorkerLostError', message: new WorkerLostError().message, at: nowIso },
  };
}

/** Error messages inside history entries are cut shorter than lastError's, to bound the item. */
export const HISTORY_MESSAGE_LIMIT = 512;

/** Appends an attempt record, keeping the newest HISTORY_LIMIT. */
export function appendHistory(history: readonly AttemptRecord[], record: AttemptRecord): AttemptRecord[] {
  const error = record.error ? { ...record.error, message: record.error.message.slice(0, HISTORY_MESSAGE_LIMIT) } : null;
  return [...history, { ...record, error }].slice(-HISTORY_LIMIT);
}

export const DEPENDENCY_FAILURE_POLICIES = ['cancel', 'run'] as const;
export type DependencyFailurePolicy = (typeof DEPENDENCY_FAILURE_POLICIES)[number];
