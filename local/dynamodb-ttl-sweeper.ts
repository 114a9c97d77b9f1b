import {
  DeleteItemCommand,
  DescribeTableCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TtlEnabledTable } from './dynamodb-ttl.ts';

export interface TtlSweeperOptions {
  client: DynamoDBClient;
  /** Tables with TTL on, asked afresh before every sweep. */
  tables: () => Promise<TtlEnabledTable[]>;
  /** Pause between sweeps. AWS takes up to days; a minute keeps the local data folder small. */
  intervalMs: number;
  now?: () => number;
  log?: (message: string) => void;
}

export interface TtlSweeper {
  /** Runs one sweep now and resolves with the number of items deleted (tests call this). */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** AWS skips items whose expiry is more than five years in the past (a guard against ms values). */
const FIVE_YEARS_SECONDS = 5 * 365 * 24 * 3600;

/**
 * Plays DynamoDB's TTL deletion for dynalite, which stores the TTL attribute but never acts on
 * it: every `intervalMs` it scans each TTL-enabled table for items whose expiry (a Number,
 * epoch seconds) has passed and deletes them. Like AWS, it is lazy and late, so readers must
 * still filter expired items themselves.
 *
 * @example
 * const sweeper = startTtlSweeper({ client, tables: () => ttl.enabledTables(), intervalMs: 60_000 });
 */
export function startTtlSweeper(options: TtlSweeperOptions): TtlSweeper {
  const now = options.now ?? Date.now;
  let running: Promise<number> | undefined;
  let stopped = false;

  const sweepTable = async (table: TtlEnabledTable): Promise<number> => {
    const described = await options.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    const keyNames = (described.Table?.KeySchema ?? []).flatMap((k) => (k.AttributeName ? [k.AttributeName] : []));
    const nowSeconds = Math.floor(now() / 1000);
    const values: Record<string, AttributeValue> = {
      ':oldest': { N: String(nowSeconds - FIVE_YEARS_SECONDS) },
      ':now': { N: String(nowSeconds) },
    };
    const names: Record<string, string> = { '#ttl': table.attributeName };
    keyNames.forEach((name, i) => (names[`#k${i}`] = name));
    let deleted = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await options.client.send(
        new ScanCommand({
          TableName: table.tableName,
          // A Number compared with a Number only: items whose TTL attribute is a string are kept, as on AWS.
          FilterExpression: '#ttl BETWEEN :oldest AND :now',
          ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const key of page.Items ?? []) {
        if (stopped) return deleted;
        try {
          await options.client.send(
            new DeleteItemCommand({
              TableName: table.tableName,
              Key: key,
              // Closes the race with a writer that extended the item's expiry after the scan.
              ConditionExpression: '#ttl BETWEEN :oldest AND :now',
              ExpressionAttributeNames: { '#ttl': table.attributeName },
              ExpressionAttributeValues: values,
            }),
          );
          deleted += 1;
        } catch (error) {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && !stopped);
    return deleted;
  };

  const sweepAll = async (): Promise<number> => {
    let deleted = 0;
    for (const table of await options.tables()) {
      if (stopped) break;
      deleted += await sweepTable(table);
    }
    return deleted;
  };

  const sweep = (): Promise<number> => {
    running ??= sweepAll().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    sweep().catch((error: unknown) => options.log?.(`TTL sweep failed: ${(error as Error).message}`));
  }, options.intervalMs);
  // The sweeper alone must never keep the process alive.
  timer.unref();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
