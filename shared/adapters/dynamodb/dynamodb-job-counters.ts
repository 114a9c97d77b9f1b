import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { COUNTER_SHARDS } from '../../config/definitions.ts';
import type { JobCounters } from '../../ports/job-counters.ts';
import { ExpressionBuilder } from './expression.ts';

/**
 * Counters kept in COUNTER_SHARDS items (pk `STATS#<n>`); each write ADDs a whole batch's deltas
 * to one random shard, so no item is hot and no job pays a write of its own. Reading sums the
 * shards with one BatchGetItem.
 */
export class DynamoDbJobCounters implements JobCounters {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; random?: () => number }) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.random = options.random ?? Math.random;
  }

  private readonly random: () => number;

  async add(deltas: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(deltas).filter(([, v]) => v !== 0);
    if (entries.length === 0) return;
    const expr = new ExpressionBuilder();
    const shard = Math.floor(this.random() * COUNTER_SHARDS);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `STATS#${shard}`, sk: 'COUNTERS' },
        UpdateExpression: `ADD ${entries.map(([name, by]) => `${expr.name(`c_${name}`)} ${expr.value(by)}`).join(', ')}`,
        ...expr.attributes(),
      }),
    );
  }

  async read(): Promise<Record<string, number>> {
    const keys = Array.from({ length: COUNTER_SHARDS }, (_, shard) => ({ pk: `STATS#${shard}`, sk: 'COUNTERS' }));
    const totals: Record<string, number> = {};
    let pending: Record<string, unknown>[] = keys;
    for (let round = 0; pending.length > 0 && round < 10; round += 1) {
      const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
      for (const item of out.Responses?.[this.tableName] ?? []) {
        for (const [attribute, value] of Object.entries(item)) {
          if (attribute.startsWith('c_') && typeof value === 'number') {
            const name = attribute.slice(2);
            totals[name] = (totals[name] ?? 0) + value;
          }
        }
      }
      pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return totals;
  }
}
