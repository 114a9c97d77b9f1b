import { JOB_DEFAULTS, LIMITS } from '../domain/job-defaults.ts';
import { PayloadTooLargeError, UnknownJobTypeError, ValidationError } from '../domain/errors.ts';
import type { BackoffPolicy, Job, Priority } from '../domain/job.ts';
import { createdStatus, JOB_EVENT, type CreateEvent } from '../domain/lifecycle.ts';
import { jobScheduleName } from '../domain/schedule-names.ts';
import { isoAt } from '../domain/time.ts';
import { FLOW_CONTROL_LIMITS, type FlowControl } from '../domain/flow-control.ts';
import { formatTraceparent, type TraceContext } from '../domain/trace-context.ts';
import { canonicalJson, jobIdForIdempotencyKey, sha256 } from './body-hash.ts';
import type { Dependencies } from './dependencies.ts';
import type { JobRequest } from './submit-jobs.ts';

export interface Prepared {
  job: Job;
  /** SUBMIT, or SUBMIT_DELAYED for a job that waits for its time. */
  event: CreateEvent;
  /** SQS DelaySeconds of its message (0..900). */
  delaySeconds: number;
  /** Due more than 15 minutes out: a one-time EventBridge schedule sends its message instead. */
  viaScheduler: boolean;
}

export interface BuildOptions {
  /** A fixed id (schedule firings derive theirs); default: from the idempotency key or a new ULID. */
  id?: string;
  scheduleName?: string;
  /**
   * Build even when the body no longer passes the registry's checks (a schedule's template whose
   * type was removed or whose schema changed): the worker then fails the job permanently, with
   * the reason, instead of the firing vanishing.
   */
  lenient?: boolean;
  /** The span that submits the job (the API request's, a firing's): its attempts continue it. */
  trace?: TraceContext;
}

/** Validates a job body against the registry and limits and builds the job to store. */
export function buildJob(request: JobRequest, deps: Pick<Dependencies, 'registry' | 'config' | 'newId'>, now: number, options: BuildOptions = {}): Prepared {
  const { backoff, priority, maxAttempts, timeoutMs, flowControl } = checkRequest(request, deps, options.lenient ?? false);
  const dueAt = request.runAt !== undefined ? Date.parse(request.runAt) : request.delayMs !== undefined ? now + request.delayMs : now;
  const delayMs = Math.max(0, dueAt - now);
  const viaScheduler = delayMs > LIMITS.maxSqsDelayMs;

  const metadata = request.metadata ?? {};
  const normalized = {
    type: request.type,
    payload: request.payload ?? null,
    priority,
    maxAttempts,
    backoff,
    timeoutMs,
    delayMs: request.delayMs ?? null,
    runAt: request.runAt ?? null,
    metadata,
    ...(flowControl ? { flowControl } : {}),
  };
  const id = options.id ?? (request.idempotencyKey ? jobIdForIdempotencyKey(request.idempotencyKey) : deps.newId(now));
  const delayed = delayMs > 0;
  const event = delayed ? JOB_EVENT.SUBMIT_DELAYED : JOB_EVENT.SUBMIT;
  const nowIso = isoAt(now);
  const job: Job = {
    id,
    type: request.type,
    // Kept exactly as sent (absent stays absent) so the worker validates what the API validated.
    payload: request.payload,
    priority,
    status: createdStatus(event),
    attempts: 0,
    maxAttempts,
    backoff,
    timeoutMs,
    runAt: delayed ? isoAt(dueAt) : null,
    nextRunAt: delayed ? isoAt(dueAt) : null,
    createdAt: nowIso,
    updatedAt: nowIso,
    startedAt: null,
    finishedAt: null,
    result: null,
    progress: null,
    lastError: null,
    idempotencyKey: request.idempotencyKey ?? null,
    metadata,
    scheduleName: options.scheduleName ?? null,
    history: [],
    deadReason: null,
    cancelReason: null,
    fingerprint: null,
    leaseToken: null,
    leaseUntil: null,
    bodyHash: request.idempotencyKey ? sha256(canonicalJson(normalized)) : null,
    expiresAt: null,
    pendingSchedule: viaScheduler ? jobScheduleName(id, 0) : null,
    flowControl,
    throttledUntil: null,
    throttleReason: null,
    traceparent: options.trace ? formatTraceparent(options.trace) : null,
    tracestate: options.trace?.tracestate ?? null,
  };
  return { job, event, delaySeconds: viaScheduler ? 0 : Math.ceil(delayMs / 1000), viaScheduler };
}

