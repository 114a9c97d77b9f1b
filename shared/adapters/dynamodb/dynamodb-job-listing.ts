import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LIST_SHARDS, TABLE } from '../../config/definitions.ts';
import type { Job } from '../../domain/job.ts';
import type { ListQuery, Page } from '../../ports/job-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { ExpressionBuilder } from './expression.ts';

export type IndexDefinition = typeof TABLE.indexes.byCreated | typeof TABLE.indexes.byDead;

/** Index entries examined per list call when a status filter has to be applied after reading. */
const FILTER_SCAN_BUDGET = 1000;
/** Items fetched per BatchGetItem while filtering (its maximum is 100 keys). */
const FILTER_BATCH = 100;

/**
 * Newest first across all shards of an index: one descending query stream per shard, merged
 * by sort key. Type and priority are projected into the index, so they filter there; a status
 * filter needs the items, so it is applied after reading them, within a scan budget (the page
 * may then come back short, with a cursor to continue).
 */
export async function listIndex(
  client: DynamoDBDocumentClient,
  tableName: string,
  getMany: (ids: readonly string[]) => Promise<Job[]>,
  index: IndexDefinition,
  prefix: string,
  query: ListQuery,
): Promise<Page<Job>> {
  const before = query.cursor ? decodeCursor(query.cursor) : undefined;
  const pageSize = Math.min(100, Math.max(query.limit, 10));
  const streams = Array.from(
    { length: LIST_SHARDS },
    (_, shard) => new ShardStream(client, tableName, index, `${prefix}${shard}`, before, query, pageSize),
  );
  const merged = new MergedStream(streams);
  const items: Job[] = [];
  let lastSortKey: string | undefined;
  let examined = 0;
  const budget = query.status ? FILTER_SCAN_BUDGET : query.limit;
  while (items.length < query.limit && examined < budget) {
    const want = query.status ? FILTER_BATCH : query.limit - items.length;
    const keys = await merged.take(Math.min(want, budget - examined));
    if (keys.length === 0) break;
    const jobs = new Map((await getMany(keys.map((k) => k.id))).map((j) => [j.id, j]));
    let consumed = 0;
    for (const key of keys) {
      consumed += 1;
      examined += 1;
      lastSortKey = key.sortKey;
      const job = jobs.get(key.id);
      if (job && (!query.status || job.status === query.status)) items.push(job);
      if (items.length === query.limit) break;
    }
    merged.unshift(keys.slice(consumed));
  }
  const more = await merged.hasMore();
  return { items, nextCursor: more && lastSortKey ? encodeCursor(lastSortKey) : null };
}

interface IndexKey {
  id: string;
  sortKey: string;
}

/** One shard's index entries, newest first, fetched a page at a time. */
class ShardStream {
  private buffer: IndexKey[] = [];
  private lastKey: Record<string, unknown> | undefined;
  private done = false;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly index: IndexDefinition,
    private readonly partition: string,
    private readonly before: string | undefined,
    private readonly filter: ListQuery,
    private readonly pageSize: number,
  ) {}

  /** The next key without consuming it; undefined when the shard is exhausted. */
  async peek(): Promise<IndexKey | undefined> {
    while (this.buffer.length === 0 && !this.done) await this.fetch();
    return this.buffer[0];
  }

  shift(): IndexKey | undefined {
    return this.buffer.shift();
  }

  private async fetch(): Promise<void> {
    const expr = new ExpressionBuilder();
    let keyCondition = `${expr.name(this.index.partitionKey)} = ${expr.value(this.partition)}`;
    if (this.before) keyCondition += ` AND ${expr.name(this.index.sortKey)} < ${expr.value(this.before)}`;
    const filters: string[] = [];
    if (this.filter.type) filters.push(`${expr.name('type')} = ${expr.value(this.filter.type)}`);
    if (this.filter.priority) filters.push(`${expr.name('priority')} = ${expr.value(this.filter.priority)}`);
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: this.index.name,
        KeyConditionExpression: keyCondition,
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ScanIndexForward: false,
        Limit: this.pageSize,
        ...(this.lastKey ? { ExclusiveStartKey: this.lastKey } : {}),
        ...expr.attributes(),
      }),
    );
    for (const item of out.Items ?? []) {
      this.buffer.push({ id: (item.pk as string).slice('JOB#'.length), sortKey: item[this.index.sortKey] as string });
    }
    this.lastKey = out.LastEvaluatedKey;
    if (!this.lastKey) this.done = true;
  }
}

/** K-way merge of shard streams by descending sort key. */
class MergedStream {
  private pushedBack: IndexKey[] = [];

  constructor(private readonly streams: ShardStream[]) {}

  async take(count: number): Promise<IndexKey[]> {
    const out = this.pushedBack.splice(0, count);
    while (out.length < count) {
      const heads = await Promise.all(this.streams.map((s) => s.peek()));
      let best = -1;
      for (let i = 0; i < heads.length; i += 1) {
        const head = heads[i];
        if (head && (best < 0 || head.sortKey > (heads[best] as IndexKey).sortKey)) best = i;
      }
      if (best < 0) break;
      out.push(this.streams[best]!.shift()!);
    }
    return out;
  }

  /** Keys taken but not consumed go back to the front. */
  unshift(keys: IndexKey[]): void {
    this.pushedBack = [...keys, ...this.pushedBack];
  }

  async hasMore(): Promise<boolean> {
    if (this.pushedBack.length > 0) return true;
    const heads = await Promise.all(this.streams.map((s) => s.peek()));
    return heads.some((h) => h !== undefined);
  }
}
