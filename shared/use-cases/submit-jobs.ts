import { CounterDeltas } from '../domain/counter-deltas.ts';
import { IdempotencyKeyReusedError, JobNotSentError, SkyForgeError, UnavailableError } from '../domain/errors.ts';
import { JOB_STATUS, type Job, type JobStatus } from '../domain/job.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { isPermanentAwsError } from '../adapters/aws-errors.ts';
import { groupOf } from '../domain/metrics.ts';
import type { JobTemplate } from '../domain/schedule.ts';
import type { TraceContext } from '../domain/trace-context.ts';
import type { JobMessage } from '../ports/job-queue.ts';
import { messageFlowOf } from '../domain/queue-message.ts';
import { buildJob, type BuildOptions, type Prepared } from './build-job.ts';
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


/**
 * Creates jobs: validate against the registry, write each job item (one conditional put), then
 * send their messages grouped in SendMessageBatch calls, or, for a job due more than 15 minutes
 * out (SQS's longest delay), create a one-time EventBridge schedule that sends it when due.
 * One bad item never sinks the others, and no stored job is stranded by a send that fails:
 * - a passing failure (throttling, a 5xx) answers 503 UNAVAILABLE. A job with an idempotency key
 *   stays as stored, and the client's retry with the same key sends its message again; a job
 *   without one is removed again, so the client's retry makes the only one.
 * - a permanent failure (the queue does not exist, access denied) leaves the job DEAD with the
 *   reason (visible in /dlq and replayable once the cause is fixed).
 */
export async function submitJobs(
  requests: readonly JobRequest[],
  deps: Dependencies,
  buildOptions: (index: number) => BuildOptions = () => ({}),
): Promise<SubmitOutcome[]> {
  const now = deps.clock.now();
  const outcomes: (SubmitOutcome | undefined)[] = new Array(requests.length);
  const prepared = requests.map((request, index): Prepared | undefined => {
    try {
      return markUncounted(buildJob(request, deps, now, buildOptions(index)));
    } catch (error) {
      if (!(error instanceof SkyForgeError)) throw error;
      outcomes[index] = { ok: false, error };
      return undefined;
    }
  });
  const { created, resend } = await storeJobs(prepared, outcomes, deps, now);
  const failed = await sendJobs([...created, ...resend], deps);
  const deltas = new CounterDeltas();
  for (const { index, job } of created) {
    const failure = failed.get(job.id);
    const ending = failure ? await recordSendFailure(job, failure, deps) : { status: job.status, error: null };
    // A job still as created keeps its mark (queued at once: its claim counts it); a write since removed it.
    deltas.shift(groupOf(job), null, ending.status ? { status: ending.status, uncounted: ending.status === job.status ? job.uncounted : null } : null);
    if (ending.error) outcomes[index] = { ok: false, error: ending.error };
  }
  for (const { index, job } of resend) {
    const failure = failed.get(job.id);
    if (failure) outcomes[index] = { ok: false, error: unsentError(job, failure) };
  }
  await flushCounters(deps, deltas);
  return outcomes.map((outcome, index) => {
    // Every index was answered above; a hole would be a bug, and a job is never dropped silently.
    if (!outcome) throw new Error(`submit produced no outcome for item ${index}`);
    return outcome;
  });
}

type Indexed = Prepared & { index: number };

/**
 * A job queued at once is not counted by the API: its message waiting in the queue is what
 * /stats and /metrics count until a worker's claim (or any other write) counts it, in the
 * worker's one counter write per batch. That saves the API a counter write and an EMF document
 * per request (README, Observability: "Where each count comes from").
 */
export function markUncounted(prepared: Prepared): Prepared {
  if (prepared.job.status !== JOB_STATUS.QUEUED || prepared.job.pendingSchedule) return prepared;
  return { ...prepared, job: { ...prepared.job, uncounted: 'new' } };
}

/**
 * Writes each prepared job (one conditional put) and answers replays and key reuse. Returns what
 * was created, and the replayed jobs whose message may never have gone out (see needsResend).
 */
async function storeJobs(
  prepared: readonly (Prepared | undefined)[],
  outcomes: (SubmitOutcome | undefined)[],
  deps: Dependencies,
  now: number,
): Promise<{ created: Indexed[]; resend: Indexed[] }> {
  const created: Indexed[] = [];
  const resend: Indexed[] = [];
  await Promise.all(
    prepared.map(async (p, index) => {
      if (!p) return;
      const result = await deps.store.create(p.job, p.event, now);
      if (result.created) {
        outcomes[index] = { ok: true, status: 201, job: result.job, replayed: false };
        created.push({ ...p, job: result.job, index });
      } else if (result.existing.bodyHash === p.job.bodyHash) {
        outcomes[index] = { ok: true, status: 200, job: result.existing, replayed: true };
        if (needsResend(result.existing, now)) resend.push({ ...p, job: result.existing, index, delaySeconds: delayOf(result.existing, now) });
      } else {
        outcomes[index] = { ok: false, error: new IdempotencyKeyReusedError(p.job.idempotencyKey ?? '', result.existing.id) };
      }
    }),
  );
  return { created, resend };
}

