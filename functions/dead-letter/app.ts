import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CounterDeltas } from '../../shared/domain/counter-deltas.ts';
import { decodeQueueMessage } from '../../shared/domain/queue-message.ts';
import { traceIdOf } from '../../shared/domain/trace-context.ts';
import { priorityResolver } from '../../shared/runtime/queue-priority.ts';
import { KeepMessageError, processSqsBatch } from '../../shared/runtime/sqs-batch.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { handleDeadFiring, handleDeadLetter } from '../../shared/use-cases/handle-dead-letter.ts';
import { flushCounters } from '../../shared/use-cases/transition-job.ts';

/**
 * Consumes the four SQS dead-letter queues and the schedule DLQ, and records each job's death in
 * the table.
 */
export function createDeadLetterApp(
  // No queue and no scheduler: the function records deaths in the table and sends nothing, so
  // it bundles neither the SQS nor the Scheduler client (shared/runtime/create-dependencies.ts).
  deps: Omit<Dependencies, 'scheduler'>,
  options: { deadLetterQueueUrls: Parameters<typeof priorityResolver>[0]; scheduleDeadLetterArn: string },
) {
  const priorityOf = priorityResolver(options.deadLetterQueueUrls);
  const queueOf = (arn: string): string => (arn === options.scheduleDeadLetterArn ? 'schedule' : priorityOf(arn));

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deltas = new CounterDeltas();
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      const message = decodeQueueMessage(record.body);
      if (!message) {
        deps.logger.error('dropping a dead letter that names no job or schedule', { messageId: record.messageId });
        return;
      }
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 0);
      let outcome;
      try {
        outcome =
          message.kind === 'job'
            ? await handleDeadLetter({ jobId: message.jobId, receiveCount, queue: queueOf(record.eventSourceARN) }, deps, deltas)
            : await handleDeadFiring(message, deps, deltas);
      } catch (error) {
        // Said out loud: the message only comes back after its visibility timeout, and a dead
        // letter that keeps failing (a missing grant, say) must not fail in silence.
        const about =
          message.kind === 'job'
            ? { jobId: message.jobId, ...(message.traceparent ? { traceId: traceIdOf(message.traceparent) } : {}) }
            : { schedule: message.scheduleName, at: message.scheduledAt };
        deps.logger.error('dead letter failed; it will be delivered again', { ...about, messageId: record.messageId, error: String(error) });
        throw error;
      }
      if (outcome.action === 'keep') throw new KeepMessageError(outcome.note);
    };
    const response = await processSqsBatch(event, context, recordHandler);
    await flushCounters(deps, deltas);
    return response;
  };
}
