import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { COUNTER_SHARDS, TABLE } from '../../config/definitions.ts';
import type { CounterGroup } from '../../domain/metrics.ts';
import type { Priority } from '../../domain/job.ts';
import type { JobCounters } from '../../ports/job-counters.ts';
import type { CounterDeltas } from '../../domain/counter-deltas.ts';
import { ExpressionBuilder } from './expression.ts';
import { emptyMinute, MINUTE_COUNTERS, MINUTE_RETENTION_SECONDS, minuteOf, type MinuteCounts } from '../../domain/minute-counts.ts';
import type { Clock } from '../../ports/clock.ts';
import { systemClock } from '../../runtime/system-clock.ts';

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
  private readonly clock: Clock;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; random?: () => number; clock?: Clock }) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The totals of a request or batch, plus the same events in this minute's bucket
   * (`MINUTES#<shard>` / `<yyyy-mm-ddThh:mm>`, expiring after MINUTE_RETENTION_SECONDS) for the
   * dashboard's charts: one more UpdateItem per request or batch, never one per job.
   */
  async add(deltas: CounterDeltas): Promise<void> {
    const shard = Math.floor(this.random() * COUNTER_SHARDS);
    const entries = deltas.entries();
    await Promise.all([
      this.addMinute(shard, entries),
      ...entries.map((group) => {
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
    ]);
  }

  private async addMinute(shard: number, groups: readonly CounterGroup[]): Promise<void> {
    const sums = new Map<string, number>();
    for (const group of groups) {
      for (const name of MINUTE_COUNTERS) {
        const value = group.values[name];
        if (value) sums.set(name, (sums.get(name) ?? 0) + value);
      }
    }
    if (sums.size === 0) return;
    const now = this.clock.now();
    const expr = new ExpressionBuilder();
    const adds = [...sums].map(([name, by]) => `${expr.name(`c_${name}`)} ${expr.value(by)}`);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `MINUTES#${shard}`, sk: minuteOf(now) },
        UpdateExpression: `SET ${expr.name(TABLE.ttlAttribute)} = ${expr.value(Math.floor(now / 1000) + MINUTE_RETENTION_SECONDS)} ADD ${adds.join(', ')}`,
        ...expr.attributes(),
      }),
    );
  }

  /** Events per minute from `fromMs` to `toMs` (inclusive minutes), summed over the shards; minutes without events are absent. */
  async readMinutes(fromMs: number, toMs: number): Promise<MinuteCounts[]> {
    const sums = new Map<string, MinuteCounts>();
    const range = { condition: 'sk BETWEEN :from AND :to', values: { ':from': minuteOf(fromMs), ':to': minuteOf(toMs) } };
    await this.queryShards('MINUTES', range, (item) => {
      const minute = item.sk as string;
      let counts = sums.get(minute);
      if (!counts) sums.set(minute, (counts = emptyMinute(minute)));
      for (const name of MINUTE_COUNTERS) {
        const value = item[`c_${name}`];
        if (typeof value === 'number') counts[name] += value;
      }
    });
    return [...sums.values()].sort((a, b) => a.minute.localeCompare(b.minute));
  }

  async read(): Promise<CounterGroup[]> {
    const sums = new Map<string, CounterGroup>();
    await this.queryShards('METRICS', undefined, (item) => {
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
    });
    return [...sums.values()];
  }

  /** Every item of the sharded partitions `<prefix>#0..COUNTER_SHARDS-1` (optionally within a sort-key range), page by page. */
  private async queryShards(
    prefix: string,
    range: { condition: string; values: Record<string, string> } | undefined,
    onItem: (item: Record<string, unknown>) => void,
  ): Promise<void> {
    await Promise.all(
      Array.from({ length: COUNTER_SHARDS }, async (_, shard) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const out = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: range ? `pk = :p AND ${range.condition}` : 'pk = :p',
              ExpressionAttributeValues: { ':p': `${prefix}#${shard}`, ...range?.values },
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
          for (const item of out.Items ?? []) onItem(item);
          startKey = out.LastEvaluatedKey;
        } while (startKey);
      }),
    );
  }
}
