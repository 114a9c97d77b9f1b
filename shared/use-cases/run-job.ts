import { randomUUID } from 'node:crypto';
import { LIMITS } from '../domain/job-defaults.ts';
import type { Priority } from '../config/definitions.ts';
import { JobCancelledError, JobTimeoutError, PermanentError, StaleJobStateError } from '../domain/errors.ts';
import { appendHistory, ATTEMPT_OUTCOME, isTerminal, lostAttempt, JOB_STATUS, type AttemptOutcome, type Job, type JobError } from '../domain/job.ts';
import { decideAfterFailure } from '../domain/retry-policy.ts';
import type { JobContext, JobLogger } from '../jobs/registry.ts';
import { isoAt } from '../domain/time.ts';
import type { CounterDeltas } from '../domain/counter-deltas.ts';
import type { JobChanges } from '../ports/job-store.ts';
import { jobScheduleName } from '../domain/schedule-names.ts';
import { jobIdForFiring } from './body-hash.ts';
import type { Dependencies } from './dependencies.ts';
import { expiryFor } from './retention.ts';
import { buildJob } from './submit-jobs.ts';
import { groupOf } from './transition-job.ts';
import { COUNTERS, HISTOGRAMS } from '../domain/metrics.ts';

export interface ReceivedMessage {
  jobId: string;
  priority: Priority;
  receiptHandle: string;
}

/**
 * What to do with the message afterwards. `ack`: delete it (the job is done with it).
 * `keep`: report it as a batch item failure so it comes back later.
 */
export type MessageOutcome = { action: 'ack'; note: string } | { action: 'keep'; note: string };

/** How the attempt ended, for metrics and logs. */
export interface AttemptReport {
  jobId: string;
  type: string;
  priority: Priority;
  attempt: number;
  outcome: AttemptOutcome;
  durationMs: number;
  /** ms between the job becoming due and this attempt starting. */
  waitMs: number;
}

export interface BatchContext {
  deltas: CounterDeltas;
  attempts: AttemptReport[];
  logger: JobLogger;
}

/**
 * Handles one SQS message of a worker batch: claim the job with a lease (one conditional write),
 * run its handler under its timeout and cancel watch, then record the outcome (one conditional
 * write) and, for a retry, send the delayed message. Every path says what happens to the message.
 */
export async function runJobMessage(message: ReceivedMessage, deps: Dependencies, batch: BatchContext): Promise<MessageOutcome> {
  const claimed = await claimForAttempt(message, deps, batch);
  if ('action' in claimed) return claimed;
  const { job, previousStatus } = claimed;
  batch.deltas.move(groupOf(job), previousStatus, JOB_STATUS.RUNNING);
  return executeAttempt(job, message, deps, batch);
}

type ClaimOutcome = MessageOutcome | { job: Job; previousStatus: Job['status'] };

async function claimForAttempt(message: ReceivedMessage, deps: Dependencies, batch: BatchContext): Promise<ClaimOutcome> {
  const now = deps.clock.now();
  const leaseToken = randomUUID();
  try {
    return await deps.store.claim(message.jobId, { now, leaseToken, graceMs: LIMITS.leaseGraceMs });
  } catch (error) {
    if (!(error instanceof StaleJobStateError)) throw error;
    const current = error.current as Job | null;
    if (!current) return { action: 'ack', note: 'job no longer exists (deleted or expired)' };
    if (isTerminal(current.status)) return { action: 'ack', note: `duplicate delivery: job is already ${current.status}` };
    if (current.status === JOB_STATUS.RUNNING) {
      if ((current.leaseUntil ?? 0) >= now) {
        // Another delivery holds a live lease. Keep this copy: if that worker dies, this copy
        // (back after the visibility timeout, which outlasts any lease) lets the job go on.
        return { action: 'keep', note: 'duplicate delivery while the job runs elsewhere' };
      }
      return reclaimLostJob(current, message, leaseToken, deps, batch, now);
    }
    const dueAt = current.nextRunAt ? Date.parse(current.nextRunAt) : now;
    if (dueAt > now) {
      await deps.queue.defer(message.priority, message.receiptHandle, (dueAt - now) / 1000);
      return { action: 'keep', note: `not due until ${current.nextRunAt}; message hidden until then` };
    }
    return { action: 'keep', note: `job changed during the claim (now ${current.status}); will try again` };
  }
}

