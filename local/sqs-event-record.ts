import type { Message } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

export interface SqsRecordSource {
  eventSourceARN: string;
  awsRegion: string;
}

/**
 * Turns a message from ReceiveMessage into the record Lambda's SQS event source mapping hands
 * the function: camel-cased fields, all system attributes as strings, message attributes with
 * lower-case keys, binary values in base64 and the (reserved, always empty) list values.
 *
 * @example
 * const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, { eventSourceARN, awsRegion })) };
 */
export function toSqsRecord(message: Message, source: SqsRecordSource): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ...system,
    ApproximateReceiveCount: system['ApproximateReceiveCount'] ?? '',
    SentTimestamp: system['SentTimestamp'] ?? '',
    SenderId: system['SenderId'] ?? '',
    ApproximateFirstReceiveTimestamp: system['ApproximateFirstReceiveTimestamp'] ?? '',
  };
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.eventSourceARN,
    awsRegion: source.awsRegion,
  };
}

/**
 * The queue ARN for a queue URL of the form `<endpoint>/<account>/<name>` (SQS's and the
 * emulator's), so a mapping needs no extra call to learn its eventSourceARN.
 */
export function queueArnFromUrl(queueUrl: string, region: string): string {
  const [account, name] = new URL(queueUrl).pathname.split('/').filter((p) => p.length > 0);
  return `arn:aws:sqs:${region}:${account ?? '000000000000'}:${name ?? ''}`;
}
