import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CounterDeltas } from '../../shared/domain/counter-deltas.ts';
import { decodeQueueMessage } from '../../shared/domain/queue-message.ts';
import { priorityResolver } from '../../shared/runtime/queue-priority.ts';
import { KeepMessageError, processSqsBatch } from '../../shared/runtime/sqs-batch.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { runFiringMessage, runJobMessage, type AttemptReport, type BatchContext } from '../../shared/use-cases/run-job.ts';
import { flushCounters } from '../../shared/use-cases/transition-job.ts';

export interface WorkerOptions {
  queueUrls: Parameters<typeof priorityResolver>[0];
  /** Called once per batch with every attempt's outcome (metrics hook). */
  onBatchDone?: (attempts: readonly AttemptReport[]) => void | Promise<void>;
}

/**
 * The worker: runs a batch's records in parallel and answers ReportBatchItemFailures with exactly
 * the messages that must come back. Counter deltas of the whole batch go out in one write.
 */
export function createWorkerApp(deps: Dependencies, options: WorkerOptions) {
  const priorityOf = priorityResolver(options.queueUrls);

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batch: BatchContext = { deltas: new CounterDeltas(), attempts: [], logger: deps.logger };
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      const message = decodeQueueMessage(record.body);
      if (!message) {
        // Not a SkyForge message (sent by hand?): nothing can run it, so it is dropped loudly.
        deps.logger.error('dropping a message that names no job or schedule', { messageId: record.messageId, body: record.body.slice(0, 200) });
        return;
      }
      const common = { priority: priorityOf(record.eventSourceARN), receiptHandle: record.receiptHandle };
      try {
        const outcome =
          message.kind === 'job'
            ? await runJobMessage({ jobId: message.jobId, ...common }, deps, batch)
            : await runFiringMessage({ scheduleName: message.scheduleName, scheduledAt: message.scheduledAt, ...common }, deps, batch);
        if (outcome.action === 'keep') throw new KeepMessageError(outcome.note);
      } catch (error) {
        const about = message.kind === 'job' ? { jobId: message.jobId } : { schedule: message.scheduleName, at: message.scheduledAt };
        if (!(error instanceof KeepMessageError)) {
          deps.logger.error('message failed; it will be delivered again', { ...about, messageId: record.messageId, error: String(error) });
        } else {
          deps.logger.debug('message kept for later', { ...about, note: error.message });
        }
        throw error;
      }
    };
    const response = await processSqsBatch(event, context, recordHandler);
    await flushCounters(deps, batch.deltas);
    await options.onBatchDone?.(batch.attempts);
    return response;
  };
}