/** The lease of a RUNNING job ran out: its worker crashed or its Lambda timed out. */
async function reclaimLostJob(
  current: Job,
  message: ReceivedMessage,
  leaseToken: string,
  deps: Dependencies,
  batch: BatchContext,
  now: number,
): Promise<ClaimOutcome> {
  const lost = lostAttempt(current, isoAt(now));
  const history = appendHistory(current.history, lost);
  try {
    if (current.attempts >= current.maxAttempts) {
      await deps.store.update(
        current.id,
        { statuses: [JOB_STATUS.RUNNING], leaseToken: current.leaseToken },
        {
          status: JOB_STATUS.DEAD,
          deadReason: `the worker stopped (crash or timeout) on attempt ${current.attempts} of ${current.maxAttempts}; no attempts left`,
          lastError: lost.error,
          history,
          leaseToken: null,
          leaseUntil: null,
          finishedAt: isoAt(now),
          expiresAt: expiryFor(current, JOB_STATUS.DEAD, now, deps.config),
        },
        now,
      );
      batch.deltas.move(groupOf(current), JOB_STATUS.RUNNING, JOB_STATUS.DEAD);
      batch.deltas.add(groupOf(current), COUNTERS.failed);
      batch.attempts.push(report(current, ATTEMPT_OUTCOME.DEAD, 0, 0));
      return { action: 'ack', note: 'lost attempt was the last one: job is DEAD' };
    }
    const claimed = await deps.store.claim(
      current.id,
      { now, leaseToken, graceMs: LIMITS.leaseGraceMs, staleLeaseToken: current.leaseToken ?? '' },
      { history, lastError: lost.error },
    );
    batch.deltas.add(groupOf(current), COUNTERS.failed);
    return claimed;
  } catch (error) {
    if (error instanceof StaleJobStateError) return { action: 'keep', note: 'another worker took the lost job first' };
    throw error;
  }
}

interface AttemptResult {
  outcome: 'succeeded' | 'failed' | 'stopped';
  value?: unknown;
  error?: unknown;
}

