import { decideAttempt, type AttemptDecision, type AttemptResult, type FollowUp } from '../domain/attempt-decision.ts';
import { StaleJobStateError } from '../domain/errors.ts';
import { JOB_STATUS, type Job } from '../domain/job.ts';
import type { JobLogger } from '../jobs/registry.ts';
import { messageFlowOf } from '../domain/queue-message.ts';
import type { Dependencies } from './dependencies.ts';
import { releaseFlowSlots } from './release-flow-slots.ts';
import { releaseDependents } from './release-dependents.ts';
import type { BatchContext, MessageOutcome } from './message-outcome.ts';

/** What the attempt runner reports (runtime/attempt-runner.ts). */
export interface FinishedRun {
  result: AttemptResult;
  startedAt: number;
  finishedAt: number;
  progress: unknown;
}

/**
 * Records an attempt's outcome: decides it (domain/attempt-decision.ts), performs the decided
 * event as one conditional write under the attempt's lease, counts it, and sends the retry's
 * message or one-time schedule. An attempt stopped by a cancel or a manual dead-letter only
 * records itself and releases its lease.
 */
export async function finishAttempt(
  job: Job,
  run: FinishedRun,
  waitMs: number,
  deps: Dependencies,
  batch: BatchContext,
  logger: JobLogger,
): Promise<MessageOutcome> {
  const decide = (result: AttemptResult): AttemptDecision =>
    decideAttempt({
      job,
      result,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      waitMs,
      progress: run.progress,
      maxResultBytes: deps.config.maxResultBytes,
      retention: deps.config,
      random: deps.random,
    });
  let decision = decide(run.result);
  const refused = await record(job, decision, run.finishedAt, deps, batch);
  if (refused) {
    const { current } = refused;
    const stoppedMeanwhile =
      current?.leaseToken === job.leaseToken && (current?.status === JOB_STATUS.CANCELLED || current?.status === JOB_STATUS.DEAD);
    if (!stoppedMeanwhile || run.result.kind === 'stopped') {
      logger.warn('attempt outcome discarded: the job was taken over or removed meanwhile', { status: current?.status ?? 'GONE' });
      return { action: 'ack', note: 'lease lost before the outcome was recorded' };
    }
    // Cancelled or dead-lettered by hand just before the outcome: the attempt only stops.
    decision = decide({ kind: 'stopped' });
    await record(job, decision, run.finishedAt, deps, batch);
  }
  if (decision.event === 'RELEASE') return { action: 'ack', note: 'attempt stopped by cancel' };
  // A flow job's end releases (or cancels) its dependents before its message is acknowledged: a
  // crash in between brings the message back, and the claim of a finished job re-runs the release.
  if (decision.event === 'SUCCEED' || decision.event === 'FAIL') {
    await releaseDependents({ ...job, status: decision.event === 'SUCCEED' ? JOB_STATUS.SUCCEEDED : JOB_STATUS.DEAD }, deps, batch.deltas, { redelivered: true });
  }
  const durationMs = run.finishedAt - run.startedAt;
  logger.info('attempt finished', { outcome: decision.outcome, durationMs, ...(decision.retryInMs !== null ? { retryInMs: decision.retryInMs } : {}) });
  if (!decision.followUp) return { action: 'ack', note: decision.outcome };
  const failure = await sendFollowUp(job, decision.followUp, deps);
  if (failure) {
    // The job is RETRYING in the table; this message comes back once its visibility (the
    // attempt's lease and slack) ends and runs the retry then (hidden again until due).
    logger.warn('retry could not be sent or scheduled; keeping the current message', { reason: failure });
    return { action: 'keep', note: 'retry not sent; original kept' };
  }
  return { action: 'ack', note: `retry in ${decision.retryInMs} ms` };
}

/** Performs the decided write; when the lease was no longer this attempt's, the job as it stands. */
async function record(
  job: Job,
  decision: AttemptDecision,
  now: number,
  deps: Dependencies,
  batch: BatchContext,
): Promise<{ current: Job | null } | null> {
  try {
    await deps.store.transition(job.id, { event: decision.event, leaseToken: job.leaseToken, changes: decision.changes }, now);
    batch.deltas.merge(decision.deltas);
    // The outcome is written: the attempt's parallelism slot is free for the key's next job.
    await releaseFlowSlots(job, deps);
    return null;
  } catch (error) {
    if (error instanceof StaleJobStateError) return { current: error.current as Job | null };
    throw error;
  }
}

/** Sends the retry: an SQS delay up to 15 minutes, a one-time schedule beyond. Returns why it failed, if it did. */
async function sendFollowUp(job: Job, followUp: FollowUp, deps: Dependencies): Promise<string | null> {
  if (followUp.kind === 'schedule') {
    try {
      await deps.scheduler.scheduleJob(followUp.name, job.id, job.priority, followUp.dueAt, job.timeoutMs, messageFlowOf(job).flow);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  const failures = await deps.queue.enqueue([{ jobId: job.id, priority: job.priority, delaySeconds: followUp.delaySeconds, timeoutMs: job.timeoutMs, ...messageFlowOf(job) }]);
  return failures[0]?.reason ?? null;
}
