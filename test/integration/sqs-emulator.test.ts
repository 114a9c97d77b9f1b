import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAddress,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidBatchEntryId,
  InvalidMessageContents,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UnsupportedOperation,
  UntagQueueCommand,
  type Message,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { startSqsServer, type SqsServer } from '../../local/sqs/server.ts';

/**
 * Wire-level tests of the SQS emulator: everything goes through @aws-sdk/client-sqs over HTTP,
 * so the SDK's own serialisation, error mapping and MD5 checks are part of every assertion.
 * Time-dependent behaviour runs on a second server with an injected clock (`clock.advance`),
 * except where the point is that a real timer wakes a long poll.
 */

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A clock the timed server reads; tests move it forward instead of sleeping. */
const clock = {
  now: Date.UTC(2026, 0, 1),
  advance(ms: number): void {
    this.now += ms;
  },
};

let server: SqsServer;
let timed: SqsServer;
let client: SQSClient;
let timedClient: SQSClient;

function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1, logger: quietLogger });
}

beforeAll(async () => {
  server = await startSqsServer({ port: 0 });
  timed = await startSqsServer({ port: 0, now: () => clock.now });
  client = sqsClient(server.url);
  timedClient = sqsClient(timed.url);
});

afterAll(async () => {
  client?.destroy();
  timedClient?.destroy();
  await server?.close();
  await timed?.close();
});