async function executeAttempt(job: Job, message: ReceivedMessage, deps: Dependencies, batch: BatchContext): Promise<MessageOutcome> {
  const startedAt = deps.clock.now();
  const leaseToken = job.leaseToken as string;
  const logger = childLogger(batch.logger, job);
  const progress = new ProgressWriter(job, leaseToken, deps, logger);
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(new JobTimeoutError(job.timeoutMs)), job.timeoutMs);
  const watch = setInterval(() => {
    void deps.store.leaseState(job.id).then(
      (state) => {
        if (!state || state.status !== JOB_STATUS.RUNNING || state.leaseToken !== leaseToken) {
          controller.abort(new JobCancelledError(state ? `job was ${state.status.toLowerCase()} while running` : 'job was deleted while running'));
        }
      },
      (error: unknown) => logger.warn('cancel watch could not read the job', { error: String(error) }),
    );
  }, deps.config.cancelPollMs);
  progress.onLeaseLost = () => controller.abort(new JobCancelledError('job was stopped while running'));

  let result: AttemptResult;
  try {
    result = await runHandler(job, deps, controller.signal, progress, logger);
  } finally {
    clearTimeout(timeout);
    clearInterval(watch);
    progress.stop();
  }
  const finishedAt = deps.clock.now();
  const durationMs = finishedAt - startedAt;
  const waitMs = Math.max(0, startedAt - Date.parse(job.nextRunAt ?? job.runAt ?? job.updatedAt));
  const reason = controller.signal.aborted ? (controller.signal.reason as unknown) : undefined;

  if (reason instanceof JobCancelledError || result.outcome === 'stopped') {
    return acknowledgeStop(job, leaseToken, finishedAt, progress.latest, deps, batch, durationMs, waitMs);
  }
  const historyBase = { attempt: job.attempts, startedAt: isoAt(startedAt), finishedAt: isoAt(finishedAt) };
  let changes: JobChanges;
  let outcome: AttemptOutcome;
  let retryDelayMs: number | undefined;
  if (result.outcome === 'succeeded') {
    outcome = ATTEMPT_OUTCOME.SUCCEEDED;
    changes = {
      status: JOB_STATUS.SUCCEEDED,
      result: capResult(result.value, deps.config.maxResultBytes),
      finishedAt: isoAt(finishedAt),
      expiresAt: expiryFor(job, JOB_STATUS.SUCCEEDED, finishedAt, deps.config),
      history: appendHistory(job.history, { ...historyBase, outcome, error: null }),
    };
  } else {
    const error = reason instanceof JobTimeoutError ? reason : result.error;
    const lastError = jobError(error, finishedAt);
    const decision = decideAfterFailure(
      { attempt: job.attempts, maxAttempts: job.maxAttempts, error, backoff: job.backoff },
      deps.random,
    );
    if (decision.kind === 'retry') {
      outcome = error instanceof JobTimeoutError ? ATTEMPT_OUTCOME.TIMED_OUT : ATTEMPT_OUTCOME.FAILED;
      retryDelayMs = decision.delayMs;
      changes = {
        status: JOB_STATUS.RETRYING,
        nextRunAt: isoAt(finishedAt + decision.delayMs),
        // Backoffs beyond SQS's 15-minute delay go through a one-time schedule.
        pendingSchedule: decision.delayMs > LIMITS.maxSqsDelayMs ? jobScheduleName(job.id, job.attempts) : null,
        lastError,
        history: appendHistory(job.history, { ...historyBase, outcome, error: lastError }),
      };
    } else {
      outcome = ATTEMPT_OUTCOME.DEAD;
      changes = {
        status: JOB_STATUS.DEAD,
        deadReason: decision.reason,
        lastError,
        finishedAt: isoAt(finishedAt),
        expiresAt: expiryFor(job, JOB_STATUS.DEAD, finishedAt, deps.config),
        history: appendHistory(job.history, { ...historyBase, outcome, error: lastError }),
      };
    }
  }
  try {
    const after = await deps.store.update(
      job.id,
      // Closes the finish race: only the lease holder records the outcome, and not after a
      // cancel or a reclaim took the job away.
      { statuses: [JOB_STATUS.RUNNING], leaseToken },
      { ...changes, progress: progress.latest ?? job.progress, leaseToken: null, leaseUntil: null },
      finishedAt,
    );
    const group = groupOf(job);
    batch.deltas.move(group, JOB_STATUS.RUNNING, after.status);
    if (result.outcome === 'failed') batch.deltas.add(group, COUNTERS.failed);
    if (after.status === JOB_STATUS.RETRYING) batch.deltas.add(group, COUNTERS.retried);
    batch.deltas.observe(group, HISTOGRAMS.duration, durationMs / 1000);
    batch.deltas.observe(group, HISTOGRAMS.wait, waitMs / 1000);
    batch.attempts.push(report(job, outcome, durationMs, waitMs));
  } catch (error) {
    if (!(error instanceof StaleJobStateError)) throw error;
    const current = error.current as Job | null;
    if (current && current.leaseToken === leaseToken && (current.status === JOB_STATUS.CANCELLED || current.status === JOB_STATUS.DEAD)) {
      return acknowledgeStop(job, leaseToken, finishedAt, progress.latest, deps, batch, durationMs, waitMs);
    }
    logger.warn('attempt outcome discarded: the job was taken over or removed meanwhile', { status: current?.status ?? 'GONE' });
    return { action: 'ack', note: 'lease lost before the outcome was recorded' };
  }
  logger.info('attempt finished', { outcome, durationMs, ...(retryDelayMs !== undefined ? { retryInMs: retryDelayMs } : {}) });
  if (retryDelayMs === undefined) return { action: 'ack', note: outcome };
  const failure = await sendRetry(job, changes.pendingSchedule ?? null, finishedAt + retryDelayMs, retryDelayMs, deps);
  if (failure) {
    // The job is RETRYING in the table; this message comes back after its visibility timeout
    // and runs the retry then (hidden again until due). Slower, but nothing is lost.
    logger.warn('retry could not be sent or scheduled; keeping the current message', { reason: failure });
    return { action: 'keep', note: 'retry not sent; original kept' };
  }
  return { action: 'ack', note: `retry in ${retryDelayMs} ms` };
}