interface JobSettings {
  backoff: BackoffPolicy;
  priority: Priority;
  maxAttempts: number;
  timeoutMs: number;
  flowControl: FlowControl | null;
}

/**
 * Checks a body against the registry (type, payload schema and size) and the deployment's
 * limits, and fills in the settings from the request, the type's defaults and API.md's defaults.
 * Lenient: a schedule's stored template is built even when it no longer passes (see BuildOptions).
 */
function checkRequest(request: JobRequest, deps: Pick<Dependencies, 'registry' | 'config'>, lenient: boolean): JobSettings {
  const definition = deps.registry.get(request.type);
  if (!definition && !lenient) throw new UnknownJobTypeError(request.type, deps.registry.types());
  const payloadBytes = Buffer.byteLength(JSON.stringify(request.payload ?? null), 'utf8');
  if (payloadBytes > deps.config.maxPayloadBytes && !lenient) {
    throw new PayloadTooLargeError('payload', payloadBytes, deps.config.maxPayloadBytes);
  }
  const checked = definition ? deps.registry.checkPayload(request.type, request.payload) : { ok: true as const };
  if (!checked.ok && !lenient) {
    const first = checked.issues[0];
    const where = first && first.path.length > 0 ? `payload.${first.path.join('.')}` : 'payload';
    throw new ValidationError(`${where}: ${first?.message ?? 'invalid'}`, {
      field: where,
      issues: checked.issues.map((i) => ({ path: ['payload', ...i.path.map(String)].join('.'), message: i.message })),
    });
  }

  const typeDefaults = definition?.defaults ?? {};
  const backoff: BackoffPolicy = { ...JOB_DEFAULTS.backoff, ...typeDefaults.backoff, ...request.backoff };
  const priority = request.priority ?? typeDefaults.priority ?? JOB_DEFAULTS.priority;
  const maxAttempts = request.maxAttempts ?? typeDefaults.maxAttempts ?? JOB_DEFAULTS.maxAttempts;
  const requestedTimeoutMs = request.timeoutMs ?? typeDefaults.timeoutMs ?? JOB_DEFAULTS.timeoutMs;
  const timeoutMs = lenient ? Math.min(requestedTimeoutMs, deps.config.maxJobTimeoutMs) : requestedTimeoutMs;
  if (timeoutMs > deps.config.maxJobTimeoutMs) {
    throw new ValidationError(
      `timeoutMs must be at most ${deps.config.maxJobTimeoutMs} (the worker function's timeout less a margin)`,
      { field: 'timeoutMs', max: deps.config.maxJobTimeoutMs },
    );
  }
  const flowControl = resolveFlowControl(request, typeDefaults.flowControl, lenient);
  return { backoff, priority, maxAttempts, timeoutMs, flowControl };
}

type TypeFlowControl = NonNullable<NonNullable<ReturnType<Dependencies['registry']['get']>>['defaults']>['flowControl'];

/**
 * The job's own flow control, else its type's default with the key computed from the payload.
 * A computed key that is not a usable key is a 400 naming the type (or, lenient, no limit).
 */
function resolveFlowControl(request: JobRequest, typeDefault: TypeFlowControl, lenient: boolean): FlowControl | null {
  const chosen = request.flowControl ?? typeDefault;
  if (!chosen) return null;
  let key: unknown = chosen.key;
  if (typeof key === 'function') {
    try {
      key = (key as (payload: unknown) => unknown)(request.payload);
    } catch (error) {
      key = undefined;
      if (!lenient) throw new ValidationError(`flowControl.key of type ${request.type} could not be computed from the payload: ${String(error)}`, { field: 'flowControl.key' });
    }
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > FLOW_CONTROL_LIMITS.maxKeyLength) {
    if (lenient) return null;
    throw new ValidationError(`flowControl.key of type ${request.type} must be a string of 1-${FLOW_CONTROL_LIMITS.maxKeyLength} characters`, {
      field: 'flowControl.key',
    });
  }
  const flowControl: FlowControl = { key, periodSeconds: chosen.periodSeconds ?? FLOW_CONTROL_LIMITS.defaultPeriodSeconds };
  if (chosen.parallelism !== undefined) flowControl.parallelism = chosen.parallelism;
  if (chosen.rate !== undefined) flowControl.rate = chosen.rate;
  return flowControl;
}
