import { JOB_DEFAULTS, LIMITS } from '../domain/job-defaults.ts';
import {
  IdempotencyKeyReusedError,
  JobNotSentError,
  PayloadTooLargeError,
  SkyForgeError,
  UnknownJobTypeError,
  ValidationError,
} from '../domain/errors.ts';
import { JOB_STATUS, type BackoffPolicy, type Job } from '../domain/job.ts';
import { createdStatus, JOB_EVENT, type CreateEvent } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import type { JobTemplate } from '../domain/schedule.ts';
import { isoAt } from '../domain/time.ts';
import { CounterDeltas } from '../domain/counter-deltas.ts';
import type { JobMessage } from '../ports/job-queue.ts';
import { jobScheduleName } from '../domain/schedule-names.ts';
import { canonicalJson, jobIdForIdempotencyKey, sha256 } from './body-hash.ts';
import type { Dependencies } from './dependencies.ts';
import { markUnsentDead } from './mark-unsent-dead.ts';
import { flushCounters } from './transition-job.ts';

/** A job body as the API accepts it (already checked for shape by the HTTP schema). */
export interface JobRequest extends JobTemplate {
  delayMs?: number;
  runAt?: string;
  idempotencyKey?: string;
}

export type SubmitOutcome =
  | { ok: true; status: 201 | 200; job: Job; replayed: boolean }
  | { ok: false; error: SkyForgeError };

interface Prepared {
  job: Job;
  /** SUBMIT, or SUBMIT_DELAYED for a job that waits for its time. */
  event: CreateEvent;
  /** SQS DelaySeconds of its message (0..900). */
  delaySeconds: number;
  /** Due more than 15 minutes out: a one-time EventBridge schedule sends its message instead. */
  viaScheduler: boolean;
}

/**
 * Creates jobs: validate against the registry, write each job item (one conditional put), then
 * send their messages grouped in SendMessageBatch calls, or, for a job due more than 15 minutes
 * out (SQS's longest delay), create a one-time EventBridge schedule that sends it when due.
 * One bad item never sinks the others. A message or schedule that cannot be created leaves its
 * job DEAD with the reason (visible in /dlq and replayable), never silently missing.
 */