/** Sends the retry: an SQS delay up to 15 minutes, a one-time schedule beyond. Returns why it failed, if it did. */
async function sendRetry(job: Job, scheduleName: string | null, dueAt: number, delayMs: number, deps: Dependencies): Promise<string | null> {
  if (scheduleName) {
    try {
      await deps.scheduler.scheduleJob(scheduleName, job.id, job.priority, dueAt);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  const failures = await deps.queue.enqueue([{ jobId: job.id, priority: job.priority, delaySeconds: Math.ceil(delayMs / 1000) }]);
  return failures[0]?.reason ?? null;
}

/**
 * A recurring schedule fired: create the firing's job (its id derives from the schedule and the
 * scheduled time, so a duplicate delivery finds it instead of making another), then run it on
 * this very message, saving a round trip through the queue.
 */
export async function runFiringMessage(
  message: { scheduleName: string; scheduledAt: string; priority: Priority; receiptHandle: string },
  deps: Dependencies,
  batch: BatchContext,
): Promise<MessageOutcome> {
  const schedule = await deps.schedules.get(message.scheduleName);
  if (!schedule) return { action: 'ack', note: `schedule ${message.scheduleName} no longer exists` };
  if (!schedule.enabled) return { action: 'ack', note: `schedule ${message.scheduleName} is paused` };
  const now = deps.clock.now();
  const jobId = jobIdForFiring(schedule.name, message.scheduledAt);
  const { job } = buildJob(schedule.job, deps, now, { id: jobId, scheduleName: schedule.name, lenient: true });
  const created = await deps.store.create({ ...job, runAt: message.scheduledAt }, now);
  if (created.created) {
    batch.deltas.move(groupOf(job), null, JOB_STATUS.QUEUED);
  }
  return runJobMessage({ jobId, priority: message.priority, receiptHandle: message.receiptHandle }, deps, batch);
}

async function runHandler(
  job: Job,
  deps: Dependencies,
  signal: AbortSignal,
  progress: ProgressWriter,
  logger: JobLogger,
): Promise<AttemptResult> {
  const definition = deps.registry.get(job.type);
  if (!definition) {
    return { outcome: 'failed', error: new PermanentError(`no handler is registered for type "${job.type}" in this worker`) };
  }
  const checked = deps.registry.checkPayload(job.type, job.payload);
  if (!checked.ok) {
    return {
      outcome: 'failed',
      error: new PermanentError(`payload no longer matches the schema of "${job.type}": ${checked.issues[0]?.message ?? 'invalid'}`),
    };
  }
  const ctx: JobContext = {
    jobId: job.id,
    type: job.type,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    metadata: job.metadata,
    signal,
    progress: (value) => progress.report(value),
    logger,
  };
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  const running = Promise.resolve().then(() => (definition.handler as (p: unknown, c: JobContext) => unknown)(checked.value, ctx));
  // A handler that ignores its signal may settle after we moved on; its outcome is discarded.
  running.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    return { outcome: 'succeeded', value: await Promise.race([running, aborted]) };
  } catch (error) {
    if (signal.aborted && signal.reason instanceof JobCancelledError) return { outcome: 'stopped' };
    return { outcome: 'failed', error };
  }
}

/** A cancel or manual dead-letter stopped the attempt: record it and release the lease. */
async function acknowledgeStop(
  job: Job,
  leaseToken: string,
  now: number,
  latestProgress: unknown,
  deps: Dependencies,
  batch: BatchContext,
  durationMs: number,
  waitMs: number,
): Promise<MessageOutcome> {
  try {
    const current = await deps.store.get(job.id, now);
    if (current && current.leaseToken === leaseToken) {
      await deps.store.update(
        job.id,
        { statuses: [JOB_STATUS.CANCELLED, JOB_STATUS.DEAD], leaseToken },
        {
          leaseToken: null,
          leaseUntil: null,
          ...(latestProgress !== undefined ? { progress: latestProgress } : {}),
          history: appendHistory(current.history, {
            attempt: job.attempts,
            startedAt: job.startedAt ?? isoAt(now),
            finishedAt: isoAt(now),
            outcome: ATTEMPT_OUTCOME.CANCELLED,
            error: null,
          }),
        },
        now,
      );
    }
  } catch (error) {
    if (!(error instanceof StaleJobStateError)) throw error;
  }
  batch.attempts.push(report(job, ATTEMPT_OUTCOME.CANCELLED, durationMs, waitMs));
  return { action: 'ack', note: 'attempt stopped by cancel' };
}

/**
 * Coalesces progress reports: at most one write per second per job; the last value also rides
 * on the finishing write. A write refused because the lease is gone stops the attempt.
 */
class ProgressWriter {
  latest: unknown = undefined;
  onLeaseLost: () => void = () => undefined;
  private lastWriteAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly job: Job,
    private readonly leaseToken: string,
    private readonly deps: Dependencies,
    private readonly logger: JobLogger,
  ) {}

  report(value: number | Record<string, unknown>): void {
    if (typeof value === 'number' ? !Number.isFinite(value) : Buffer.byteLength(JSON.stringify(value)) > 4096) {
      this.logger.warn('progress ignored: use a number or a JSON object under 4 KB');
      return;
    }
    this.latest = typeof value === 'number' ? Math.max(0, Math.min(100, value)) : value;
    if (this.timer || this.stopped) return;
    const wait = Math.max(0, this.lastWriteAt + 1000 - Date.now());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    this.lastWriteAt = Date.now();
    const now = this.deps.clock.now();
    try {
      await this.deps.store.update(
        this.job.id,
        { statuses: [JOB_STATUS.RUNNING], leaseToken: this.leaseToken },
        { progress: this.latest },
        now,
      );
    } catch (error) {
      if (error instanceof StaleJobStateError) this.onLeaseLost();
      else this.logger.warn('progress write failed', { error: String(error) });
    }
  }
}

function capResult(value: unknown, maxBytes: number): unknown {
  const json = JSON.stringify(value ?? null) ?? 'null';
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= maxBytes) return JSON.parse(json) as unknown;
  return { truncated: true, sizeBytes: bytes, limitBytes: maxBytes };
}

function jobError(error: unknown, at: number): JobError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name || 'Error', message: e.message.slice(0, LIMITS.maxErrorMessageLength), at: isoAt(at) };
}

function report(job: Job, outcome: AttemptOutcome, durationMs: number, waitMs: number): AttemptReport {
  return { jobId: job.id, type: job.type, priority: job.priority, attempt: job.attempts, outcome, durationMs, waitMs };
}

function childLogger(logger: JobLogger, job: Job): JobLogger {
  const keys = { jobId: job.id, type: job.type, attempt: job.attempts, queue: job.priority };
  return {
    debug: (m, e) => logger.debug(m, { ...keys, ...e }),
    info: (m, e) => logger.info(m, { ...keys, ...e }),
    warn: (m, e) => logger.warn(m, { ...keys, ...e }),
    error: (m, e) => logger.error(m, { ...keys, ...e }),
  };
}
