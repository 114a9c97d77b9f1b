import { withJobKeys } from '../../shared/runtime/job-logger.ts';
import { runAttempt } from '../../shared/runtime/attempt-runner.ts';
import { claimJob } from '../../shared/use-cases/claim-job.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { finishAttempt } from '../../shared/use-cases/finish-attempt.ts';
import { loadDependencies } from '../../shared/use-cases/load-dependencies.ts';
import type { BatchContext, MessageOutcome, ReceivedMessage } from '../../shared/use-cases/message-outcome.ts';

/**
 * One message of a worker batch: claim the job with a lease, run its handler under its timeout
 * and cancel watch, record the outcome. Every path says what happens to the message.
 */
export async function runJobMessage(message: ReceivedMessage, deps: Dependencies, batch: BatchContext): Promise<MessageOutcome> {
  const claim = await claimJob(message, deps, batch);
  if (!claim.claimed) return claim.outcome;
  const logger = withJobKeys(batch.logger, claim.job);
  const run = await runAttempt(claim.job, deps, logger, await loadDependencies(claim.job, deps));
  return finishAttempt(claim.job, run, claim.waitMs, deps, batch, logger);
}
