import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isPermanentAwsError } from '../../shared/adapters/aws-errors.ts';
import { SqsJobQueue } from '../../shared/adapters/sqs/sqs-job-queue.ts';

/** The SQS adapter alone (aws-sdk-client-mock): batching, failures, trace propagation. */
const urls = {
  critical: 'https://sqs.local/1/critical',
  high: 'https://sqs.local/1/high',
  normal: 'https://sqs.local/1/normal',
  low: 'https://sqs.local/1/low',
};

describe('SqsJobQueue', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());

  it('sends one message with its delay and the caller’s X-Ray trace header', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const queue = new SqsJobQueue({ client: new SQSClient({}), queueUrls: urls, deadLetterQueueUrls: urls, traceHeader: () => 'Root=1-abc;Parent=def;Sampled=1' });

    // Act
    const failures = await queue.enqueue([{ jobId: 'j1', priority: 'high', delaySeconds: 61.2 }]);

    // Assess
    expect(failures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: urls.high,
      MessageBody: '{"v":1,"id":"j1"}',
      DelaySeconds: 62,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc;Parent=def;Sampled=1' } },
    });
  });

  it('sends no trace attribute outside a traced invocation', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const queue = new SqsJobQueue({ client: new SQSClient({}), queueUrls: urls, deadLetterQueueUrls: urls });
    await queue.enqueue([{ jobId: 'j1', priority: 'low', delaySeconds: 0 }]);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).not.toHaveProperty('MessageSystemAttributes');
  });

  it('groups many messages per queue into batches of 10 and reports each failed entry with its reason', async () => {
    // Prepare: 23 normal + 2 critical messages; the second normal batch loses entry 3
    sqs.on(SendMessageBatchCommand).callsFake((input: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] }) =>
      input.Entries[0]?.MessageBody === '{"v":1,"id":"n10"}'
        ? { Successful: [], Failed: [{ Id: '3', Code: 'InternalError', Message: 'try again', SenderFault: false }] }
        : { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })), Failed: [] },
    );
    const queue = new SqsJobQueue({ client: new SQSClient({}), queueUrls: urls, deadLetterQueueUrls: urls });
    const messages = [
      ...Array.from({ length: 23 }, (_, i) => ({ jobId: `n${i}`, priority: 'normal' as const, delaySeconds: 0 })),
      { jobId: 'c0', priority: 'critical' as const, delaySeconds: 0 },
      { jobId: 'c1', priority: 'critical' as const, delaySeconds: 0 },
    ];

    // Act
    const failures = await queue.enqueue(messages);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => [c.args[0].input.QueueUrl, c.args[0].input.Entries?.length]);
    expect(calls).toEqual([
      [urls.critical, 2],
      [urls.normal, 10],
      [urls.normal, 10],
      [urls.normal, 3],
    ]);
    expect(failures).toEqual([{ jobId: 'n13', reason: 'InternalError: try again', permanent: false }]);
  });

  it('reports every job of a batch whose call failed, never throwing', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('socket hang up'));
    const queue = new SqsJobQueue({ client: new SQSClient({}), queueUrls: urls, deadLetterQueueUrls: urls });
    const failures = await queue.enqueue([
      { jobId: 'a', priority: 'low', delaySeconds: 0 },
      { jobId: 'b', priority: 'low', delaySeconds: 0 },
    ]);
    expect(failures.map((f) => f.jobId)).toEqual(['a', 'b']);
    expect(failures[0]?.reason).toMatch(/socket hang up/);
  });

  it('sends one ChangeMessageVisibilityBatch per queue and chunk of 10, and counts the entries that failed', async () => {
    // Prepare
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.slice(1).map((e) => ({ Id: e.Id })),
      Failed: [{ Id: '0', Code: 'ReceiptHandleIsInvalid', Message: 'gone', SenderFault: true }],
    }));
    const queue = new SqsJobQueue({ client: new SQSClient({ region: 'us-east-1' }), queueUrls: urls, deadLetterQueueUrls: urls });
    const changes = Array.from({ length: 12 }, (_, i) => ({ priority: i < 11 ? ('normal' as const) : ('high' as const), receiptHandle: `r${i}`, seconds: 40 + i }));

    // Act
    const failed = await queue.hide(changes);

    // Assess
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => [c.args[0].input.QueueUrl, c.args[0].input.Entries?.map((e) => e.VisibilityTimeout)]);
    expect(calls).toEqual([
      [urls.high, [51]],
      [urls.normal, [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]],
      [urls.normal, [50]],
    ]);
    expect(failed).toBe(3);
  });
});

describe('isPermanentAwsError', () => {
  it.each([
    ['QueueDoesNotExist (client fault)', { name: 'QueueDoesNotExist', $fault: 'client' }, true],
    ['AccessDeniedException', { name: 'AccessDeniedException', $fault: 'client' }, true],
    ['ThrottlingException (a client fault that passes)', { name: 'ThrottlingException', $fault: 'client' }, false],
    ['RequestThrottled with $retryable.throttling', { name: 'RequestThrottled', $fault: 'client', $retryable: { throttling: true } }, false],
    ['ProvisionedThroughputExceededException', { name: 'ProvisionedThroughputExceededException', $fault: 'client' }, false],
    ['InternalError (server fault)', { name: 'InternalError', $fault: 'server' }, false],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
  ])('%s -> permanent: %s', (_name, error, permanent) => {
    expect(isPermanentAwsError(error)).toBe(permanent);
  });
});
