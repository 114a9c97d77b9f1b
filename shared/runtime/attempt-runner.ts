import type { AttemptResult } from '../domain/attempt-decision.ts';
import { JobCancelledError, JobTimeoutError, PermanentError } from '../domain/errors.ts';
import { JOB_STATUS, type Job } from '../domain/job.ts';
import { formatTraceparent, newTrace, type TraceContext } from '../domain/trace-context.ts';
import type { DependencyOutcome, JobContext, JobLogger, JobRegistry } from '../jobs/registry.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobStore } from '../ports/job-store.ts';
import { ProgressWriter } from './progress-writer.ts';

export interface AttemptRunnerDeps {
  store: Pick<JobStore, 'leaseState' | 'transition'>;
  registry: JobRegistry;
  clock: Clock;
  config: { cancelPollMs: number };
}

/** How a handler's run went, with its times and the last progress it reported. */
export interface AttemptRun {
  result: AttemptResult;
  startedAt: number;
  finishedAt: number;
  progress: unknown;
}

/**
 * Runs a claimed job's handler under its timeout, its cancel watch and its progress writer. The
 * AbortSignal fires with JobTimeoutError at `timeoutMs`, or with JobCancelledError when the job
 * stops being this attempt's (cancelled, dead-lettered, deleted, taken over).
 */
export async function runAttempt(
  job: Job,
  deps: AttemptRunnerDeps,
  logger: JobLogger,
  trace: TraceContext = newTrace(),
  dependencies: Record<string, DependencyOutcome> = {},
): Promise<AttemptRun> {
  const startedAt = deps.clock.now();
  const controller = new AbortController();
  const stop = (why: string): void => controller.abort(new JobCancelledError(why));
  const progress = new ProgressWriter(job, deps, logger, () => stop('job was stopped while running'));
  const timeout = setTimeout(() => controller.abort(new JobTimeoutError(job.timeoutMs)), job.timeoutMs);
  const watch = setInterval(() => void watchLease(job, deps, logger, stop), deps.config.cancelPollMs);
  let outcome: AttemptResult;
  try {
    outcome = await runHandler(job, deps.registry, { signal: controller.signal, progress, logger, trace, dependencies });
  } finally {
    clearTimeout(timeout);
    clearInterval(watch);
    progress.stop();
  }
  const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
  let result = outcome;
  if (reason instanceof JobCancelledError) result = { kind: 'stopped' };
  else if (reason instanceof JobTimeoutError && outcome.kind === 'failed') result = { kind: 'failed', error: reason };
  return { result, startedAt, finishedAt: deps.clock.now(), progress: progress.latest };
}

/** One look at the job: is it still this attempt's? */
async function watchLease(job: Job, deps: AttemptRunnerDeps, logger: JobLogger, stop: (why: string) => void): Promise<void> {
  try {
    const state = await deps.store.leaseState(job.id);
    if (!state) stop('job was deleted while running');
    else if (state.status !== JOB_STATUS.RUNNING || state.leaseToken !== job.leaseToken) {
      stop(`job was ${state.status.toLowerCase()} while running`);
    }
  } catch (error) {
    logger.warn('cancel watch could not read the job', { error: String(error) });
  }
}

async function runHandler(
  job: Job,
  registry: JobRegistry,
  run: { signal: AbortSignal; progress: ProgressWriter; logger: JobLogger; trace: TraceContext; dependencies: Record<string, DependencyOutcome> },
): Promise<AttemptResult> {
  const { signal, progress, logger } = run;
  const definition = registry.get(job.type);
  if (!definition) {
    return { kind: 'failed', error: new PermanentError(`no handler is registered for type "${job.type}" in this worker`) };
  }
  const checked = registry.checkPayload(job.type, job.payload);
  if (!checked.ok) {
    const why = checked.issues[0]?.message ?? 'invalid';
    return { kind: 'failed', error: new PermanentError(`payload no longer matches the schema of "${job.type}": ${why}`) };
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
    trace: {
      traceId: run.trace.traceId,
      spanId: run.trace.spanId,
      traceparent: formatTraceparent(run.trace),
      ...(run.trace.tracestate ? { tracestate: run.trace.tracestate } : {}),
    },
    dependencies: run.dependencies,
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
    return { kind: 'succeeded', value: await Promise.race([running, aborted]) };
  } catch (error) {
    if (signal.aborted && signal.reason instanceof JobCancelledError) return { kind: 'stopped' };
    return { kind: 'failed', error };
  }
}
