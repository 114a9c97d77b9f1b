import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { startEmulatedAws, type EmulatedAws } from '../../local/emulated-aws.ts';
import {
  startEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
} from '../../local/event-source-mapping.ts';
import { interpretBatchResponse } from '../../local/sqs-batch-response.ts';

let aws: EmulatedAws;
const mappings: EventSourceMapping[] = [];

beforeAll(async () => {
  aws = await startEmulatedAws({ port: 0, dataDir: null });
});

afterEach(async () => {
  await Promise.all(mappings.splice(0).map((m) => m.stop(1_000)));
});

afterAll(async () => {
  await aws?.close();
});

/**
 * A fresh queue per test (BullMQ's habit), with a 1 s visibility timeout so failures come back
 * fast. Tests that fail messages use no batching window: a window longer than the visibility
 * timeout lets the same messages come back into the batch being gathered (as on AWS).
 */
async function freshQueue(): Promise<{ url: string; name: string }> {
  const name = `esm-${Math.random().toString(36).slice(2, 10)}`;
  const { QueueUrl } = await aws.clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '1' } }));
  return { url: QueueUrl ?? '', name };
}

async function sendBodies(queueUrl: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await aws.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
  }
}

async function queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await aws.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

function map(options: Omit<EventSourceMappingOptions, 'client'>): EventSourceMapping {
  const mapping = startEventSourceMapping({ client: aws.clients.sqs, waitTimeSeconds: 20, ...options });
  mappings.push(mapping);
  return mapping;
}