let queueCounter = 0;
/** A fresh queue name per test, so tests never see each other's messages. */
function queueName(label: string): string {
  queueCounter += 1;
  return `${label}-${queueCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

async function createQueue(sqs: SQSClient, label: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName(label), Attributes: attributes }));
  if (QueueUrl === undefined) throw new Error('CreateQueue returned no QueueUrl');
  return QueueUrl;
}

async function attributesOf(sqs: SQSClient, queueUrl: string, names: QueueAttributeName[] = ['All']): Promise<Record<string, string>> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }));
  return Attributes ?? {};
}

async function counts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const attributes = await attributesOf(sqs, queueUrl, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
  ]);
  return {
    visible: Number(attributes['ApproximateNumberOfMessages']),
    inFlight: Number(attributes['ApproximateNumberOfMessagesNotVisible']),
    delayed: Number(attributes['ApproximateNumberOfMessagesDelayed']),
  };
}

async function receiveOne(sqs: SQSClient, queueUrl: string, options: { visibilityTimeout?: number } = {}): Promise<Message> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      ...(options.visibilityTimeout === undefined ? {} : { VisibilityTimeout: options.visibilityTimeout }),
    }),
  );
  const message = Messages?.[0];
  if (message === undefined) throw new Error('expected a message');
  return message;
}

async function receiveAll(sqs: SQSClient, queueUrl: string, visibilityTimeout = 30): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilityTimeout }),
  );
  return Messages ?? [];
}

/** The rejection of `promise`, failing the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('queues', () => {
  it('creates a queue whose URL and ARN carry the account id and name', async () => {
    const name = queueName('create');
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
    expect(QueueUrl).toBe(`${server.url}/000000000000/${name}`);
    const attributes = await attributesOf(client, QueueUrl ?? '', ['QueueArn', 'VisibilityTimeout', 'MaximumMessageSize']);
    expect(attributes).toEqual({
      QueueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      VisibilityTimeout: '30',
      MaximumMessageSize: '1048576',
    });
  });

  it('answers CreateQueue idempotently for the same attributes and with QueueNameExists for different ones', async () => {
    const name = queueName('idempotent');
    const first = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }));
    const again = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }));
    expect(again.QueueUrl).toBe(first.QueueUrl);
    const error = await rejectionOf(client.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '46' } })));
    expect(error).toBeInstanceOf(QueueNameExists);
  });

  it('refuses invalid queue names and attribute values', async () => {
    const badName = await rejectionOf(client.send(new CreateQueueCommand({ QueueName: 'has space' })));
    expect(badName).toBeInstanceOf(SQSServiceException);
    expect(badName.name).toBe('InvalidParameterValue');
    const badValue = await rejectionOf(
      client.send(new CreateQueueCommand({ QueueName: queueName('bad'), Attributes: { DelaySeconds: '901' } })),
    );
    expect(badValue).toBeInstanceOf(InvalidAttributeValue);
    const unknown = await rejectionOf(
      client.send(new CreateQueueCommand({ QueueName: queueName('bad'), Attributes: { Colour: 'blue' } as Record<string, string> })),
    );
    expect(unknown).toBeInstanceOf(InvalidAttributeName);
  });

  it('finds queue URLs by name and says QueueDoesNotExist for unknown ones', async () => {
    const queueUrl = await createQueue(client, 'url');
    const name = queueUrl.split('/').at(-1) ?? '';
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(QueueUrl).toBe(queueUrl);
    const error = await rejectionOf(client.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })));
    expect(error).toBeInstanceOf(QueueDoesNotExist);
  });

  it('lists queues by prefix, page by page', async () => {
    const prefix = queueName('list');
    const names = ['a', 'b', 'c'].map((suffix) => `${prefix}-${suffix}`);
    for (const name of names) await client.send(new CreateQueueCommand({ QueueName: name }));
    const all = await client.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    expect(all.QueueUrls).toEqual(names.map((name) => `${server.url}/000000000000/${name}`));
    expect(all.NextToken).toBeUndefined();
    const first = await client.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
    expect(first.QueueUrls?.map((url) => url.split('/').at(-1))).toEqual(names.slice(0, 2));
    expect(first.NextToken).toBeDefined();
    const second = await client.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
    expect(second.QueueUrls?.map((url) => url.split('/').at(-1))).toEqual(names.slice(2));
    expect(second.NextToken).toBeUndefined();
  });

  it('reads All attributes, named ones, and refuses unknown names', async () => {
    const queueUrl = await createQueue(client, 'attrs', { DelaySeconds: '2', MessageRetentionPeriod: '3600' });
    const all = await attributesOf(client, queueUrl);
    expect(all).toMatchObject({
      DelaySeconds: '2',
      MessageRetentionPeriod: '3600',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      SqsManagedSseEnabled: 'true',
    });
    expect(Number(all['CreatedTimestamp'])).toBeGreaterThan(1_700_000_000);
    expect(Number(all['LastModifiedTimestamp'])).toBe(Number(all['CreatedTimestamp']));
    expect(await attributesOf(client, queueUrl, ['DelaySeconds'])).toEqual({ DelaySeconds: '2' });
    const error = await rejectionOf(
      client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Nope' as QueueAttributeName] })),
    );
    expect(error).toBeInstanceOf(InvalidAttributeName);
  });

  it('changes attributes with SetQueueAttributes, including Policy and removing a RedrivePolicy', async () => {
    const dlqUrl = await createQueue(timedClient, 'set-dlq');
    const dlqArn = (await attributesOf(timedClient, dlqUrl, ['QueueArn']))['QueueArn'] ?? '';
    const queueUrl = await createQueue(timedClient, 'set');
    const created = Number((await attributesOf(timedClient, queueUrl))['LastModifiedTimestamp']);
    clock.advance(5_000);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '3' });
    await timedClient.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { VisibilityTimeout: '120', Policy: policy, RedrivePolicy: redrive },
      }),
    );
    const updated = await attributesOf(timedClient, queueUrl);
    expect(updated['VisibilityTimeout']).toBe('120');
    expect(updated['Policy']).toBe(policy);
    expect(JSON.parse(updated['RedrivePolicy'] ?? '{}')).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
    expect(Number(updated['LastModifiedTimestamp'])).toBe(created + 5);
    await timedClient.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { RedrivePolicy: '' } }));
    expect((await attributesOf(timedClient, queueUrl))['RedrivePolicy']).toBeUndefined();
    const error = await rejectionOf(
      timedClient.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '43201' } })),
    );
    expect(error).toBeInstanceOf(InvalidAttributeValue);
  });

  it('deletes a queue; later calls on it get QueueDoesNotExist', async () => {
    const queueUrl = await createQueue(client, 'delete');
    await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const error = await rejectionOf(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })));
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error.message).toBe('The specified queue does not exist.');
  });

  it('accepts a QueueUrl of any host as long as its last segment names the queue', async () => {
    const queueUrl = await createQueue(client, 'host');
    const name = queueUrl.split('/').at(-1) ?? '';
    const elsewhere = `http://localhost:1/000000000000/${name}`;
    await client.send(new SendMessageCommand({ QueueUrl: elsewhere, MessageBody: 'via another host' }));
    expect((await receiveOne(client, queueUrl)).Body).toBe('via another host');
  });

  it('serves a client without `endpoint`: the SDK then sends to the QueueUrl host', async () => {
    const queueUrl = await createQueue(client, 'no-endpoint');
    const bare = new SQSClient({ region: 'us-east-1', credentials, maxAttempts: 1, logger: quietLogger });
    try {
      await bare.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'routed by QueueUrl' }));
    } finally {
      bare.destroy();
    }
    expect((await receiveOne(client, queueUrl)).Body).toBe('routed by QueueUrl');
  });

  it('tags queues', async () => {
    const name = queueName('tags');
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, tags: { team: 'core' } }));
    await client.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'local' } }));
    expect((await client.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: 'core', env: 'local' });
    await client.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
    expect((await client.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ env: 'local' });
  });

  it('answers UnsupportedOperation for operations it does not emulate and InvalidAddress for foreign targets', async () => {
    const unsupported = await rejectionOf(
      client.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:x' })),
    );
    expect(unsupported).toBeInstanceOf(UnsupportedOperation);
    const foreign = sqsClient(server.url);
    foreign.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-amz-target'] = 'DynamoDB_20120810.ListTables';
        return next(args);
      },
      { step: 'build', name: 'foreignTarget' },
    );
    try {
      expect(await rejectionOf(foreign.send(new ListQueuesCommand({})))).toBeInstanceOf(InvalidAddress);
    } finally {
      foreign.destroy();
    }
  });

  it('counts calls per operation', async () => {
    const before = server.emulator.calls.get('SendMessage') ?? 0;
    const queueUrl = await createQueue(client, 'calls');
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'two' }));
    expect(server.emulator.calls.get('SendMessage')).toBe(before + 2);
  });
});

