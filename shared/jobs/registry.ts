import type { z } from 'zod';
import { safeParse } from 'zod/mini';
import type { BackoffPolicy, Priority } from '../domain/job.ts';

/** The logger a handler gets: structured, already carrying jobId, type, attempt and queue. */
export interface JobLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/**
 * The W3C trace context of an attempt (docs/tracing.md): pass `traceparent` (and `tracestate`)
 * on as headers to `fetch`, or as `traceparent` to another SkyForge job's enqueue, to continue it.
 */
export interface JobTrace {
  traceId: string;
  /** This attempt's span. */
  spanId: string;
  /** `00-<traceId>-<spanId>-<flags>`: this attempt as the parent of what it calls. */
  traceparent: string;
  tracestate?: string;
}

/** What a handler knows about the attempt it runs. */
export interface JobContext {
  jobId: string;
  type: string;
  /** 1-based number of this attempt: make side effects idempotent with (jobId, attempt). */
  attempt: number;
  maxAttempts: number;
  metadata: Record<string, unknown>;
  /**
   * Jobs of a flow: each dependency's status and result, by its ref (API.md "Flows"). A job with
   * `onDependencyFailure: 'run'` sees a failed dependency here as DEAD or CANCELLED. Empty outside flows.
   * @example const { fetch } = ctx.dependencies; if (fetch?.status === 'SUCCEEDED') use(fetch.result);
   */
  dependencies: Record<string, DependencyOutcome>;
  /** Fires on timeout (reason: JobTimeoutError) or cancel (reason: JobCancelledError). */
  signal: AbortSignal;
  /** Reports progress (a number 0..100 or a small JSON object); writes are coalesced. */
  progress(value: number | Record<string, unknown>): void;
  logger: JobLogger;
  /** The attempt's trace context, to pass on to what the handler calls. */
  trace: JobTrace;
}

export interface JobTypeDefaults {
  priority?: Priority;
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  timeoutMs?: number;
  /**
   * Flow control for every job of the type that sets none itself. `key` may be computed from
   * the payload (a tenant id); a constant key puts one limit on the whole type, such as a shared
   * third-party API.
   * @example { key: (p) => `tenant-${p.tenant}`, parallelism: 2 }
   */
  flowControl?: { key: string | ((payload: never) => string); parallelism?: number; rate?: number; periodSeconds?: number };
}

/**
 * A payload schema: classic zod (`z.object(...)`) or zod/mini, whose functional API keeps a
 * function's bundle ~70 KB smaller when nothing else in it uses classic zod (docs/benchmarks.md).
 */
export type JobSchema = z.core.$ZodType;

export interface JobDefinition<S extends JobSchema, R> {
  /** Validates the payload at submit time (API) and again before the handler runs (worker). */
  schema: S;
  handler: (payload: z.output<S>, ctx: JobContext) => Promise<R> | R;
  defaults?: JobTypeDefaults;
  description?: string;
}

/** A definition of any payload and result; `never` accepts every handler signature. */
export interface AnyJobDefinition {
  schema: JobSchema;
  handler: (payload: never, ctx: JobContext) => unknown;
  defaults?: JobTypeDefaults;
  description?: string;
}

export type JobDefinitions = Record<string, AnyJobDefinition>;

/**
 * Declares one job type; the handler's payload type is inferred from the schema.
 * @example
 * const sendEmail = defineJob({
 *   schema: z.object({ to: z.email() }),
 *   defaults: { priority: 'high', maxAttempts: 5 },
 *   handler: async ({ to }, ctx) => mailer.send(to, { signal: ctx.signal }),
 * });
 */
export function defineJob<S extends JobSchema, R>(definition: JobDefinition<S, R>): JobDefinition<S, R> {
  return definition;
}

/** Declares a registry module's job types: `export const jobs = defineJobs({ 'email.send': sendEmail })`. */
export function defineJobs<D extends JobDefinitions>(definitions: D): D {
  return definitions;
}

/** The payload each job type accepts at submit time, for typed clients. */
export type JobPayloads<D extends JobDefinitions> = { [K in keyof D]: z.input<D[K]['schema']> };

export type PayloadCheck = { ok: true; value: unknown } | { ok: false; issues: z.core.$ZodIssue[] };

/** The job types this deployment runs: the user's plus (unless switched off) the demo types. */
export class JobRegistry {
  private readonly definitions: ReadonlyMap<string, AnyJobDefinition>;

  constructor(definitions: JobDefinitions) {
    this.definitions = new Map(Object.entries(definitions));
  }

  types(): string[] {
    return [...this.definitions.keys()].sort();
  }

  get(type: string): AnyJobDefinition | undefined {
    return this.definitions.get(type);
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  checkPayload(type: string, payload: unknown): PayloadCheck {
    const definition = this.definitions.get(type);
    if (!definition) throw new Error(`no job type ${type}`);
    // zod's functional safeParse: the same for classic and mini schemas, and tree-shakable.
    const parsed = safeParse(definition.schema, payload);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: parsed.error.issues };
  }
}

/** What a flow job's handler knows of one of its dependencies (ctx.dependencies). */
export interface DependencyOutcome {
  status: import('../domain/job.ts').JobStatus;
  result: unknown;
}
