import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CounterDeltas } from '../../shared/ports/job-counters.ts';
import { decodeJobMessage } from '../../shared/ports/job-queue.ts';
import { priorityResolver } from '../../shared/runtime/queue-priority.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { handleDeadLetter } from '../../shared/use-cases/handle-dead-letter.ts';
import { flushCounters } from '../../shared/use-cases/transition-job.ts';

class KeepMessageError extends Error {
  override name = 'KeepMessageError';
}

/** Consumes the four SQS dead-letter queues and records each job's death in the table. */
export function createDeadLetterApp(deps: Dependencies, options: { deadLetterQueueUrls: Parameters<typeof priorityResolver>[0] }) {
  const priorityOf = priorityResolver(options.deadLetterQueueUrls);

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deltas = new CounterDeltas();
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      const jobId = decodeJobMessage(record.body);
      if (!jobId) {
        deps.logger.error('dropping a dead letter that does not name a job', { messageId: record.messageId });
        return;
      }
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 0);
      const outcome = await handleDeadLetter({ jobId, receiveCount, queue: priorityOf(record.eventSourceARN) }, deps, deltas);
      if (outcome.action === 'keep') throw new KeepMessageError(outcome.note);
    };
    const processor = new BatchProcessor(EventType.SQS);
    const response = await processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
    await flushCounters(deps, deltas);
    return response;
  };
}