describe('messages', () => {
  it('sends, receives with system attributes, and deletes', async () => {
    const queueUrl = await createQueue(timedClient, 'roundtrip');
    const sentAt = clock.now;
    const sent = await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'héllo wörld 🚀' }));
    clock.advance(250);
    const message = await receiveOne(timedClient, queueUrl);
    expect(message.MessageId).toBe(sent.MessageId);
    expect(message.Body).toBe('héllo wörld 🚀');
    expect(message.Attributes).toEqual({
      SenderId: '000000000000',
      SentTimestamp: String(sentAt),
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: String(sentAt + 250),
    });
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await timedClient.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('returns only the system attributes asked for, also through the legacy AttributeNames', async () => {
    const queueUrl = await createQueue(client, 'sysattrs');
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateReceiveCount' as QueueAttributeName] }),
    );
    expect(Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '1' });
    expect(Messages?.[0]?.MessageAttributes).toBeUndefined();
  });

  it('computes MD5OfMessageAttributes with the documented algorithm (AWS sample digests)', async () => {
    const queueUrl = await createQueue(client, 'md5');
    // Digests from the AWS samples used by SDK test suites (string pair, binary).
    const strings = await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'strings',
        MessageAttributes: {
          test_attribute_name_2: { DataType: 'String', StringValue: 'test_attribute_value_2' },
          test_attribute_name_1: { DataType: 'String', StringValue: 'test_attribute_value_1' },
        },
      }),
    );
    expect(strings.MD5OfMessageAttributes).toBe('d53f3b558fe951154770f25cb63dbba9');
    const binary = await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'binary',
        MessageAttributes: { test_attribute_name: { DataType: 'Binary', BinaryValue: Buffer.from('test_attribute_value') } },
      }),
    );
    expect(binary.MD5OfMessageAttributes).toBe('23f6bd27ea87aab7dfeadcc9aebee495');
    const { Messages: received = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['test_attribute_name_1', 'test_attribute_name_2'],
      }),
    );
    const byBody = new Map(received.map((message) => [message.Body, message]));
    expect(byBody.get('strings')?.MD5OfMessageAttributes).toBe('d53f3b558fe951154770f25cb63dbba9');
    // Nothing asked for: no attributes and no digest.
    expect(byBody.get('binary')?.MessageAttributes).toBeUndefined();
    expect(byBody.get('binary')?.MD5OfMessageAttributes).toBeUndefined();
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: byBody.get('binary')?.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const again = await receiveOne(client, queueUrl);
    expect(again.Body).toBe('binary');
    expect(again.MD5OfMessageAttributes).toBe('23f6bd27ea87aab7dfeadcc9aebee495');
    expect(Buffer.from(again.MessageAttributes?.['test_attribute_name']?.BinaryValue ?? []).toString()).toBe('test_attribute_value');
  });

  it('selects message attributes by exact name and prefix.*, with the digest of what it returns', async () => {
    const queueUrl = await createQueue(client, 'select');
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'order',
        MessageAttributes: {
          SellerName: { DataType: 'String', StringValue: 'Example Store' },
          City: { DataType: 'String', StringValue: 'Any City' },
          Quantity: { DataType: 'Number', StringValue: '3' },
        },
      }),
    );
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['Seller.*', 'Quantity'], VisibilityTimeout: 0 }),
    );
    const message = Messages?.[0];
    expect(Object.keys(message?.MessageAttributes ?? {}).sort()).toEqual(['Quantity', 'SellerName']);
    const only = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['SellerName'] }));
    // Digest of { SellerName: 'Example Store' } from a published test vector.
    expect(only.Messages?.[0]?.MD5OfMessageAttributes).toBe('cd28f3b68aeee4b2eac9c66f2f694b58');
  });

  it('carries AWSTraceHeader as a system attribute with its own digest', async () => {
    const queueUrl = await createQueue(client, 'trace');
    const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'traced',
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } },
      }),
    );
    expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['AWSTraceHeader'] }),
    );
    expect(Messages?.[0]?.Attributes).toEqual({ AWSTraceHeader: trace });
  });

  it('refuses bodies that are empty or hold characters SQS does not allow', async () => {
    const queueUrl = await createQueue(client, 'body');
    const empty = await rejectionOf(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '' })));
    expect(empty.name).toBe('MissingParameter');
    const control = await rejectionOf(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'a\u0000b' })));
    expect(control).toBeInstanceOf(InvalidMessageContents);
  });

  it('enforces the queue MaximumMessageSize on body plus message attributes', async () => {
    const queueUrl = await createQueue(client, 'size', { MaximumMessageSize: '1024' });
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(1024) }));
    const tooLong = await rejectionOf(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(1025) })));
    expect(tooLong.name).toBe('InvalidParameterValue');
    expect(tooLong.message).toContain('Message must be shorter than 1024 bytes');
    // 1,010 body bytes + "k" (1) + "String" (6) + 8 value bytes = 1,025 bytes.
    const withAttributes = await rejectionOf(
      client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: 'x'.repeat(1010),
          MessageAttributes: { k: { DataType: 'String', StringValue: '12345678' } },
        }),
      ),
    );
    expect(withAttributes.name).toBe('InvalidParameterValue');
    // Multi-byte characters count as their UTF-8 bytes: 342 x 3 bytes = 1,026.
    const multiByte = await rejectionOf(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '€'.repeat(342) })));
    expect(multiByte.name).toBe('InvalidParameterValue');
    expect((await counts(client, queueUrl)).visible).toBe(1);
  });

  it('delays messages by the per-message DelaySeconds and the queue default', async () => {
    const queueUrl = await createQueue(timedClient, 'delay', { DelaySeconds: '10' });
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'queue default' }));
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'own delay', DelaySeconds: 3 }));
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'no delay', DelaySeconds: 0 }));
    expect((await receiveAll(timedClient, queueUrl)).map((m) => m.Body)).toEqual(['no delay']);
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 2 });
    clock.advance(3_000);
    expect((await receiveAll(timedClient, queueUrl)).map((m) => m.Body)).toEqual(['own delay']);
    clock.advance(7_000);
    expect((await receiveAll(timedClient, queueUrl)).map((m) => m.Body)).toEqual(['queue default']);
    const tooLong = await rejectionOf(timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', DelaySeconds: 901 })));
    expect(tooLong.name).toBe('InvalidParameterValue');
  });

  it('redelivers after the visibility timeout with a new receipt handle and a higher receive count', async () => {
    const queueUrl = await createQueue(timedClient, 'visibility', { VisibilityTimeout: '20' });
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'again' }));
    const first = await receiveOne(timedClient, queueUrl);
    clock.advance(19_999);
    expect(await receiveAll(timedClient, queueUrl)).toEqual([]);
    clock.advance(1);
    const second = await receiveOne(timedClient, queueUrl, { visibilityTimeout: 5 });
    expect(second.MessageId).toBe(first.MessageId);
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    expect(second.Attributes?.['ApproximateReceiveCount']).toBe('2');
    expect(second.Attributes?.['ApproximateFirstReceiveTimestamp']).toBe(first.Attributes?.['ApproximateFirstReceiveTimestamp']);
    // The receive's own VisibilityTimeout (5 s) overrides the queue's 20 s.
    clock.advance(5_000);
    const third = await receiveOne(timedClient, queueUrl);
    expect(third.Attributes?.['ApproximateReceiveCount']).toBe('3');
  });

  it('deletes only with the latest receipt handle; an older one succeeds without deleting', async () => {
    const queueUrl = await createQueue(timedClient, 'stale-delete');
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'keep me' }));
    const first = await receiveOne(timedClient, queueUrl, { visibilityTimeout: 1 });
    clock.advance(1_000);
    const second = await receiveOne(timedClient, queueUrl, { visibilityTimeout: 60 });
    await timedClient.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle }));
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await timedClient.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second.ReceiptHandle }));
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    // Deleting again is harmless, as in SQS.
    await timedClient.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second.ReceiptHandle }));
    const garbage = await rejectionOf(timedClient.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'not-a-handle!' })));
    expect(garbage).toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('changes message visibility: extend, release at once, and refuse stale, foreign or expired handles', async () => {
    const queueUrl = await createQueue(timedClient, 'change-visibility');
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'work' }));
    const first = await receiveOne(timedClient, queueUrl, { visibilityTimeout: 10 });
    await timedClient.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 100 }),
    );
    clock.advance(50_000);
    expect(await receiveAll(timedClient, queueUrl)).toEqual([]);
    await timedClient.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const second = await receiveOne(timedClient, queueUrl, { visibilityTimeout: 10 });
    expect(second.MessageId).toBe(first.MessageId);
    const stale = await rejectionOf(
      timedClient.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 5 })),
    );
    expect(stale.name).toBe('InvalidParameterValue');
    const garbage = await rejectionOf(
      timedClient.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: 'garbage', VisibilityTimeout: 5 })),
    );
    expect(garbage).toBeInstanceOf(ReceiptHandleIsInvalid);
    // 12 hours counted from the receive: 5 s later, 43,200 s more is 5 s too many.
    clock.advance(5_000);
    const beyond = await rejectionOf(
      timedClient.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 43_200 }),
      ),
    );
    expect(beyond.message).toContain('Total VisibilityTimeout for the message is beyond the limit');
    clock.advance(5_000);
    const expired = await rejectionOf(
      timedClient.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 5 })),
    );
    expect(expired).toBeInstanceOf(MessageNotInflight);
  });

  it('returns up to MaxNumberOfMessages and refuses values outside 1..10', async () => {
    const queueUrl = await createQueue(client, 'max');
    for (let batch = 0; batch < 2; batch += 1) {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 8 }, (_, index) => ({ Id: `m${index}`, MessageBody: `${batch}-${index}` })),
        }),
      );
    }
    expect(await receiveAll(client, queueUrl)).toHaveLength(10);
    expect(await receiveAll(client, queueUrl)).toHaveLength(6);
    const tooMany = await rejectionOf(client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 })));
    expect(tooMany.name).toBe('InvalidParameterValue');
    const tooLong = await rejectionOf(client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 21 })));
    expect(tooLong.name).toBe('InvalidParameterValue');
  });

  it('drops messages older than MessageRetentionPeriod', async () => {
    const queueUrl = await createQueue(timedClient, 'retention', { MessageRetentionPeriod: '60' });
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'old' }));
    clock.advance(30_000);
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'young' }));
    clock.advance(30_000);
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect((await receiveAll(timedClient, queueUrl)).map((m) => m.Body)).toEqual(['young']);
  });

  it('purges a queue at most once a minute', async () => {
    const queueUrl = await createQueue(timedClient, 'purge');
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'visible' }));
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'delayed', DelaySeconds: 60 }));
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'in flight' }));
    await receiveOne(timedClient, queueUrl);
    await timedClient.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    clock.advance(59_000);
    const tooSoon = await rejectionOf(timedClient.send(new PurgeQueueCommand({ QueueUrl: queueUrl })));
    expect(tooSoon).toBeInstanceOf(PurgeQueueInProgress);
    clock.advance(1_000);
    await timedClient.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  });
});

