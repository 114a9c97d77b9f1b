import type { BackoffPolicy, DependencyFailurePolicy, JobStatus, JobView, Priority } from '../../shared/domain/job.ts';
import type { FlowView } from '../../shared/use-cases/flow-view.ts';
import type { demoJobs } from '../../shared/jobs/demo-jobs.ts';
import type { jobs as defaultRegistryJobs } from '../../shared/jobs/default-registry.ts';
import type { JobDefinitions, JobPayloads } from '../../shared/jobs/registry.ts';
import type { ScheduleView } from '../../shared/use-cases/schedule-view.ts';
import type { FailureGroups } from '../../shared/use-cases/failure-groups.ts';
import type { ApiErrorBody } from './errors.ts';

export type { BackoffPolicy, JobStatus, JobView, Priority } from '../../shared/domain/job.ts';
export type { JobDefinitions, JobPayloads } from '../../shared/jobs/registry.ts';
export type { Readiness, Stats } from '../../shared/use-cases/get-stats.ts';
export type { QueueDepth } from '../../shared/ports/job-queue.ts';
export type { ScheduleView } from '../../shared/use-cases/schedule-view.ts';
export type { FailureGroup, FailureGroups } from '../../shared/use-cases/failure-groups.ts';
export type { MinuteCounts } from '../../shared/domain/minute-counts.ts';
export type { FlowKeyState } from '../../shared/ports/flow-control-store.ts';
export type { FlowControl } from '../../shared/domain/flow-control.ts';

/** The job types of the default registry module plus the demo types, as the local cloud and a default deployment run them. */
export type DefaultJobs = typeof defaultRegistryJobs & typeof demoJobs;

/**
 * Any job type with any payload: `new SkyForgeClient<UntypedJobs>(...)` for callers that learn
 * the type at run time (a CLI argument). The API still checks the payload.
 */
export type UntypedJobs = JobDefinitions;

/** When the first attempt may start: after `delayMs`, or at `runAt` (an instant); not both. */
export type EnqueueTiming =
  | { delayMs?: number; runAt?: undefined }
  | { runAt?: Date | string; delayMs?: undefined };

/** Everything of a POST /jobs body but `type` and `payload`. Unset fields take the job type's, then the API's defaults. */
export type EnqueueOptions = EnqueueTiming & {
  priority?: Priority;
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  timeoutMs?: number;
  /**
   * Makes the submit idempotent: the same key with the same body answers the existing job.
   * When absent the client sends a random UUID, so that its own retries never create a second job.
   */
  idempotencyKey?: string;
  metadata?: Record<string, unknown>;
  /** Rate and parallelism limits shared by every job of `key` (API.md "Flow control"); periodSeconds defaults to 1. */
  flowControl?: { key: string; parallelism?: number; rate?: number; periodSeconds?: number };
  /**
   * W3C trace context to continue (sent as the `traceparent` header): the job's attempts become
   * children of this span. In a handler, pass `ctx.trace.traceparent` (docs/tracing.md).
   */
  traceparent?: string;
  /** Sent as the `tracestate` header with `traceparent`. */
  tracestate?: string;
};

/** One item of `enqueueBatch`: a job type, its payload (typed by the registry) and options. */
export type BatchItem<D extends JobDefinitions = DefaultJobs> = {
  [T in keyof D & string]: { type: T; payload: JobPayloads<D>[T]; options?: EnqueueOptions };
}[keyof D & string];

/** One item's outcome in `enqueueBatch`, in input order: `job` when status is 200/201, `error` otherwise. */
export interface BatchResult {
  index: number;
  status: number;
  job?: JobView;
  error?: ApiErrorBody;
  /** True when an idempotency key named a job that already existed (status 200). */
  replayed?: boolean;
}

/** One page of a listing; pass `nextCursor` back as `cursor` for the next (null: last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Filters of GET /jobs. */
export interface JobFilter {
  status?: JobStatus;
  type?: string;
  priority?: Priority;
}

/** `list()`: filters, and how many jobs each underlying request fetches (1..200, default 50). */
export interface ListQuery extends JobFilter {
  pageSize?: number;
}

