import { failedEntry, readBatchEntries, type FailedBatchEntry } from './batch-entries.ts';
import { SqsRequestError, invalidParameter } from './errors.ts';
import type { VisibilityChange } from './mutations.ts';
import type { Operation } from './operation-context.ts';
import type { Queue } from './queue.ts';
import { parseReceiptHandle } from './receipt-handle.ts';

/**
 * Operations that act on a received message through its receipt handle: DeleteMessage,
 * ChangeMessageVisibility and their batch forms.
 *
 * Which handle counts, and what SQS answers otherwise:
 * - A string that is not a receipt handle at all: ReceiptHandleIsInvalid (the modeled error SQS
 *   returns for random values, aws/aws-sdk-java#1628).
 * - Delete with an older handle of a message that was received again since: success, but the
 *   message stays. The DeleteMessage API reference says so for standard queues ("if you don't
 *   provide the most recently received receipt handle ... the request will still succeed, but
 *   the message might not be deleted"). Deleting a message that is already gone also succeeds.
 * - ChangeMessageVisibility with an older handle, or for a message that is gone:
 *   InvalidParameterValue "... Reason: Message does not exist or is not available for
 *   visibility timeout change." (what SQS answers, e.g. mapbox/ecs-watchbot#135).
 * - ChangeMessageVisibility with the latest handle after the visibility timeout ran out (the
 *   message is receivable again, not in flight): MessageNotInflight.
 */

/** A visibility timeout may extend to at most 12 hours after the receive that issued the handle. */
const MAX_VISIBILITY_SECONDS = 43_200;

export const deleteMessage: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const id = deletableMessageId(queue, fields.requiredString('ReceiptHandle'));
  if (id !== undefined) context.commit({ type: 'delete', queue: queue.name, ids: [id] });
  return {};
};

export const deleteMessageBatch: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const entries = readBatchEntries(fields, 'DeleteMessageBatchRequestEntry');
  const ids = new Set<string>();
  const successful: Array<{ Id: string }> = [];
  const failed: FailedBatchEntry[] = [];
  for (const entry of entries) {
    try {
      const id = deletableMessageId(queue, entry.fields.requiredString('ReceiptHandle'));
      if (id !== undefined) ids.add(id);
      successful.push({ Id: entry.id });
    } catch (error) {
      failed.push(failedEntry(entry.id, error));
    }
  }
  if (ids.size > 0) context.commit({ type: 'delete', queue: queue.name, ids: [...ids] });
  return { Successful: successful, Failed: failed };
};

export const changeMessageVisibility: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const handle = fields.requiredString('ReceiptHandle');
  const timeout = fields.requiredInteger('VisibilityTimeout', 0, MAX_VISIBILITY_SECONDS);
  const change = visibilityChange(queue, handle, timeout, context.now());
  context.commit({ type: 'changeVisibility', queue: queue.name, changes: [change] });
  if (timeout === 0) context.notify(queue.name);
  return {};
};

export const changeMessageVisibilityBatch: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const entries = readBatchEntries(fields, 'ChangeMessageVisibilityBatchRequestEntry');
  const now = context.now();
  const changes: VisibilityChange[] = [];
  const successful: Array<{ Id: string }> = [];
  const failed: FailedBatchEntry[] = [];
  for (const entry of entries) {
    try {
      const handle = entry.fields.requiredString('ReceiptHandle');
      const timeout = entry.fields.requiredInteger('VisibilityTimeout', 0, MAX_VISIBILITY_SECONDS);
      changes.push(visibilityChange(queue, handle, timeout, now));
      successful.push({ Id: entry.id });
    } catch (error) {
      failed.push(failedEntry(entry.id, error));
    }
  }
  if (changes.length > 0) {
    context.commit({ type: 'changeVisibility', queue: queue.name, changes });
    if (changes.some((change) => change.visibleAt <= now)) context.notify(queue.name);
  }
  return { Successful: successful, Failed: failed };
};

/** The message a delete should remove, or undefined when the delete succeeds without effect. */
function deletableMessageId(queue: Queue, handle: string): string | undefined {
  const parts = parseReceiptHandle(handle);
  if (parts === undefined || parts.queue !== queue.name) throw invalidHandle(handle);
  const message = queue.get(parts.messageId);
  return message !== undefined && message.receiptHandle === handle ? message.id : undefined;
}

function visibilityChange(queue: Queue, handle: string, timeoutSeconds: number, now: number): VisibilityChange {
  const parts = parseReceiptHandle(handle);
  if (parts === undefined || parts.queue !== queue.name) throw invalidHandle(handle);
  const message = queue.get(parts.messageId);
  if (message === undefined || message.receiptHandle !== handle) {
    throw invalidParameter('ReceiptHandle', handle, 'Message does not exist or is not available for visibility timeout change.');
  }
  if (message.visibleAt <= now) {
    throw new SqsRequestError('MessageNotInflight', 'The message referred to is not in flight.');
  }
  const receivedAt = message.receivedAt ?? now;
  if (now + timeoutSeconds * 1000 > receivedAt + MAX_VISIBILITY_SECONDS * 1000) {
    throw invalidParameter(
      'VisibilityTimeout',
      timeoutSeconds,
      `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`,
    );
  }
  return { id: message.id, visibleAt: now + timeoutSeconds * 1000 };
}

function invalidHandle(handle: string): SqsRequestError {
  return new SqsRequestError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
}