describe('dead-letter queues', () => {
  it('moves a message to the DLQ on the receive that would exceed maxReceiveCount', async () => {
    const dlqUrl = await createQueue(timedClient, 'dlq');
    const dlqArn = (await attributesOf(timedClient, dlqUrl, ['QueueArn']))['QueueArn'] ?? '';
    const queueUrl = await createQueue(timedClient, 'redriven', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    const sentAt = clock.now;
    const sent = await timedClient.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'poison',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'poison' } },
      }),
    );
    for (const expectedCount of ['1', '2']) {
      const message = await receiveOne(timedClient, queueUrl, { visibilityTimeout: 0 });
      expect(message.Attributes?.['ApproximateReceiveCount']).toBe(expectedCount);
    }
    expect(await receiveAll(timedClient, queueUrl)).toEqual([]);
    expect(await counts(timedClient, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const dead = await receiveOne(timedClient, dlqUrl);
    expect(dead.MessageId).toBe(sent.MessageId);
    expect(dead.Body).toBe('poison');
    expect(dead.MessageAttributes?.['kind']?.StringValue).toBe('poison');
    expect(dead.Attributes?.['SentTimestamp']).toBe(String(sentAt));
    expect(dead.Attributes?.['DeadLetterQueueSourceArn']).toBe(
      (await attributesOf(timedClient, queueUrl, ['QueueArn']))['QueueArn'],
    );
    const sources = await timedClient.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    expect(sources.queueUrls).toEqual([queueUrl.replace(/^http:\/\/[^/]+/, timed.url)]);
  });

  it('refuses a RedrivePolicy whose target does not exist or whose maxReceiveCount is out of range', async () => {
    const missing = await rejectionOf(
      timedClient.send(
        new CreateQueueCommand({
          QueueName: queueName('redrive-missing'),
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:nope', maxReceiveCount: 3 }),
          },
        }),
      ),
    );
    expect(missing).toBeInstanceOf(InvalidAttributeValue);
    const dlqUrl = await createQueue(timedClient, 'dlq-range');
    const dlqArn = (await attributesOf(timedClient, dlqUrl, ['QueueArn']))['QueueArn'] ?? '';
    const outOfRange = await rejectionOf(
      timedClient.send(
        new CreateQueueCommand({
          QueueName: queueName('redrive-range'),
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1001 }) },
        }),
      ),
    );
    expect(outOfRange).toBeInstanceOf(InvalidAttributeValue);
  });
});

