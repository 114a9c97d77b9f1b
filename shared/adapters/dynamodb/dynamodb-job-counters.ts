import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { COUNTER_SHARDS } from '../../config/definitions.ts';
import type { CounterGroup } from '../../domain/metrics.ts';
import type { Priority } from '../../domain/job.ts';
import type { JobCounters } from '../../ports/job-counters.ts';
import type { CounterDeltas } from '../../domain/counter-deltas.ts';
import { ExpressionBuilder } from './expression.ts';

/**
 * Counters live in items `METRICS#<shard>` / `<queue>#<type>`: one item per (queue, type) per
 * shard. A request or batch ADDs its deltas to a random shard, one UpdateItem per group it
 * touched (a batch comes from one queue and usually one type: one write), so no item is hot and
 * no job pays a write of its own. Reading queries the COUNTER_SHARDS partitions and sums them:
 * a fixed number of calls, whatever the traffic.
 */
export class DynamoDbJobCounters implements JobCounters {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly random: () => number;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; random?: () => number }) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.random = options.random ?? Math.random;
  }

  async add(deltas: CounterDeltas): Promise<void> {
    const shard = Math.floor(this.random() * COUNTER_SHARDS);
    await Promise.all(
      deltas.entries().map((group) => {
        const expr = new ExpressionBuilder();
        const adds = Object.entries(group.values).map(([name, by]) => `${expr.name(`c_${name}`)} ${expr.value(by)}`);
        return this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: `METRICS#${shard}`, sk: `${group.queue}#${group.type}` },
            UpdateExpression: `SET ${expr.name('queue')} = ${expr.value(group.queue)}, ${expr.name('type')} = ${expr.value(group.type)} ADD ${adds.join(', ')}`,
            ...expr.attributes(),
          }),
        );
      }),
    );
  }

  async read(): Promise<CounterGroup[]> {
    const sums = new Map<string, CounterGroup>();
    await Promise.all(
      Array.from({ length: COUNTER_SHARDS }, async (_, shard) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const out = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :p',
              ExpressionAttributeValues: { ':p': `METRICS#${shard}` },
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
          for (const item of out.Items ?? []) {
            const key = item.sk as string;
            let group = sums.get(key);
            if (!group) {
              group = { queue: item.queue as Priority, type: item.type as string, values: {} };
              sums.set(key, group);
            }
            for (const [attribute, value] of Object.entries(item)) {
              if (attribute.startsWith('c_') && typeof value === 'number') {
                const name = attribute.slice(2);
                group.values[name] = (group.values[name] ?? 0) + value;
              }
            }
          }
          startKey = out.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return [...sums.values()];
  }
}
