import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import {
  DEFAULT_PREFIX,
  PRIORITIES,
  QUEUE_SETTINGS,
  TABLE,
  WORKER_DEFAULTS,
  deadLetterQueueName,
  queueName,
  tableName,
  visibilityTimeoutSeconds,
  scheduleDeadLetterQueueName,
} from '../../shared/config/definitions.ts';
import { bootstrapResources, type LocalResources } from '../../local/bootstrap.ts';
import { DataDirInUseError } from '../../local/data-dir-lock.ts';
import { LOCAL_FUNCTIONS } from '../../local/function-settings.ts';
import { startEmulatedAws, type EmulatedAws } from '../../local/emulated-aws.ts';

describe('bootstrapResources', () => {
  let aws: EmulatedAws;
  let first: LocalResources;

  beforeAll(async () => {
    aws = await startEmulatedAws({ port: 0, dataDir: null });
    first = await bootstrapResources({ dynamodb: aws.clients.dynamodb, sqs: aws.clients.sqs });
  });

  afterAll(async () => {
    await aws?.close();
  });

  it('creates the table with exactly the keys, indexes and TTL of the definitions', async () => {
    // Act
    const { Table } = await aws.clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName(DEFAULT_PREFIX) }));
    const ttl = await aws.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName(DEFAULT_PREFIX) }));
    const tables = await aws.clients.dynamodb.send(new ListTablesCommand({}));

    // Assess
    expect(first.tableName).toBe('skyforge-jobs');
    expect(tables.TableNames).toEqual(['skyforge-jobs']);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    const indexes = (Table?.GlobalSecondaryIndexes ?? [])
      .map((i) => ({
        name: i.IndexName,
        keys: i.KeySchema,
        projection: i.Projection?.ProjectionType,
        nonKey: [...(i.Projection?.NonKeyAttributes ?? [])].sort(),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(indexes).toEqual(
      Object.values(TABLE.indexes)
        .map((i) => ({
          name: i.name,
          keys: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
          projection: 'INCLUDE',
          nonKey: [...i.nonKeyAttributes].sort(),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLE.ttlAttribute });
  });

  it('creates exactly one queue and one DLQ per priority, and the schedule DLQ', async () => {
    const { QueueUrls } = await aws.clients.sqs.send(new ListQueuesCommand({}));
    const names = (QueueUrls ?? []).map((url) => url.split('/').at(-1)).sort();
    const expected = [
      ...PRIORITIES.flatMap((p) => [queueName(DEFAULT_PREFIX, p), deadLetterQueueName(DEFAULT_PREFIX, p)]),
      scheduleDeadLetterQueueName(DEFAULT_PREFIX),
    ].sort();
    expect(names).toEqual(expected);
    expect(first.queueUrls.high).toBe(`${aws.url}/000000000000/skyforge-high`);
    expect(first.deadLetterQueueUrls.low).toBe(`${aws.url}/000000000000/skyforge-low-dlq`);
  });

  it.each(PRIORITIES)('gives the %s queue its settings and a redrive policy to its own DLQ', async (priority) => {
    // Act
    const all = ['All' as const];
    const main = await aws.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: first.queueUrls[priority], AttributeNames: all }));
    const dlq = await aws.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: first.deadLetterQueueUrls[priority], AttributeNames: all }),
    );

    // Assess
    const visibility = String(visibilityTimeoutSeconds(WORKER_DEFAULTS.timeoutSeconds));
    expect(main.Attributes).toMatchObject({
      VisibilityTimeout: visibility,
      MaximumMessageSize: String(QUEUE_SETTINGS.maximumMessageSizeBytes),
      MessageRetentionPeriod: String(QUEUE_SETTINGS.retentionSeconds),
      QueueArn: first.queueArns[priority],
    });
    expect(JSON.parse(main.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${deadLetterQueueName(DEFAULT_PREFIX, priority)}`,
      maxReceiveCount: QUEUE_SETTINGS.defaultMaxReceiveCount,
    });
    expect(dlq.Attributes).toMatchObject({
      VisibilityTimeout: String(visibilityTimeoutSeconds(LOCAL_FUNCTIONS.deadLetter.timeoutSeconds)),
      MaximumMessageSize: String(QUEUE_SETTINGS.maximumMessageSizeBytes),
      MessageRetentionPeriod: String(QUEUE_SETTINGS.dlqRetentionSeconds),
      QueueArn: first.deadLetterQueueArns[priority],
    });
    expect(dlq.Attributes?.RedrivePolicy).toBeUndefined();
  });

  it('is idempotent, and brings drifted queue attributes back in line', async () => {
    // Prepare
    await aws.clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: first.queueUrls.normal, Attributes: { VisibilityTimeout: '7' } }),
    );

    // Act
    const second = await bootstrapResources({ dynamodb: aws.clients.dynamodb, sqs: aws.clients.sqs });

    // Assess
    expect(second).toEqual(first);
    const { QueueUrls } = await aws.clients.sqs.send(new ListQueuesCommand({}));
    expect(QueueUrls).toHaveLength(9);
    const normal = await aws.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: first.queueUrls.normal, AttributeNames: ['VisibilityTimeout'] }),
    );
    expect(normal.Attributes?.VisibilityTimeout).toBe(String(visibilityTimeoutSeconds(WORKER_DEFAULTS.timeoutSeconds)));
  });

  it('refuses a persisted table whose indexes differ from the definitions', async () => {
    // Prepare: a table of another prefix made with only one of the two indexes.
    const index = TABLE.indexes.byCreated;
    await aws.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName('drifted'),
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey].map((n) => ({
          AttributeName: n,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );

    // Act
    const attempt = bootstrapResources({ dynamodb: aws.clients.dynamodb, sqs: aws.clients.sqs, prefix: 'drifted' });

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'TableSchemaMismatchError',
      problems: [`index ${index.name} projects other attributes`, `index ${TABLE.indexes.byDead.name} is missing`],
    });
  });
});

describe('persistence under a data folder', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'skyforge-local-'));
  });


  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps table items, TTL settings and queued messages across stop and start', async () => {
    // Prepare
    const before = await startEmulatedAws({ port: 0, dataDir });
    const resources = await bootstrapResources({ dynamodb: before.clients.dynamodb, sqs: before.clients.sqs });
    await before.clients.dynamodb.send(
      new PutItemCommand({ TableName: resources.tableName, Item: { pk: { S: 'JOB#1' }, sk: { S: 'JOB' }, n: { N: '42' } } }),
    );
    await before.clients.sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrls.low, MessageBody: 'kept' }));
    await before.close();

    // Act
    const after = await startEmulatedAws({ port: 0, dataDir });
    try {
      const again = await bootstrapResources({ dynamodb: after.clients.dynamodb, sqs: after.clients.sqs });
      const item = await after.clients.dynamodb.send(
        new GetItemCommand({ TableName: again.tableName, Key: { pk: { S: 'JOB#1' }, sk: { S: 'JOB' } } }),
      );
      const ttl = await after.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: again.tableName }));
      const messages = await after.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: again.queueUrls.low, WaitTimeSeconds: 1 }));

      // Assess
      expect(item.Item?.['n']).toEqual({ N: '42' });
      expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
      expect(messages.Messages?.map((m) => m.Body)).toEqual(['kept']);
    } finally {
      await after.close();
    }
  });

  it('refuses a second start on a data folder in use', async () => {
    // Prepare
    const running = await startEmulatedAws({ port: 0, dataDir });

    // Act
    const second = startEmulatedAws({ port: 0, dataDir });

    // Assess
    try {
      await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
      await expect(second).rejects.toMatchObject({ pid: process.pid });
    } finally {
      await running.close();
    }
  });
});