describe('batches', () => {
  it('sends a batch with per-entry digests and reports invalid entries in Failed', async () => {
    const queueUrl = await createQueue(client, 'batch');
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          {
            Id: 'a',
            MessageBody: 'first',
            MessageAttributes: {
              test_attribute_name_1: { DataType: 'String', StringValue: 'test_attribute_value_1' },
              test_attribute_name_2: { DataType: 'String', StringValue: 'test_attribute_value_2' },
            },
          },
          { Id: 'b', MessageBody: 'second ✓' },
          { Id: 'c', MessageBody: 'too late', DelaySeconds: 901 },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['a', 'b']);
    expect(result.Successful?.[0]?.MD5OfMessageAttributes).toBe('d53f3b558fe951154770f25cb63dbba9');
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'c', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    expect((await receiveAll(client, queueUrl)).map((m) => m.Body).sort()).toEqual(['first', 'second ✓']);
  });

  it('refuses empty, oversized, duplicate-id and badly named batches as a whole', async () => {
    const queueUrl = await createQueue(client, 'batch-errors');
    const entries = (count: number) => Array.from({ length: count }, (_, index) => ({ Id: `e${index}`, MessageBody: 'x' }));
    expect(await rejectionOf(client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [] })))).toBeInstanceOf(
      EmptyBatchRequest,
    );
    expect(await rejectionOf(client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(11) })))).toBeInstanceOf(
      TooManyEntriesInBatchRequest,
    );
    const duplicate = [
      { Id: 'same', MessageBody: 'x' },
      { Id: 'same', MessageBody: 'y' },
    ];
    expect(await rejectionOf(client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: duplicate })))).toBeInstanceOf(
      BatchEntryIdsNotDistinct,
    );
    expect(
      await rejectionOf(client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'no spaces', MessageBody: 'x' }] }))),
    ).toBeInstanceOf(InvalidBatchEntryId);
    const big = 'x'.repeat(600_000);
    const tooLong = [
      { Id: 'big1', MessageBody: big },
      { Id: 'big2', MessageBody: big },
    ];
    expect(await rejectionOf(client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: tooLong })))).toBeInstanceOf(
      BatchRequestTooLong,
    );
    expect(await rejectionOf(client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [] })))).toBeInstanceOf(
      EmptyBatchRequest,
    );
    expect((await counts(client, queueUrl)).visible).toBe(0);
  });

  it('deletes and changes visibility in batches, failing only the bad entries', async () => {
    const queueUrl = await createQueue(client, 'batch-receipts');
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: '1', MessageBody: 'one' },
          { Id: '2', MessageBody: 'two' },
          { Id: '3', MessageBody: 'three' },
        ],
      }),
    );
    const received = await receiveAll(client, queueUrl, 300);
    expect(received).toHaveLength(3);
    const [one, two, three] = received;
    const changed = await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'release', ReceiptHandle: one?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'bogus', ReceiptHandle: 'bogus', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful).toEqual([{ Id: 'release' }]);
    expect(changed.Failed).toEqual([expect.objectContaining({ Id: 'bogus', Code: 'ReceiptHandleIsInvalid', SenderFault: true })]);
    expect(await counts(client, queueUrl)).toEqual({ visible: 1, inFlight: 2, delayed: 0 });
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'two', ReceiptHandle: two?.ReceiptHandle },
          { Id: 'three', ReceiptHandle: three?.ReceiptHandle },
          { Id: 'bogus', ReceiptHandle: 'bogus' },
        ],
      }),
    );
    expect(deleted.Successful?.map((entry) => entry.Id)).toEqual(['two', 'three']);
    expect(deleted.Failed?.map((entry) => entry.Code)).toEqual(['ReceiptHandleIsInvalid']);
    expect(await counts(client, queueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
  });
});

