import { childSpan, newTrace, storedTrace } from '../../shared/domain/trace-context.ts';
import { withJobKeys, withKeys } from '../../shared/runtime/job-logger.ts';
import { runAttempt } from '../../shared/runtime/attempt-runner.ts';
import { claimJob } from '../../shared/use-cases/claim-job.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { finishAttempt } from '../../shared/use-cases/finish-attempt.ts';
import { loadDependencies } from '../../shared/use-cases/load-dependencies.ts';
import type { BatchContext, MessageOutcome, ReceivedMessage } from '../../shared/use-cases/message-outcome.ts';
import { errorText, jobAttributes, recordSpan } from './job-spans.ts';

/**
 * One message of a worker batch: claim the job with a lease, run its handler under its timeout
 * and cancel watch, record the outcome. Every path says what happens to the message.
 * Claim, attempt and finish are spans of the job's trace (docs/tracing.md): the message's
 * traceparent names it before the claim has read the job, the job's own after.
 */
export async function runJobMessage(message: ReceivedMessage, deps: Dependencies, batch: BatchContext): Promise<MessageOutcome> {
  const claimStart = deps.clock.now();
  const carried = storedTrace(message.traceparent);
  const claimSpan = carried ? childSpan(carried) : undefined;
  const claimLogger = claimSpan ? withKeys(batch.logger, { traceId: claimSpan.traceId, spanId: claimSpan.spanId }) : batch.logger;
  // Use cases log through deps.logger too: their lines about this job carry its trace as well.
  const claim = await claimJob(message, { ...deps, logger: claimLogger }, { ...batch, logger: claimLogger });
  // A job from before traces existed gets one of its own per attempt, so its lines still carry one.
  const parent = (claim.claimed ? storedTrace(claim.job.traceparent, claim.job.tracestate) : null) ?? carried ?? newTrace();
  const claimed = claimSpan?.traceId === parent.traceId ? claimSpan : childSpan(parent);
  if (!claim.claimed) {
    if (carried) recordSpan(deps, { name: 'job.claim', kind: 'consumer', trace: claimed, startMs: claimStart }, { 'skyforge.job.id': message.jobId, 'skyforge.job.queue': message.priority, 'skyforge.message.action': claim.outcome.action });
    return claim.outcome;
  }
  const job = claim.job;
  recordSpan(deps, { name: 'job.claim', kind: 'consumer', trace: claimed, startMs: claimStart }, { ...jobAttributes(job), 'skyforge.message.action': 'claimed' });
  const attempt = childSpan(parent);
  const run = await runAttempt(job, deps, withJobKeys(batch.logger, job, attempt), attempt, await loadDependencies(job, deps));
  const failure = run.result.kind === 'failed' ? errorText(run.result.error) : undefined;
  recordSpan(deps, { name: 'job.attempt', kind: 'internal', trace: attempt, startMs: run.startedAt, endMs: run.finishedAt }, { ...jobAttributes(job), 'skyforge.job.outcome': run.result.kind }, failure);
  const finish = childSpan(parent);
  const finishStart = deps.clock.now();
  const finishLogger = withJobKeys(batch.logger, job, finish);
  const outcome = await finishAttempt(job, run, claim.waitMs, { ...deps, logger: finishLogger }, batch, finishLogger);
  recordSpan(deps, { name: 'job.finish', kind: 'internal', trace: finish, startMs: finishStart }, { ...jobAttributes(job), 'skyforge.job.outcome': run.result.kind, 'skyforge.message.action': outcome.action });
  return outcome;
}
