import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/definitions.ts';
import type { Schedule } from '../../domain/schedule.ts';
import type { Page } from '../../ports/job-store.ts';
import type { ScheduleStore } from '../../ports/schedule-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

const { byCreated } = TABLE.indexes;
/**
 * Schedules share the listing index under one partition: they are few and rarely written, so
 * one partition is never hot, and a listing is one Query in name order.
 */
const SCHEDULES_PARTITION = 'SCHEDULES';

function key(name: string) {
  return { pk: `SCHED#${name}`, sk: 'SCHED' };
}

function toItem(schedule: Schedule): Record<string, unknown> {
  const { job, ...rest } = schedule;
  return {
    ...key(schedule.name),
    [byCreated.partitionKey]: SCHEDULES_PARTITION,
    [byCreated.sortKey]: schedule.name,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)),
    // The job template holds user JSON (the payload): stored as a string like job payloads.
    jobJson: JSON.stringify(job),
  };
}

function fromItem(item: Record<string, unknown>): Schedule {
  return {
    name: item.name as string,
    expression: item.expression as string,
    timezone: item.timezone as string,
    enabled: item.enabled as boolean,
    description: (item.description as string | undefined) ?? null,
    startDate: (item.startDate as string | undefined) ?? null,
    endDate: (item.endDate as string | undefined) ?? null,
    job: JSON.parse(item.jobJson as string) as Schedule['job'],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

export class DynamoDbScheduleStore implements ScheduleStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create(schedule: Schedule): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(schedule),
          // Closes the create race: two requests for one name make one schedule.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(name: string): Promise<Schedule | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key(name), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : null;
  }

  async replace(schedule: Schedule): Promise<Schedule | null> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(schedule),
          // Closes the update-after-delete race: an update never resurrects a deleted schedule.
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return schedule;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  async delete(name: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: key(name), ConditionExpression: 'attribute_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** One BatchGetItem (pages hold at most 201 names: two calls), in the order asked. */
  private async getMany(names: string[]): Promise<Schedule[]> {
    const found = new Map<string, Schedule>();
    for (let i = 0; i < names.length; i += 100) {
      let keys: Record<string, unknown>[] = names.slice(i, i + 100).map(key);
      for (let round = 0; keys.length > 0 && round < 10; round += 1) {
        const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(item.name as string, fromItem(item));
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return names.map((n) => found.get(n)).filter((s): s is Schedule => s !== undefined);
  }

  async list(query: { limit: number; cursor?: string }): Promise<Page<Schedule>> {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const items: Schedule[] = [];
    let startKey: Record<string, unknown> | undefined;
    let more = false;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byCreated.name,
          KeyConditionExpression: after ? '#p = :p AND #s > :after' : '#p = :p',
          ExpressionAttributeNames: { '#p': byCreated.partitionKey, ...(after ? { '#s': byCreated.sortKey } : {}) },
          ExpressionAttributeValues: { ':p': SCHEDULES_PARTITION, ...(after ? { ':after': after } : {}) },
          Limit: query.limit + 1 - items.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const names = (out.Items ?? []).map((i) => i[byCreated.sortKey] as string);
      items.push(...(await this.getMany(names)));
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length <= query.limit);
    if (items.length > query.limit) {
      items.length = query.limit;
      more = true;
    }
    const last = items.at(-1);
    return { items, nextCursor: more && last ? encodeCursor(last.name) : null };
  }
}