describe('SQS event source mapping', () => {
  it('hands the function records shaped like Lambda\'s', async () => {
    // Prepare
    const queue = await freshQueue();
    const events: SQSEvent[] = [];
    map({ queueUrl: queue.url, handler: async (event) => void events.push(event) });

    // Act
    await aws.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"jobId":"j1"}',
        MessageAttributes: {
          priority: { DataType: 'String', StringValue: 'high' },
          attempt: { DataType: 'Number', StringValue: '2' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    await expect.poll(() => events.length, { timeout: 5_000 }).toBe(1);

    // Assess
    const record = events[0]!.Records[0] as SQSRecord;
    expect(record).toMatchObject({
      body: '{"jobId":"j1"}',
      md5OfBody: createHash('md5').update('{"jobId":"j1"}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue.name}`,
      awsRegion: 'us-east-1',
      messageAttributes: {
        priority: { stringValue: 'high', stringListValues: [], binaryListValues: [], dataType: 'String' },
        attempt: { stringValue: '2', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
    });
    expect(record.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.receiptHandle.length).toBeGreaterThan(10);
    expect(record.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(record.attributes.SenderId).toBeTruthy();
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 10_000);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record.attributes.SentTimestamp));
    await expect.poll(() => queueDepth(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('deletes exactly the messages not reported in batchItemFailures; the others come back after the visibility timeout', async () => {
    // Prepare
    const queue = await freshQueue();
    const deliveries: Array<{ body: string; receiveCount: string }> = [];
    map({
      queueUrl: queue.url,
      batchSize: 10,
      handler: async (event) => {
        const failures = [];
        for (const record of event.Records) {
          deliveries.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount });
          if (record.body.startsWith('bad') && record.attributes.ApproximateReceiveCount === '1') {
            failures.push({ itemIdentifier: record.messageId });
          }
        }
        return { batchItemFailures: failures };
      },
    });

    // Act
    await sendBodies(queue.url, ['ok-1', 'bad-1', 'ok-2', 'bad-2', 'ok-3']);
    await expect.poll(() => deliveries.length, { timeout: 8_000 }).toBe(7);
    // Fixed wait on purpose: proves that no deleted message comes back within 1,300 ms (one more visibility timeout).
    await new Promise((resolve) => setTimeout(resolve, 1_300));

    // Assess
    const byBody = (body: string): string[] => deliveries.filter((d) => d.body === body).map((d) => d.receiveCount);
    expect(['ok-1', 'ok-2', 'ok-3'].map(byBody)).toEqual([['1'], ['1'], ['1']]);
    expect(['bad-1', 'bad-2'].map(byBody)).toEqual([
      ['1', '2'],
      ['1', '2'],
    ]);
    expect(await queueDepth(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it.each([
    ['throws', async (): Promise<unknown> => {
      throw new Error('worker crashed');
    }],
    ['answers with an unknown itemIdentifier', async (): Promise<unknown> => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] })],
    ['runs past its timeout', () => new Promise<unknown>((resolve) => setTimeout(() => resolve(undefined), 800))],
  ])('deletes nothing when the function %s; the whole batch comes back', async (_, failOnce) => {
    // Prepare
    const queue = await freshQueue();
    const receiveCounts: string[][] = [];
    map({
      queueUrl: queue.url,
      batchSize: 10,
      functionTimeoutMs: 300,
      handler: async (event) => {
        receiveCounts.push(event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        return receiveCounts.length === 1 ? failOnce() : { batchItemFailures: [] };
      },
    });

    // Act
    await sendBodies(queue.url, ['a', 'b', 'c']);
    await expect.poll(() => receiveCounts.length, { timeout: 5_000 }).toBe(1);
    const afterFailure = await queueDepth(queue.url);
    await expect.poll(() => receiveCounts.length, { timeout: 5_000 }).toBe(2);

    // Assess
    expect(afterFailure).toEqual({ visible: 0, inFlight: 3 });
    expect(receiveCounts).toEqual([
      ['1', '1', '1'],
      ['2', '2', '2'],
    ]);
    await expect.poll(() => queueDepth(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('fills a batch above 10 from several receives within the batching window', async () => {
    // Prepare
    const queue = await freshQueue();
    await sendBodies(queue.url, Array.from({ length: 25 }, (_, i) => `m-${i}`));
    const sizes: number[] = [];

    // Act
    map({ queueUrl: queue.url, batchSize: 25, maximumBatchingWindowSeconds: 2, handler: async (e) => void sizes.push(e.Records.length) });

    // Assess
    await expect.poll(() => sizes, { timeout: 5_000 }).toEqual([25]);
  });

  it('never runs more than maximumConcurrency batches at once', async () => {
    // Prepare
    const queue = await freshQueue();
    let running = 0;
    let peak = 0;
    let done = 0;
    map({
      queueUrl: queue.url,
      batchSize: 1,
      maximumConcurrency: 3,
      handler: async () => {
        running += 1;
        peak = Math.max(peak, running);
        // Fixed wait on purpose: each batch lasts 150 ms, so batches overlap and the test proves
        // that no fourth one starts while three run.
        await new Promise((resolve) => setTimeout(resolve, 150));
        running -= 1;
        done += 1;
      },
    });

    // Act
    await sendBodies(queue.url, Array.from({ length: 12 }, (_, i) => `c-${i}`));
    await expect.poll(() => done, { timeout: 8_000 }).toBe(12);

    // Assess
    expect(peak).toBe(3);
  });

  it('stop() returns promptly from an idle long poll', async () => {
    const queue = await freshQueue();
    const receivesBefore = aws.sqs.calls.get('ReceiveMessage') ?? 0;
    const mapping = map({ queueUrl: queue.url, handler: async () => undefined });
    // The mapping's long poll (20 s) has reached the emulator and waits there.
    await expect.poll(() => aws.sqs.calls.get('ReceiveMessage') ?? 0, { timeout: 5_000, interval: 10 }).toBeGreaterThan(receivesBefore);
    const started = Date.now();
    await mapping.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stop() waits for a batch in flight, which then still deletes its messages', async () => {
    // Prepare
    const queue = await freshQueue();
    let release: () => void = () => undefined;
    let started = false;
    const mapping = map({
      queueUrl: queue.url,
      handler: async () => {
        started = true;
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    await sendBodies(queue.url, ['slow']);
    await expect.poll(() => started, { timeout: 5_000 }).toBe(true);

    // Act
    let stopped = false;
    const stopping = mapping.stop(5_000).then((left) => {
      stopped = true;
      return left;
    });
    // Fixed wait on purpose: proves that stop() does not return within 300 ms while a batch is in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stoppedEarly = stopped;
    release();
    const left = await stopping;

    // Assess
    expect(stoppedEarly).toBe(false);
    expect(left).toBe(0);
    expect(await queueDepth(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('stop() gives up after its timeout on a batch that never finishes', async () => {
    const queue = await freshQueue();
    let started = false;
    const mapping = map({
      queueUrl: queue.url,
      functionTimeoutMs: 60_000,
      handler: () => {
        started = true;
        return new Promise(() => undefined);
      },
    });
    await sendBodies(queue.url, ['stuck']);
    await expect.poll(() => started, { timeout: 5_000 }).toBe(true);
    const begun = Date.now();
    expect(await mapping.stop(300)).toBe(1);
    expect(Date.now() - begun).toBeLessThan(1_000);
    mappings.splice(mappings.indexOf(mapping), 1); // already stopped; afterEach would wait for it again
  });
});

describe('interpretBatchResponse (ReportBatchItemFailures rules)', () => {
  const ids = ['m1', 'm2'];
  it.each([
    ['undefined', undefined, []],
    ['null', null, []],
    ['an empty object', {}, []],
    ['a null list', { batchItemFailures: null }, []],
    ['an empty list', { batchItemFailures: [] }, []],
    ['one failure', { batchItemFailures: [{ itemIdentifier: 'm2' }] }, ['m2']],
  ])('treats %s as partial success', (_, response, failed) => {
    expect(interpretBatchResponse(response, ids)).toEqual({ kind: 'partial', failedMessageIds: new Set(failed) });
  });

  it.each([
    ['a string', 'ok'],
    ['a list', [{ itemIdentifier: 'm1' }]],
    ['a non-list batchItemFailures', { batchItemFailures: 'm1' }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm1' }] }],
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'm9' }] }],
  ])('fails the whole batch for %s', (_, response) => {
    expect(interpretBatchResponse(response, ids).kind).toBe('complete-failure');
  });
});
