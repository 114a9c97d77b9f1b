import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndexDescription,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DEFAULT_PREFIX,
  PRIORITIES,
  QUEUE_SETTINGS,
  TABLE,
  WORKER_DEFAULTS,
  deadLetterQueueName,
  queueName,
  scheduleDeadLetterQueueName,
  scheduleGroupName,
  tableName as tableNameOf,
  visibilityTimeoutSeconds,
  type Priority,
} from '../shared/config/definitions.ts';
import { LOCAL_ACCOUNT_ID } from './aws-client-config.ts';
import { ResourceNotReadyError, TableSchemaMismatchError } from './errors.ts';
import { LOCAL_FUNCTIONS } from './function-settings.ts';

export interface BootstrapOptions {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** When given, the schedule group is created too (the schedule DLQ always is). */
  scheduler?: SchedulerClient;
  /** Resource-name prefix; the local cloud uses DEFAULT_PREFIX. */
  prefix?: string;
  /** The worker's timeout; the main queues' visibility timeout derives from it, as in the stack. */
  workerTimeoutSeconds?: number;
  /** The dead-letter consumer's timeout; the DLQs' visibility timeout derives from it. */
  deadLetterTimeoutSeconds?: number;
  /** How long to wait for the table to turn ACTIVE. */
  readyTimeoutMs?: number;
}

/** What the handlers need to find the resources (the values of their environment variables). */
export interface LocalResources {
  tableName: string;
  queueUrls: Record<Priority, string>;
  deadLetterQueueUrls: Record<Priority, string>;
  queueArns: Record<Priority, string>;
  deadLetterQueueArns: Record<Priority, string>;
  /** The EventBridge Scheduler group every SkyForge schedule lives in. */
  scheduleGroupName: string;
  /** The role schedules name (the emulator checks no IAM; AWS needs a real one). */
  schedulerRoleArn: string;
  /** The queue schedule deliveries go to when every retry failed. */
  scheduleDeadLetterQueueUrl: string;
  scheduleDeadLetterQueueArn: string;
}

/**
 * Creates the table and the queues of shared/config/definitions.ts through the AWS SDK, the way
 * the CDK stack creates them on AWS: the table with its keys, both GSIs (INCLUDE projections),
 * TTL on; per priority a queue and its DLQ with the redrive policy, visibility timeout, message
 * size and retention; the schedule DLQ and (given a Scheduler client) the schedule group. Safe
 * to run on every start: existing resources are checked (the table) or brought in line (queue
 * attributes), never duplicated.
 *
 * @example
 * const resources = await bootstrapResources({ dynamodb, sqs });
 * process.env.SKYFORGE_TABLE_NAME = resources.tableName;
 */
export async function bootstrapResources(options: BootstrapOptions): Promise<LocalResources> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const deadLetterTimeoutSeconds = options.deadLetterTimeoutSeconds ?? LOCAL_FUNCTIONS.deadLetter.timeoutSeconds;
  const [tableName, queues, scheduleDlq, groupName] = await Promise.all([
    ensureTable(options.dynamodb, tableNameOf(prefix), options.readyTimeoutMs ?? 10_000),
    ensureQueues(options.sqs, prefix, options.workerTimeoutSeconds ?? WORKER_DEFAULTS.timeoutSeconds, deadLetterTimeoutSeconds),
    // Read by the dead-letter consumer like the other DLQs, so it gets their settings.
    ensureQueue(options.sqs, scheduleDeadLetterQueueName(prefix), {
      MaximumMessageSize: String(QUEUE_SETTINGS.maximumMessageSizeBytes),
      VisibilityTimeout: String(visibilityTimeoutSeconds(deadLetterTimeoutSeconds)),
      MessageRetentionPeriod: String(QUEUE_SETTINGS.dlqRetentionSeconds),
    }),
    options.scheduler ? ensureScheduleGroup(options.scheduler, scheduleGroupName(prefix)) : scheduleGroupName(prefix),
  ]);
  return {
    tableName,
    ...queues,
    scheduleGroupName: groupName,
    schedulerRoleArn: schedulerRoleArnOf(prefix),
    scheduleDeadLetterQueueUrl: scheduleDlq.url,
    scheduleDeadLetterQueueArn: scheduleDlq.arn,
  };
}

