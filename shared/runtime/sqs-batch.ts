import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** Thrown for a record whose message must come back later (reported as a batch item failure). */
export class KeepMessageError extends Error {
  override name = 'KeepMessageError';
}

/**
 * Runs a batch's records in parallel with Powertools' batch processor and answers
 * ReportBatchItemFailures with exactly the records whose handler threw. A fresh processor per
 * call: the local cloud runs several batches of one function at once in one process. Keeping
 * every message of a batch (all duplicates, say) is normal, not a function error.
 */
export function processSqsBatch(
  event: SQSEvent,
  context: Context,
  recordHandler: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context, throwOnFullBatchFailure: false });
}
