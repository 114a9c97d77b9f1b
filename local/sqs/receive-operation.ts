import { md5OfMessageAttributes } from './md5.ts';
import { selectMessageAttributes } from './message-attributes.ts';
import type { Delivery } from './mutations.ts';
import type { Operation, OperationContext, OperationOutput } from './operation-context.ts';
import { readRedrivePolicy } from './queue-attributes.ts';
import type { Queue, StoredMessage } from './queue.ts';
import { createReceiptHandle } from './receipt-handle.ts';
import { takeFairly } from './fair-queues.ts';

/** ReceiveMessage: long polling, visibility, receive counts, redrive and retention. */

const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_WAIT_SECONDS = 20;

/** System attributes a message can carry on a standard queue (SequenceNumber and MessageDeduplicationId are FIFO-only). */
const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'MessageGroupId',
  'DeadLetterQueueSourceArn',
] as const;

interface ReceiveRequest {
  maxMessages: number;
  visibilityTimeoutSeconds: number | undefined;
  /** Names from AttributeNames (legacy) and MessageSystemAttributeNames together. */
  systemAttributeNames: ReadonlySet<string>;
  messageAttributeNames: readonly string[];
}

export const receiveMessage: Operation = (context, fields, signal) => {
  const queue = context.requireQueue(fields);
  const request: ReceiveRequest = {
    maxMessages: fields.optionalInteger('MaxNumberOfMessages', 1, 10) ?? 1,
    visibilityTimeoutSeconds: fields.optionalInteger('VisibilityTimeout', 0, MAX_VISIBILITY_SECONDS),
    systemAttributeNames: new Set([
      ...fields.optionalStringList('AttributeNames'),
      ...fields.optionalStringList('MessageSystemAttributeNames'),
    ]),
    messageAttributeNames: fields.optionalStringList('MessageAttributeNames'),
  };
  const waitSeconds =
    fields.optionalInteger('WaitTimeSeconds', 0, MAX_WAIT_SECONDS) ?? queue.numberAttribute('ReceiveMessageWaitTimeSeconds');
  const attempt = (): OperationOutput | undefined => {
    // The queue was deleted (or deleted and created again) while the receive waited: answer empty.
    if (context.state.get(queue.name) !== queue) return {};
    const messages = receiveNow(context, queue, request);
    return messages.length === 0 ? undefined : { Messages: messages };
  };
  const immediate = attempt();
  if (immediate !== undefined || waitSeconds === 0) return immediate ?? {};
  return context.longPoll(queue.name, waitSeconds * 1000, attempt, signal);
};

/**
 * Takes up to `maxMessages` receivable messages. On the way it drops messages past their
 * retention and, when the queue has a RedrivePolicy, moves a message whose receive count has
 * reached maxReceiveCount to the dead-letter queue instead of delivering it again (so with
 * maxReceiveCount 3 a message is delivered 3 times and moved on the 4th receive, as in SQS).
 */
function receiveNow(context: OperationContext, queue: Queue, request: ReceiveRequest): OperationOutput[] {
  const now = context.now();
  const retentionMs = queue.numberAttribute('MessageRetentionPeriod') * 1000;
  const redrive = readRedrivePolicy(queue.attributes);
  const deadLetterQueue = redrive === undefined ? undefined : context.queueNameFromArn(redrive.deadLetterTargetArn);
  const picked: StoredMessage[] = [];
  const expired: string[] = [];
  const moved: string[] = [];
  try {
    // Fair queues: quiet tenants (MessageGroupId) before noisy ones (fair-queues.ts).
    for (let candidates = takeFairly(queue, now, request.maxMessages); candidates.length > 0; ) {
      for (const message of candidates) {
        if (message.sentAt + retentionMs <= now) expired.push(message.id);
        else if (
          redrive !== undefined &&
          deadLetterQueue !== undefined &&
          deadLetterQueue !== queue.name &&
          message.receiveCount >= redrive.maxReceiveCount
        ) {
          moved.push(message.id);
        } else picked.push(message);
      }
      candidates = picked.length < request.maxMessages ? takeFairly(queue, now, request.maxMessages - picked.length) : [];
    }
    if (expired.length > 0) context.commit({ type: 'expire', queue: queue.name, ids: expired });
    if (moved.length > 0 && deadLetterQueue !== undefined) {
      context.commit({
        type: 'redrive',
        queue: queue.name,
        target: deadLetterQueue,
        sourceArn: context.queueArn(queue.name),
        ids: moved,
        at: now,
      });
    }
    if (picked.length > 0) {
      const visibilityMs = (request.visibilityTimeoutSeconds ?? queue.numberAttribute('VisibilityTimeout')) * 1000;
      const deliveries: Delivery[] = picked.map((message) => ({
        id: message.id,
        receiptHandle: createReceiptHandle(queue.name, message.id),
        visibleAt: now + visibilityMs,
      }));
      context.commit({ type: 'receive', queue: queue.name, at: now, deliveries });
    }
  } catch (error) {
    // A failed commit (disk full ...) must not strand taken messages off the schedule.
    for (const id of [...picked.map((message) => message.id), ...expired, ...moved]) {
      const message = queue.get(id);
      if (message !== undefined && message.visibleAt <= now) queue.reschedule(message, message.visibleAt);
    }
    throw error;
  }
  if (moved.length > 0 && deadLetterQueue !== undefined) context.notify(deadLetterQueue);
  return picked.map((message) => renderMessage(context, message, request));
}

function renderMessage(context: OperationContext, message: StoredMessage, request: ReceiveRequest): OperationOutput {
  const output: OperationOutput = {
    MessageId: message.id,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  const systemAttributes = renderSystemAttributes(context, message, request.systemAttributeNames);
  if (systemAttributes !== undefined) output['Attributes'] = systemAttributes;
  const attributes = selectMessageAttributes(message.attributes, request.messageAttributeNames);
  if (attributes !== undefined) {
    // The digest covers the attributes returned, which is what the SDKs that check it recompute.
    output['MD5OfMessageAttributes'] = md5OfMessageAttributes(attributes);
    output['MessageAttributes'] = attributes;
  }
  return output;
}

function renderSystemAttributes(
  context: OperationContext,
  message: StoredMessage,
  requested: ReadonlySet<string>,
): Record<string, string> | undefined {
  if (requested.size === 0) return undefined;
  const all = requested.has('All');
  const values: Record<(typeof SYSTEM_ATTRIBUTE_NAMES)[number], string | undefined> = {
    SenderId: context.accountId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceiveAt === undefined ? undefined : String(message.firstReceiveAt),
    AWSTraceHeader: message.systemAttributes['AWSTraceHeader']?.StringValue,
    MessageGroupId: message.groupId,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const result: Record<string, string> = {};
  let count = 0;
  for (const name of SYSTEM_ATTRIBUTE_NAMES) {
    const value = values[name];
    if ((all || requested.has(name)) && value !== undefined) {
      result[name] = value;
      count += 1;
    }
  }
  return count === 0 ? undefined : result;
}