/** The ARN schedules name as their execution role in the local cloud (the local IAM resolves the stack's role to it). */
export function schedulerRoleArnOf(prefix: string): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${prefix}-scheduler`;
}

// ---------------------------------------------------------------------------------------------
// Schedule group

async function ensureScheduleGroup(client: SchedulerClient, name: string): Promise<string> {
  try {
    await client.send(new CreateScheduleGroupCommand({ Name: name }));
  } catch (error) {
    // Persisted from an earlier start: a group has nothing to bring in line.
    if (!(error instanceof ConflictException)) throw error;
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// Table

type IndexDefinition = (typeof TABLE.indexes)[keyof typeof TABLE.indexes];
const INDEXES: readonly IndexDefinition[] = Object.values(TABLE.indexes);

function keySchema(partitionKey: string, sortKey: string): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey, KeyType: 'HASH' },
    { AttributeName: sortKey, KeyType: 'RANGE' },
  ];
}

async function ensureTable(client: DynamoDBClient, tableName: string, readyTimeoutMs: number): Promise<string> {
  const existing = await describeTable(client, tableName);
  if (existing) {
    const problems = schemaProblems(existing);
    if (problems.length > 0) throw new TableSchemaMismatchError(tableName, problems);
  } else {
    const keyAttributes = [TABLE.partitionKey, TABLE.sortKey, ...INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
          KeySchema: keySchema(TABLE.partitionKey, TABLE.sortKey),
          GlobalSecondaryIndexes: INDEXES.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
          })),
        }),
      );
    } catch (error) {
      // Another bootstrap (a second process on the same data) got there first: that is fine.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
  }
  await waitUntilActive(client, tableName, readyTimeoutMs);
  await ensureTimeToLive(client, tableName);
  return tableName;
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Differences between a persisted table and the definitions, in words for the error message. */
function schemaProblems(table: TableDescription): string[] {
  const problems: string[] = [];
  const sameKeys = (actual: KeySchemaElement[] | undefined, pk: string, sk: string): boolean =>
    JSON.stringify(actual ?? []) === JSON.stringify(keySchema(pk, sk));
  if (!sameKeys(table.KeySchema, TABLE.partitionKey, TABLE.sortKey)) problems.push('key schema differs');
  const actual = new Map<string, GlobalSecondaryIndexDescription>(
    (table.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName ?? '', index]),
  );
  for (const index of INDEXES) {
    const found = actual.get(index.name);
    actual.delete(index.name);
    if (!found) {
      problems.push(`index ${index.name} is missing`);
      continue;
    }
    if (!sameKeys(found.KeySchema, index.partitionKey, index.sortKey)) problems.push(`index ${index.name} has other keys`);
    const projected = [...(found.Projection?.NonKeyAttributes ?? [])].sort();
    if (found.Projection?.ProjectionType !== 'INCLUDE' || projected.join() !== [...index.nonKeyAttributes].sort().join()) {
      problems.push(`index ${index.name} projects other attributes`);
    }
  }
  for (const extra of actual.keys()) problems.push(`index ${extra} is not in the definitions`);
  return problems;
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const table = await describeTable(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() - started > timeoutMs) throw new ResourceNotReadyError(`table ${tableName}`, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function ensureTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  const described = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = described.TimeToLiveDescription;
  if (status?.TimeToLiveStatus === 'ENABLED' && status.AttributeName === TABLE.ttlAttribute) return;
  if (status?.TimeToLiveStatus === 'ENABLED' || status?.TimeToLiveStatus === 'ENABLING') {
    // DynamoDB allows one TTL attribute per table: switch it off before naming the new one.
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: status.AttributeName ?? TABLE.ttlAttribute, Enabled: false },
      }),
    );
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Queues

async function ensureQueues(
  client: SQSClient,
  prefix: string,
  workerTimeoutSeconds: number,
  deadLetterTimeoutSeconds: number,
): Promise<Pick<LocalResources, 'queueUrls' | 'deadLetterQueueUrls' | 'queueArns' | 'deadLetterQueueArns'>> {
  const maximumMessageSize = String(QUEUE_SETTINGS.maximumMessageSizeBytes);
  const perPriority = await Promise.all(
    PRIORITIES.map(async (priority) => {
      // Each queue is read by a Lambda (DLQs by the dead-letter consumer), so each one's visibility
      // timeout derives from the timeout of the function that reads it, as in the stack.
      const dlq = await ensureQueue(client, deadLetterQueueName(prefix, priority), {
        MaximumMessageSize: maximumMessageSize,
        VisibilityTimeout: String(visibilityTimeoutSeconds(deadLetterTimeoutSeconds)),
        MessageRetentionPeriod: String(QUEUE_SETTINGS.dlqRetentionSeconds),
      });
      const main = await ensureQueue(client, queueName(prefix, priority), {
        MaximumMessageSize: maximumMessageSize,
        VisibilityTimeout: String(visibilityTimeoutSeconds(workerTimeoutSeconds, LOCAL_FUNCTIONS.worker.maxBatchingWindowSeconds)),
        MessageRetentionPeriod: String(QUEUE_SETTINGS.retentionSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: QUEUE_SETTINGS.defaultMaxReceiveCount,
        }),
      });
      return { priority, main, dlq };
    }),
  );
  const pick = (f: (p: (typeof perPriority)[number]) => string): Record<Priority, string> =>
    Object.fromEntries(perPriority.map((p) => [p.priority, f(p)])) as Record<Priority, string>;
  return {
    queueUrls: pick((p) => p.main.url),
    deadLetterQueueUrls: pick((p) => p.dlq.url),
    queueArns: pick((p) => p.main.arn),
    deadLetterQueueArns: pick((p) => p.dlq.arn),
  };
}

async function ensureQueue(
  client: SQSClient,
  name: string,
  attributes: Partial<Record<QueueAttributeName, string>>,
): Promise<{ url: string; arn: string }> {
  let url: string | undefined;
  try {
    url = (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  } catch (error) {
    // CreateQueue is idempotent only for identical attributes; a queue persisted with older
    // settings is found and brought in line with the definitions instead.
    const errorName = (error as Error).name;
    if (errorName !== 'QueueNameExists' && errorName !== 'QueueAlreadyExists') throw error;
    url = (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    if (url) await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  if (!url) throw new ResourceNotReadyError(`queue ${name}`, 0);
  const described = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = described.Attributes?.QueueArn;
  if (!arn) throw new ResourceNotReadyError(`queue ${name} (no QueueArn)`, 0);
  return { url, arn };
}