export async function submitJobs(
  requests: readonly JobRequest[],
  deps: Dependencies,
  buildOptions: (index: number) => BuildOptions = () => ({}),
): Promise<SubmitOutcome[]> {
  const now = deps.clock.now();
  const outcomes: (SubmitOutcome | undefined)[] = new Array(requests.length);
  const prepared: (Prepared | undefined)[] = requests.map((request, index) => {
    try {
      return buildJob(request, deps, now, buildOptions(index));
    } catch (error) {
      if (!(error instanceof SkyForgeError)) throw error;
      outcomes[index] = { ok: false, error };
      return undefined;
    }
  });

  const toSend: { index: number; message: JobMessage }[] = [];
  const toSchedule: { index: number; job: Job }[] = [];
  await Promise.all(
    prepared.map(async (p, index) => {
      if (!p) return;
      const created = await deps.store.create(p.job, p.event, now);
      if (created.created) {
        outcomes[index] = { ok: true, status: 201, job: created.job, replayed: false };
        if (p.viaScheduler) toSchedule.push({ index, job: p.job });
        else toSend.push({ index, message: { jobId: p.job.id, priority: p.job.priority, delaySeconds: p.delaySeconds } });
      } else if (created.existing.bodyHash === p.job.bodyHash) {
        outcomes[index] = { ok: true, status: 200, job: created.existing, replayed: true };
      } else {
        outcomes[index] = { ok: false, error: new IdempotencyKeyReusedError(p.job.idempotencyKey ?? '', created.existing.id) };
      }
    }),
  );

  const failed = new Map<string, { what: 'queued' | 'scheduled'; reason: string }>();
  if (toSend.length > 0) {
    for (const f of await deps.queue.enqueue(toSend.map((s) => s.message))) failed.set(f.jobId, { what: 'queued', reason: f.reason });
  }
  await Promise.all(
    toSchedule.map(async ({ job }) => {
      try {
        await deps.scheduler.scheduleJob(job.pendingSchedule as string, job.id, job.priority, Date.parse(job.nextRunAt as string));
      } catch (error) {
        failed.set(job.id, { what: 'scheduled', reason: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
  const deltas = new CounterDeltas();
  for (const { index } of [...toSend, ...toSchedule]) {
    const outcome = outcomes[index];
    if (!outcome?.ok) continue;
    const failure = failed.get(outcome.job.id);
    if (failure === undefined) {
      deltas.move(groupOf(outcome.job), null, outcome.job.status);
      continue;
    }
    outcomes[index] = { ok: false, error: await recordEnqueueFailure(outcome.job, failure, deps) };
    deltas.move(groupOf(outcome.job), null, JOB_STATUS.DEAD);
  }
  await flushCounters(deps, deltas);
  return outcomes.map((outcome, index) => {
    // Every index was answered above; a hole would be a bug, and a job is never dropped silently.
    if (!outcome) throw new Error(`submit produced no outcome for item ${index}`);
    return outcome;
  });
}

/**
 * POST /jobs/batch: the items that passed the HTTP schema are submitted together; the ones that
 * did not keep their error. Outcomes come back in the items' order.
 */
export async function submitJobBatch(items: readonly (JobRequest | SkyForgeError)[], deps: Dependencies): Promise<SubmitOutcome[]> {
  const submitted = await submitJobs(
    items.filter((item): item is JobRequest => !(item instanceof SkyForgeError)),
    deps,
  );
  let next = 0;
  return items.map((item): SubmitOutcome => (item instanceof SkyForgeError ? { ok: false, error: item } : (submitted[next++] as SubmitOutcome)));
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
}

/** Validates a job body against the registry and limits and builds the job to store. */
export function buildJob(request: JobRequest, deps: Dependencies, now: number, options: BuildOptions = {}): Prepared {
  const definition = deps.registry.get(request.type);
  if (!definition && !options.lenient) throw new UnknownJobTypeError(request.type, deps.registry.types());

  const payloadBytes = Buffer.byteLength(JSON.stringify(request.payload ?? null), 'utf8');
  if (payloadBytes > deps.config.maxPayloadBytes && !options.lenient) {
    throw new PayloadTooLargeError('payload', payloadBytes, deps.config.maxPayloadBytes);
  }
  const checked = definition ? deps.registry.checkPayload(request.type, request.payload) : { ok: true as const };
  if (!checked.ok && !options.lenient) {
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
  const timeoutMs = options.lenient ? Math.min(requestedTimeoutMs, deps.config.maxJobTimeoutMs) : requestedTimeoutMs;
  if (timeoutMs > deps.config.maxJobTimeoutMs) {
    throw new ValidationError(
      `timeoutMs must be at most ${deps.config.maxJobTimeoutMs} (the worker function's timeout less a margin)`,
      { field: 'timeoutMs', max: deps.config.maxJobTimeoutMs },
    );
  }
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
    leaseToken: null,
    leaseUntil: null,
    bodyHash: request.idempotencyKey ? sha256(canonicalJson(normalized)) : null,
    expiresAt: null,
    pendingSchedule: viaScheduler ? jobScheduleName(id, 0) : null,
  };
  return { job, event, delaySeconds: viaScheduler ? 0 : Math.ceil(delayMs / 1000), viaScheduler };
}

async function recordEnqueueFailure(job: Job, failure: { what: 'queued' | 'scheduled'; reason: string }, deps: Dependencies): Promise<SkyForgeError> {
  await markUnsentDead(job, `could not be ${failure.what} (${failure.reason}); replay it with POST /dlq/${job.id}/replay`, deps);
  return new JobNotSentError(job.id, failure.what, failure.reason);
}
