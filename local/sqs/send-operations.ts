import { randomUUID } from 'node:crypto';
import { failedEntry, readBatchEntries, type FailedBatchEntry } from './batch-entries.ts';
import { SqsRequestError, invalidParameter, missingParameter } from './errors.ts';
import { md5OfBody, md5OfMessageAttributes } from './md5.ts';
import {
  findInvalidCharacter,
  messageAttributesSize,
  parseMessageAttributes,
  parseSystemAttributes,
} from './message-attributes.ts';
import type { NewMessage } from './mutations.ts';
import type { Operation, OperationOutput } from './operation-context.ts';
import type { Queue } from './queue.ts';
import type { RequestFields } from './request-fields.ts';

/** SendMessage and SendMessageBatch. */

/** A batch's bodies and attributes together may not exceed 1 MiB (SQS's total payload limit). */
const MAX_BATCH_BYTES = 1_048_576;
const MAX_DELAY_SECONDS = 900;

interface PreparedMessage {
  message: NewMessage;
  /** Bytes counted against MaximumMessageSize: body plus message attributes. */
  size: number;
  result: OperationOutput;
}

export const sendMessage: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const now = context.now();
  const prepared = prepareMessage(queue, fields, now);
  context.commit({ type: 'send', queue: queue.name, messages: [prepared.message] });
  if (prepared.message.visibleAt <= now) context.notify(queue.name);
  return prepared.result;
};

export const sendMessageBatch: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const entries = readBatchEntries(fields, 'SendMessageBatchRequestEntry');
  const now = context.now();
  const accepted: Array<PreparedMessage & { id: string }> = [];
  const failed: FailedBatchEntry[] = [];
  let totalBytes = 0;
  for (const entry of entries) {
    try {
      const prepared = prepareMessage(queue, entry.fields, now);
      totalBytes += prepared.size;
      accepted.push({ ...prepared, id: entry.id });
    } catch (error) {
      totalBytes += Buffer.byteLength(entry.fields.peekString('MessageBody') ?? '', 'utf8');
      failed.push(failedEntry(entry.id, error));
    }
  }
  if (totalBytes > MAX_BATCH_BYTES) {
    throw new SqsRequestError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${totalBytes} bytes.`,
    );
  }
  if (accepted.length > 0) {
    context.commit({ type: 'send', queue: queue.name, messages: accepted.map((item) => item.message) });
    if (accepted.some((item) => item.message.visibleAt <= now)) context.notify(queue.name);
  }
  return {
    Successful: accepted.map((item) => ({ Id: item.id, ...item.result })),
    Failed: failed,
  };
};

/** Validates one message (a SendMessage request or a batch entry) and draws its id. */
function prepareMessage(queue: Queue, fields: RequestFields, now: number): PreparedMessage {
  const body = fields.optionalString('MessageBody');
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  const invalid = findInvalidCharacter(body);
  if (invalid !== undefined) {
    throw new SqsRequestError(
      'InvalidMessageContents',
      `Invalid binary character '${invalid}' was found in the message body, the set of allowed characters is ` +
        '#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const delaySeconds = fields.optionalInteger('DelaySeconds', 0, MAX_DELAY_SECONDS) ?? queue.numberAttribute('DelaySeconds');
  const attributes = parseMessageAttributes(fields.optionalObjectMap('MessageAttributes'));
  const systemAttributes = parseSystemAttributes(fields.optionalObjectMap('MessageSystemAttributes'));
  if (fields.has('MessageDeduplicationId')) {
    throw invalidParameter(
      'MessageDeduplicationId',
      fields.optionalString('MessageDeduplicationId'),
      'The request include parameter that is not valid for this queue type',
    );
  }
  // Standard queues accept MessageGroupId since fair queues (2025); it is stored and returned.
  const groupId = fields.optionalString('MessageGroupId');
  const size = Buffer.byteLength(body, 'utf8') + messageAttributesSize(attributes);
  const maximum = queue.numberAttribute('MaximumMessageSize');
  if (size > maximum) {
    throw new SqsRequestError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${maximum} bytes.`,
    );
  }
  const md5 = md5OfBody(body);
  const md5OfAttributes = md5OfMessageAttributes(attributes);
  const md5OfSystemAttributes = md5OfMessageAttributes(systemAttributes);
  const message: NewMessage = {
    id: randomUUID(),
    body,
    md5OfBody: md5,
    attributes,
    systemAttributes,
    ...(groupId === undefined ? {} : { groupId }),
    sentAt: now,
    visibleAt: now + delaySeconds * 1000,
  };
  return {
    message,
    size,
    result: {
      MessageId: message.id,
      MD5OfMessageBody: md5,
      ...(md5OfAttributes === undefined ? {} : { MD5OfMessageAttributes: md5OfAttributes }),
      ...(md5OfSystemAttributes === undefined ? {} : { MD5OfMessageSystemAttributes: md5OfSystemAttributes }),
    },
  };
}