describe('long polling', () => {
  it('wakes a waiting receive as soon as a message is sent', async () => {
    const queueUrl = await createQueue(client, 'wake-send');
    const started = Date.now();
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => void client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'ping' })), 200);
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('ping');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('wakes a waiting receive when a delay ends (real timer)', async () => {
    const queueUrl = await createQueue(client, 'wake-delay');
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 1 }));
    const started = Date.now();
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }));
    const elapsed = Date.now() - started;
    expect(Messages?.[0]?.Body).toBe('later');
    expect(elapsed).toBeGreaterThanOrEqual(800);
    expect(elapsed).toBeLessThan(2_500);
  });

  it('wakes a waiting receive when a visibility timeout ends (real timer)', async () => {
    const queueUrl = await createQueue(client, 'wake-visibility');
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'retry me' }));
    await receiveOne(client, queueUrl, { visibilityTimeout: 1 });
    const started = Date.now();
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(Messages?.[0]?.Attributes?.['ApproximateReceiveCount']).toBe('2');
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('wakes a waiting receive when the injected clock passes a delay', async () => {
    const queueUrl = await createQueue(timedClient, 'wake-clock');
    await timedClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'in an hour', DelaySeconds: 900 }));
    const started = Date.now();
    const polling = timedClient.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => clock.advance(900_000), 200);
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('in an hour');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('waits the queue ReceiveMessageWaitTimeSeconds when the request gives none, then answers empty', async () => {
    const queueUrl = await createQueue(client, 'wait-default', { ReceiveMessageWaitTimeSeconds: '1' });
    const started = Date.now();
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(Messages).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const immediate = Date.now();
    await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(Date.now() - immediate).toBeLessThan(500);
  });

  it('ends a waiting receive when its queue is deleted', async () => {
    const queueUrl = await createQueue(client, 'wake-delete');
    const started = Date.now();
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => void client.send(new DeleteQueueCommand({ QueueUrl: queueUrl })), 200);
    expect((await polling).Messages).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('persistence', () => {
  const dirs: string[] = [];
  const freshDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'skyforge-sqs-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** One server's state as seen through the SDK, for before/after comparisons. */
  async function scenario(sqs: SQSClient): Promise<{ queueUrl: string; inFlight: Message; dlqUrl: string }> {
    const dlqUrl = await createQueue(sqs, 'persist-dlq');
    const dlqArn = (await attributesOf(sqs, dlqUrl, ['QueueArn']))['QueueArn'] ?? '';
    const queueUrl = await createQueue(sqs, 'persist', {
      VisibilityTimeout: '45',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'will be in flight', MessageAttributes: { n: { DataType: 'Number', StringValue: '1' } } },
          { Id: 'b', MessageBody: 'will be deleted' },
          { Id: 'c', MessageBody: 'stays visible' },
          { Id: 'd', MessageBody: 'delayed', DelaySeconds: 600 },
        ],
      }),
    );
    const [inFlight, deleted, released] = await receiveAll(sqs, queueUrl, 300);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: deleted?.ReceiptHandle }));
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'keep', ReceiptHandle: received(inFlight).ReceiptHandle, VisibilityTimeout: 120 },
          { Id: 'release', ReceiptHandle: received(released).ReceiptHandle, VisibilityTimeout: 0 },
        ],
      }),
    );
    return { queueUrl, inFlight: received(inFlight), dlqUrl };
  }

  function received(message: Message | undefined): Message {
    if (message === undefined) throw new Error('expected a received message');
    return message;
  }

  async function expectRestored(sqs: SQSClient, url: string, before: { queueUrl: string; inFlight: Message }): Promise<void> {
    const name = before.queueUrl.split('/').at(-1) ?? '';
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(QueueUrl).toBe(`${url}/000000000000/${name}`);
    const attributes = await attributesOf(sqs, before.queueUrl);
    expect(attributes['VisibilityTimeout']).toBe('45');
    expect(JSON.parse(attributes['RedrivePolicy'] ?? '{}')).toMatchObject({ maxReceiveCount: 5 });
    expect(await counts(sqs, before.queueUrl)).toEqual({ visible: 1, inFlight: 1, delayed: 1 });
  }

  it('keeps queues, messages, receive counts and in-flight deadlines across close() and open()', async () => {
    const dataDir = freshDir();
    clock.advance(1_000);
    const first = await startSqsServer({ port: 0, dataDir, now: () => clock.now });
    const firstClient = sqsClient(first.url);
    const before = await scenario(firstClient);
    firstClient.destroy();
    await first.close();

    const second = await startSqsServer({ port: 0, dataDir, now: () => clock.now });
    const secondClient = sqsClient(second.url);
    try {
      await expectRestored(secondClient, second.url, before);
      // The old handle still works after the restart (and the old host in the URL does not matter).
      clock.advance(119_000);
      await secondClient.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: before.queueUrl, ReceiptHandle: before.inFlight.ReceiptHandle, VisibilityTimeout: 1 }),
      );
      expect(await receiveAll(secondClient, before.queueUrl, 0)).toHaveLength(1);
      clock.advance(1_000);
      const { Messages } = await secondClient.send(
        new ReceiveMessageCommand({ QueueUrl: before.queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
      );
      const again = Messages?.find((m) => m.MessageId === before.inFlight.MessageId);
      expect(again?.Body).toBe('will be in flight');
      expect(again?.Attributes?.['ApproximateReceiveCount']).toBe('2');
    } finally {
      secondClient.destroy();
      await second.close();
    }
  });

  it('loses nothing acknowledged when the process stops without close()', async () => {
    const dataDir = freshDir();
    clock.advance(1_000);
    const crashed = await startSqsServer({ port: 0, dataDir, now: () => clock.now });
    const crashedClient = sqsClient(crashed.url);
    const before = await scenario(crashedClient);

    // No close(): a second emulator opens the same folder while the first is left as if killed.
    const revived = await startSqsServer({ port: 0, dataDir, now: () => clock.now });
    const revivedClient = sqsClient(revived.url);
    let third: SqsServer | undefined;
    try {
      await expectRestored(revivedClient, revived.url, before);
      // The in-flight message reappears when its (absolute) visibility deadline passes.
      clock.advance(120_000);
      const { Messages } = await revivedClient.send(
        new ReceiveMessageCommand({
          QueueUrl: before.queueUrl,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const again = Messages?.find((m) => m.MessageId === before.inFlight.MessageId);
      expect(again?.Attributes?.['ApproximateReceiveCount']).toBe('2');
      expect(again?.MessageAttributes?.['n']?.StringValue).toBe('1');
      await revivedClient.send(new DeleteMessageCommand({ QueueUrl: before.queueUrl, ReceiptHandle: again?.ReceiptHandle }));

      // The first instance was not dead after all: the folder belongs to the newer emulator now,
      // so what the stale one does and saves on close() must not overwrite the second's files.
      await crashedClient.send(new SendMessageCommand({ QueueUrl: before.queueUrl, MessageBody: 'from the stale instance' }));
      await crashed.close();
      // Then the second one "dies" too, without close(): a third must see the second's state.
      third = await startSqsServer({ port: 0, dataDir, now: () => clock.now });
      const thirdClient = sqsClient(third.url);
      try {
        expect(await counts(thirdClient, before.queueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 1 });
      } finally {
        thirdClient.destroy();
      }
    } finally {
      crashedClient.destroy();
      revivedClient.destroy();
      await third?.close();
      await revived.close();
    }
  });
});

describe('fair queues (MessageGroupId on a standard queue)', () => {
  async function sendGroup(queueUrl: string, group: string | undefined, n: number): Promise<void> {
    for (let i = 0; i < n; i += 10) {
      const entries = Array.from({ length: Math.min(10, n - i) }, (_, j) => ({
        Id: String(j),
        MessageBody: `${group ?? 'none'}-${i + j}`,
        ...(group === undefined ? {} : { MessageGroupId: group }),
      }));
      await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    }
  }
  const groupsOf = (messages: Message[]) => messages.map((m) => m.Body?.split('-')[0]);

  it('serves a quiet tenant before a noisy one: B jumps a backlog of A once A holds 30+ and >10 % in flight', async () => {
    // Arrange: A has a backlog and 30 messages in flight (noisy); then B sends.
    const queueUrl = await createQueue(client, 'fair');
    await sendGroup(queueUrl, 'A', 200);
    for (let i = 0; i < 3; i += 1) expect(groupsOf(await receiveAll(client, queueUrl))).toEqual(Array(10).fill('A'));
    await sendGroup(queueUrl, 'B', 5);

    // Act
    const next = await receiveAll(client, queueUrl);

    // Assess: B's five first, then A again; A's messages are delayed, never dropped.
    expect(groupsOf(next)).toEqual(['B', 'B', 'B', 'B', 'B', 'A', 'A', 'A', 'A', 'A']);
    expect(next.slice(5).map((m) => m.Body)).toEqual(['A-30', 'A-31', 'A-32', 'A-33', 'A-34']);
    expect((await counts(client, queueUrl)).visible).toBe(200 + 5 - 40);
  });

  it.each([
    { name: 'under 30 in flight: arrival order', inFlightA: 20, expected: ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'] },
    { name: 'a message without a group is a quiet tenant of its own', inFlightA: 30, expected: ['none', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'] },
  ])('$name', async ({ inFlightA, expected }) => {
    const queueUrl = await createQueue(client, 'fair');
    await sendGroup(queueUrl, 'A', 100);
    for (let i = 0; i < inFlightA / 10; i += 1) await receiveAll(client, queueUrl);
    await sendGroup(queueUrl, undefined, 1);
    expect(groupsOf(await receiveAll(client, queueUrl))).toEqual(expected);
  });
});