/** A replayed submit waits at least this long after the job's last change before sending again. */
const RESEND_AFTER_MS = 1000;

/**
 * A replayed job that has not started yet may be one whose message never went out (its submit
 * answered 503): its replay sends the message (or one-time schedule) again. A duplicate message
 * is harmless (the claim is conditional); the wait skips the duplicates of quick double submits.
 */
function needsResend(job: Job, now: number): boolean {
  const waiting = (job.status === JOB_STATUS.QUEUED || job.status === JOB_STATUS.SCHEDULED) && job.attempts === 0;
  return waiting && now - Date.parse(job.updatedAt) >= RESEND_AFTER_MS;
}

function delayOf(job: Job, now: number): number {
  return job.nextRunAt ? Math.max(0, Math.ceil((Date.parse(job.nextRunAt) - now) / 1000)) : 0;
}

export type SendFailure = { what: 'queued' | 'scheduled'; reason: string; permanent: boolean };

/** Messages in SendMessageBatch calls, one-time schedules for jobs due beyond 15 minutes; returns what failed, by job id. */
export async function sendJobs(jobs: readonly Prepared[], deps: Dependencies): Promise<Map<string, SendFailure>> {
  const failed = new Map<string, SendFailure>();
  const messages: JobMessage[] = jobs
    .filter((p) => !p.job.pendingSchedule)
    .map((p) => ({ jobId: p.job.id, priority: p.job.priority, delaySeconds: p.delaySeconds, timeoutMs: p.job.timeoutMs, ...messageFlowOf(p.job) }));
  if (messages.length > 0) {
    for (const f of await deps.queue.enqueue(messages)) failed.set(f.jobId, { what: 'queued', reason: f.reason, permanent: f.permanent });
  }
  await Promise.all(
    jobs
      .filter((p) => p.job.pendingSchedule)
      .map(async ({ job }) => {
        try {
          await deps.scheduler.scheduleJob(job.pendingSchedule as string, job.id, job.priority, Date.parse(job.nextRunAt as string), job.timeoutMs, messageFlowOf(job).flow);
        } catch (error) {
          const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          failed.set(job.id, { what: 'scheduled', reason, permanent: isPermanentAwsError(error) });
        }
      }),
  );
  return failed;
}

/**
 * POST /jobs/batch: the items that passed the HTTP schema are submitted together; the ones that
 * did not keep their error. Outcomes come back in the items' order.
 */
export async function submitJobBatch(items: readonly (JobRequest | SkyForgeError)[], deps: Dependencies, trace?: TraceContext): Promise<SubmitOutcome[]> {
  const submitted = await submitJobs(
    items.filter((item): item is JobRequest => !(item instanceof SkyForgeError)),
    deps,
    // Every job of the batch continues the request's span: one trace, a child per job's attempts.
    () => (trace ? { trace } : {}),
  );
  let next = 0;
  return items.map((item): SubmitOutcome => (item instanceof SkyForgeError ? { ok: false, error: item } : (submitted[next++] as SubmitOutcome)));
}

/**
 * A new job whose message or schedule could not be created. Returns the status it is counted in
 * (null: removed again) and the error its submit answers.
 */
async function recordSendFailure(job: Job, failure: SendFailure, deps: Dependencies): Promise<{ status: JobStatus | null; error: SkyForgeError }> {
  if (failure.permanent) {
    const dead = await markUnsentDead(job, `could not be ${failure.what} (${failure.reason}); replay it with POST /dlq/${job.id}/replay`, deps);
    return { status: dead ? JOB_STATUS.DEAD : job.status, error: new JobNotSentError(job.id, failure.what, failure.reason) };
  }
  deps.logger.warn('job stored but its message could not be sent yet', { jobId: job.id, reason: failure.reason });
  if (job.idempotencyKey) return { status: job.status, error: unsentError(job, failure) };
  // No key: the client's retry would make a second job, so this one is taken back.
  try {
    await deps.store.transition(job.id, { event: JOB_EVENT.DELETE, from: job.status }, deps.clock.now());
    return { status: null, error: new UnavailableError(`the job could not be ${failure.what} (${failure.reason}); nothing was created, send it again`) };
  } catch (error) {
    deps.logger.error('could not take back the unsent job; marking it DEAD', { jobId: job.id, error: String(error) });
    const dead = await markUnsentDead(job, `could not be ${failure.what} (${failure.reason}); replay it with POST /dlq/${job.id}/replay`, deps);
    return { status: dead ? JOB_STATUS.DEAD : job.status, error: new JobNotSentError(job.id, failure.what, failure.reason) };
  }
}

function unsentError(job: Job, failure: SendFailure): UnavailableError {
  return new UnavailableError(
    `job ${job.id} is stored but could not be ${failure.what} yet (${failure.reason}); send the same request again with its idempotencyKey`,
    { jobId: job.id },
  );
}
