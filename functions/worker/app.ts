import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CounterDeltas } from '../../shared/domain/counter-deltas.ts';
import { messageVisibilitySeconds } from '../../shared/domain/lease.ts';
import { decodeQueueMessage } from '../../shared/domain/queue-message.ts';
import { traceIdOf } from '../../shared/domain/trace-context.ts';
import { priorityResolver } from '../../shared/runtime/queue-priority.ts';
import { KeepMessageError, processSqsBatch } from '../../shared/runtime/sqs-batch.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { createFiringJob } from '../../shared/use-cases/create-firing-job.ts';
import type { BatchContext, MessageOutcome, ReceivedMessage } from '../../shared/use-cases/message-outcome.ts';
import { runJobMessage } from './run-job-message.ts';
import type { QueueMessage } from '../../shared/domain/queue-message.ts';
import { flushCounters } from '../../shared/use-cases/transition-job.ts';

export interface WorkerOptions {
  queueUrls: Parameters<typeof priorityResolver>[0];
}

/**
 * The worker: runs a batch's records in parallel and answers ReportBatchItemFailures with exactly
 * the messages that must come back. Counter deltas of the whole batch go out in one write.
 */
export function createWorkerApp(deps: Dependencies, options: WorkerOptions) {
  const priorityOf = priorityResolver(options.queueUrls);

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batch: BatchContext = { deltas: new CounterDeltas(), logger: deps.logger };
    // Each body decoded once, for the hiding below and for its run.
    const received = new Map(event.Records.map((record) => [record.messageId, receive(record, priorityOf)]));
    // First of all, hide each message for just its job's lease: if this worker dies, the
    // messages come back within a minute of the lease's end, not after the queue's timeout.
    const hiding = hideForLease([...received.values()], deps);
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      const { message, common } = received.get(record.messageId) ?? receive(record, priorityOf);
      if (!message) {
        // Not a SkyForge message (sent by hand?): nothing can run it, so it is dropped loudly.
        deps.logger.error('dropping a message that names no job or schedule', { messageId: record.messageId, body: record.body.slice(0, 200) });
        return;
      }
      try {
        const outcome = await runMessage(message, common, deps, batch);
        if (outcome.action === 'keep') throw new KeepMessageError(outcome.note);
      } catch (error) {
        const about =
          message.kind === 'job'
            ? { jobId: message.jobId, ...(message.traceparent ? { traceId: traceIdOf(message.traceparent) } : {}) }
            : { schedule: message.scheduleName, at: message.scheduledAt };
        if (!(error instanceof KeepMessageError)) {
          deps.logger.error('message failed; it will be delivered again', { ...about, messageId: record.messageId, error: String(error) });
        } else {
          deps.logger.debug('message kept for later', { ...about, note: error.message });
        }
        throw error;
      }
    };
    const early = flushWhileRunning(batch, deps);
    try {
      const response = await processSqsBatch(event, context, recordHandler);
      await Promise.all([early.settle(), flushCounters(deps, batch.deltas), hiding]);
      return response;
    } finally {
      early.cancel();
    }
  };
}

/** A batch still running after this long writes what it counted so far (its claims: RUNNING). */
export const RUNNING_VISIBLE_AFTER_MS = 1000;

/**
 * A batch's counters go out in one write when it ends; a batch whose attempts run longer than a
 * second writes its claims once before, so RUNNING (and skyforge_worker_utilization) shows the
 * jobs that run for a while. Quick batches (most) keep their single write.
 */
function flushWhileRunning(batch: BatchContext, deps: Dependencies): { settle(): Promise<void>; cancel(): void } {
  let written: Promise<void> = Promise.resolve();
  const timer = setTimeout(() => {
    const sofar = batch.deltas;
    batch.deltas = new CounterDeltas();
    written = flushCounters(deps, sofar);
  }, RUNNING_VISIBLE_AFTER_MS);
  return {
    settle: () => {
      clearTimeout(timer);
      return written;
    },
    cancel: () => clearTimeout(timer),
  };
}

/** A job's message runs its job; a schedule's firing first creates the firing's job, then runs it. */
async function runMessage(
  message: QueueMessage,
  common: Omit<ReceivedMessage, 'jobId'>,
  deps: Dependencies,
  batch: BatchContext,
): Promise<MessageOutcome> {
  if (message.kind === 'job') {
    const carried = {
      ...(message.timeoutMs !== undefined ? { timeoutMs: message.timeoutMs } : {}),
      ...(message.flowControl || message.reservations ? { flow: { flowControl: message.flowControl, reservations: message.reservations } } : {}),
      ...(message.traceparent ? { traceparent: message.traceparent } : {}),
    };
    return runJobMessage({ jobId: message.jobId, ...common, ...carried }, deps, batch);
  }
  const firing = await createFiringJob(message, deps, batch);
  if ('action' in firing) return firing;
  return runJobMessage({ jobId: firing.jobId, ...common }, deps, batch);
}

/** One ChangeMessageVisibilityBatch per queue for the whole batch; a failure only delays recovery. */
/** A record as the batch handles it: its message (null: not SkyForge's) and where it came from. */
interface Received {
  message: QueueMessage | null;
  common: Omit<ReceivedMessage, 'jobId'>;
}

function receive(record: SQSRecord, priorityOf: (arn: string) => ReceivedMessage['priority']): Received {
  const message = decodeQueueMessage(record.body);
  const visibilitySeconds = messageVisibilitySeconds(message?.kind === 'job' ? message.timeoutMs : undefined);
  return { message, common: { priority: priorityOf(record.eventSourceARN), receiptHandle: record.receiptHandle, visibilitySeconds } };
}

async function hideForLease(records: readonly Received[], deps: Dependencies): Promise<void> {
  const changes = records
    .filter((r) => r.message !== null)
    .map(({ common }) => ({ priority: common.priority, receiptHandle: common.receiptHandle, seconds: common.visibilitySeconds }));
  if (changes.length === 0) return;
  try {
    const failed = await deps.queue.hide(changes);
    if (failed > 0) deps.logger.warn('could not shorten the visibility of some messages; a crash would delay them', { failed });
  } catch (error) {
    deps.logger.warn('could not shorten the visibility of the batch; a crash would delay it', { error: String(error) });
  }
}