/** `listPage()`: filters, the page size (1..200, default 50) and the cursor of the previous page. */
export interface ListPageQuery extends JobFilter {
  limit?: number;
  cursor?: string;
}

export interface DeadLetterListQuery {
  type?: string;
  /** Only the jobs of this failure group (see `dlq.groups()`). */
  fingerprint?: string;
  pageSize?: number;
}

export interface DeadLetterListPageQuery {
  type?: string;
  fingerprint?: string;
  limit?: number;
  cursor?: string;
}

export interface ReplayAllOptions {
  /** Only jobs of this type. */
  type?: string;
  /** At most this many (1..1000, default 1000). */
  limit?: number;
}

export interface WaitForOptions {
  /** Give up after this long with WaitTimeoutError. Default 60_000. */
  timeoutMs?: number;
  /** Time between polls of GET /jobs/{id} (GET /flows/{id} for `flows.wait`). Default 500. */
  pollMs?: number;
  /** Stops waiting (and the poll in flight); waitFor rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The job a schedule's firings create, typed by the registry like `enqueue`: no delay or idempotency key. */
export type ScheduleJobTemplate<D extends JobDefinitions = DefaultJobs> = {
  [T in keyof D & string]: {
    type: T;
    payload?: JobPayloads<D>[T];
    priority?: Priority;
    maxAttempts?: number;
    backoff?: Partial<BackoffPolicy>;
    timeoutMs?: number;
    metadata?: Record<string, unknown>;
  };
}[keyof D & string];

/** PUT /schedules/{name}: the whole schedule but its name (a replace, not a patch). */
export interface ScheduleUpdateInput<D extends JobDefinitions = DefaultJobs> {
  /** EventBridge Scheduler's `cron(min hour day-of-month month day-of-week year)` or `rate(n unit)`. */
  expression: string;
  /** IANA zone the cron fields are read in. Default UTC. */
  timezone?: string;
  job: ScheduleJobTemplate<D>;
  /** Default true. */
  enabled?: boolean;
  description?: string;
  startDate?: Date | string;
  endDate?: Date | string;
}

/** POST /schedules. */
export interface ScheduleCreateInput<D extends JobDefinitions = DefaultJobs> extends ScheduleUpdateInput<D> {
  /** 1-60 letters, digits, "-", "_" or "." (not starting with "."). */
  name: string;
}

export interface ScheduleListQuery {
  pageSize?: number;
}

export interface ScheduleListPageQuery {
  limit?: number;
  cursor?: string;
}

/** The `dlq` group of SkyForgeClient: dead jobs (with `deadReason`) and their replay. */
export interface DeadLetterApi {
  /** Every DEAD job (newest first), following cursors. */
  list(query?: DeadLetterListQuery): AsyncIterable<JobView>;
  listPage(query?: DeadLetterListPageQuery): Promise<Page<JobView>>;
  get(id: string): Promise<JobView>;
  /** Puts the job back to QUEUED with its attempts reset. */
  replay(id: string): Promise<JobView>;
  /** Replays many DEAD jobs at once. */
  replayAll(options?: ReplayAllOptions): Promise<{ replayed: number }>;
  /** Dead jobs grouped by failure fingerprint, largest group first (GET /dlq/groups). */
  groups(query?: { type?: string }): Promise<FailureGroups>;
  /** Replays up to `limit` (default 1000) jobs of one failure group, attempts reset. */
  replayGroup(fingerprint: string, options?: { limit?: number }): Promise<{ replayed: number }>;
}

/** The `schedules` group of SkyForgeClient: recurring jobs. */
export interface SchedulesApi<D extends JobDefinitions = DefaultJobs> {
  /** Every schedule, following cursors. */
  list(query?: ScheduleListQuery): AsyncIterable<ScheduleView>;
  listPage(query?: ScheduleListPageQuery): Promise<Page<ScheduleView>>;
  get(name: string): Promise<ScheduleView>;
  create(input: ScheduleCreateInput<D>): Promise<ScheduleView>;
  /** Replaces everything but the name. */
  update(name: string, input: ScheduleUpdateInput<D>): Promise<ScheduleView>;
  delete(name: string): Promise<void>;
  pause(name: string): Promise<ScheduleView>;
  resume(name: string): Promise<ScheduleView>;
  /** Runs one firing now; resolves with its job. */
  trigger(name: string): Promise<JobView>;
}

/** GET /flows/{id}: the flow, its status derived from its jobs', each job by ref (the server's own type). */
export type { FlowView } from '../../shared/use-cases/flow-view.ts';
/**
 * A flow's status (API.md "Flows"): RUNNING while any job is unfinished; SUCCEEDED when every job
 * succeeded, FAILED when a job ended DEAD, CANCELLED when jobs were cancelled.
 */
export type { FlowStatus } from '../../shared/domain/flow.ts';
/** What a job does when a dependency ends DEAD or CANCELLED: become CANCELLED too (default), or run anyway. */
export type FlowDependencyFailure = DependencyFailurePolicy;

/** The job fields of a POST /jobs body a flow's job may carry (no idempotency key: the flow has one). */
type FlowJobOptions = FlowJobStart & Pick<EnqueueOptions, 'priority' | 'maxAttempts' | 'backoff' | 'timeoutMs' | 'metadata' | 'flowControl'>;

/**
 * When a flow's job starts: a job with dependencies when they have all SUCCEEDED (no delay of its
 * own), one without as a job does (`delayMs` or `runAt`, or at once).
 */
type FlowJobStart =
  | { /** Refs of the jobs that must SUCCEED before this one is QUEUED. */ dependsOn: readonly string[]; delayMs?: undefined; runAt?: undefined }
  | (EnqueueTiming & { dependsOn?: readonly [] });

/** One job of POST /flows: a job body (typed by the registry like `enqueue`) plus its `ref` and dependencies. */
export type FlowJobInput<D extends JobDefinitions = DefaultJobs> = {
  [T in keyof D & string]: FlowJobOptions & {
    /** Unique in the flow; `dependsOn` and the answer's `jobs` use it. */
    ref: string;
    type: T;
    payload?: JobPayloads<D>[T];
    /** Default `cancel`. */
    onDependencyFailure?: FlowDependencyFailure;
  };
}[keyof D & string];

/** POST /flows: up to 100 jobs, no cycles, refs unique; the same shape as a flow file of `skyforge flows create`. */
export interface FlowCreateInput<D extends JobDefinitions = DefaultJobs> {
  jobs: readonly FlowJobInput<D>[];
  /**
   * The same key with the same body answers the existing flow; with another body, 409
   * IDEMPOTENCY_KEY_REUSED. When absent the client sends a random UUID, so its own retries never
   * create a second flow.
   */
  idempotencyKey?: string;
}

/** The `flows` group of SkyForgeClient: jobs that depend on jobs (API.md "Flows"). */
export interface FlowsApi<D extends JobDefinitions = DefaultJobs> {
  /** POST /flows. Retried safely: it always carries an idempotency key (`options` overrides the body's). */
  create(input: FlowCreateInput<D>, options?: { idempotencyKey?: string }): Promise<FlowView>;
  /** GET /flows/{id}: the flow's status and every job's. */
  get(id: string, options?: { signal?: AbortSignal }): Promise<FlowView>;
  /**
   * Cancels every unfinished job of the flow, each with `reason` as its cancelReason. A finished
   * flow answers as it stands, so a cancel is retried on 5xx like pause.
   */
  cancel(id: string, reason?: string): Promise<FlowView>;
  /** Replays the flow's DEAD jobs and puts the jobs they cancelled back to BLOCKED. Not retried on 5xx. */
  retry(id: string): Promise<FlowView>;
  /**
   * Polls until the flow is finished (no longer RUNNING and every job SUCCEEDED, DEAD or
   * CANCELLED) and resolves with it, whatever the outcome. Rejects with FlowWaitTimeoutError
   * (carrying the last flow seen) after `timeoutMs`, with the signal's reason when it aborts, or
   * with the API's error (NotFoundError for an unknown flow).
   */
  wait(id: string, options?: WaitForOptions): Promise<FlowView>;
}
