import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { LIST_SHARDS, TABLE } from '../../config/definitions.ts';
import { StaleJobStateError } from '../../domain/errors.ts';
import { JOB_STATUS, type Job } from '../../domain/job.ts';
import { allowedFrom, JOB_EVENT } from '../../domain/lifecycle.ts';
import type {
  ClaimedJob,
  ClaimRequest,
  CreateResult,
  JobChanges,
  JobStore,
  LeaseState,
  ListQuery,
  Page,
  WriteGuard,
} from '../../ports/job-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { ExpressionBuilder } from './expression.ts';
import {
  deadIndexKeys,
  encodeJsonField,
  fromItem,
  isExpired,
  isJsonField,
  jobKey,
  jsonAttribute,
  toItem,
  type JobItem,
} from './job-item.ts';

const { byCreated, byDead } = TABLE.indexes;
type IndexDefinition = typeof byCreated | typeof byDead;

/** Attributes a job's changes may never touch directly (keys and index keys are derived). */
const DERIVED = new Set(['pk', 'sk', byCreated.partitionKey, byCreated.sortKey, byDead.partitionKey, byDead.sortKey]);

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_MAX = 100;
/** Index entries examined per list call when a status filter has to be applied after reading. */
const FILTER_SCAN_BUDGET = 1000;

export class DynamoDbJobStore implements JobStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create(job: Job, nowMs: number): Promise<CreateResult> {
    for (let round = 0; round < 3; round += 1) {
      try {
        const expr = new ExpressionBuilder();
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItem(job),
            // Closes the idempotency race: of many concurrent creates of one id (ids of keyed
            // jobs derive from the key) exactly one put wins. A job past its TTL may be replaced.
            ConditionExpression: `attribute_not_exists(pk) OR ${expr.name(TABLE.ttlAttribute)} <= ${expr.value(Math.floor(nowMs / 1000))}`,
            ...expr.attributes(),
          }),
        );
        return { created: true, job };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = await this.get(job.id, nowMs);
        if (existing) return { created: false, existing };
        // Deleted between our put and our read: try the put again.
      }
    }
    throw new Error(`job ${job.id} could not be created: its id keeps changing under the write`);
  }

  async get(id: string, nowMs: number): Promise<Job | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true }));
    const item = out.Item as JobItem | undefined;
    return item && !isExpired(item, nowMs) ? fromItem(item) : null;
  }

  async getMany(ids: readonly string[], nowMs: number): Promise<Job[]> {
    const unique = [...new Set(ids)];
    const found = new Map<string, Job>();
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_MAX).map(jobKey);
      for (let round = 0; keys.length > 0; round += 1) {
        if (round > 0) await backoffPause(round);
        const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of (out.Responses?.[this.tableName] ?? []) as JobItem[]) {
          if (!isExpired(item, nowMs)) found.set(item.id as string, fromItem(item));
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
        if (round > 8 && keys.length > 0) throw new Error('BatchGetItem kept returning unprocessed keys');
      }
    }
    return ids.map((id) => found.get(id)).filter((job): job is Job => job !== undefined);
  }

  /**
   * CLAIM: QUEUED | RETRYING | SCHEDULED(due) -> RUNNING, attempts + 1, lease = now + timeoutMs + grace.
   * RECLAIM (staleLeaseToken set): RUNNING with that expired lease -> RUNNING, next attempt.
   * Outcome: the claimed job, or StaleJobStateError with the item as it stands (null if gone).
   */
  async claim(id: string, request: ClaimRequest, extra: JobChanges = {}): Promise<ClaimedJob> {
    const { now, leaseToken, graceMs, staleLeaseToken } = request;
    const expr = new ExpressionBuilder();
    const nowIso = new Date(now).toISOString();
    const status = expr.name('status');
    const { sets, removes } = this.changeActions(
      expr,
      // A one-time schedule that made the job due has fired (and deleted itself).
      { ...extra, status: JOB_STATUS.RUNNING, leaseToken, startedAt: nowIso, nextRunAt: null, pendingSchedule: null },
      nowIso,
    );
    sets.push(
      `attempts = if_not_exists(attempts, ${expr.value(0)}) + ${expr.value(1)}`,
      // The lease follows the job's own timeout, read in the same write.
      `leaseUntil = timeoutMs + ${expr.value(now + graceMs)}`,
    );
    let condition: string;
    if (staleLeaseToken) {
      // Closes the double-reclaim race: only the holder of the stale token's view may take over,
      // and only once the lease has really run out.
      condition = `${status} = ${expr.value(JOB_STATUS.RUNNING)} AND leaseToken = ${expr.value(staleLeaseToken)} AND leaseUntil < ${expr.value(now)}`;
    } else {
      // Closes the duplicate-delivery race: a job runs an attempt only if nobody holds it, and
      // a delayed or backing-off job only once it is due.
      condition = `${expr.oneOf('status', allowedFrom(JOB_EVENT.CLAIM))} AND (attribute_not_exists(nextRunAt) OR nextRunAt <= ${expr.value(nowIso)})`;
    }
    condition = `attribute_exists(pk) AND ${condition} AND ${this.notExpired(expr, now)}`;
    // ALL_OLD tells which status the job was claimed from; the new item is derived from it.
    const before = await this.conditionalUpdate(id, expr, sets, removes, condition, now, 'ALL_OLD');
    const job: Job = {
      ...before,
      ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
      status: JOB_STATUS.RUNNING,
      attempts: before.attempts + 1,
      leaseToken,
      leaseUntil: before.timeoutMs + now + graceMs,
      startedAt: nowIso,
      updatedAt: nowIso,
      nextRunAt: null,
      pendingSchedule: null,
    };
    return { job, previousStatus: before.status };
  }

  async update(id: string, guard: WriteGuard, changes: JobChanges, nowMs: number): Promise<Job> {
    const expr = new ExpressionBuilder();
    const { sets, removes } = this.changeActions(expr, changes, new Date(nowMs).toISOString(), id);
    const condition = this.guardCondition(expr, guard, nowMs);
    return this.conditionalUpdate(id, expr, sets, removes, condition, nowMs);
  }

  async delete(id: string, guard: WriteGuard, nowMs: number): Promise<void> {
    const expr = new ExpressionBuilder();
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: jobKey(id),
          // Closes the delete-while-claimed race: the job must still be in a deletable state.
          ConditionExpression: this.guardCondition(expr, guard, nowMs),
          ...expr.attributes(),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new StaleJobStateError(id, await this.get(id, nowMs));
      }
      throw error;
    }
  }

  async leaseState(id: string): Promise<LeaseState | null> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: jobKey(id),
        ProjectionExpression: '#s, leaseToken',
        ExpressionAttributeNames: { '#s': 'status' },
      }),
    );
    if (!out.Item) return null;
    return { status: out.Item.status as Job['status'], leaseToken: (out.Item.leaseToken as string | undefined) ?? null };
  }

  async list(query: ListQuery, nowMs: number): Promise<Page<Job>> {
    if (query.status === JOB_STATUS.DEAD) {
      return this.listIndex(byDead, 'D#', { ...query, status: JOB_STATUS.DEAD }, nowMs);
    }
    return this.listIndex(byCreated, 'J#', query, nowMs);
  }

  async listDead(query: Omit<ListQuery, 'status' | 'priority'>, nowMs: number): Promise<Page<Job>> {
    return this.listIndex(byDead, 'D#', { ...query, status: JOB_STATUS.DEAD }, nowMs);
  }

  async ping(): Promise<void> {
    await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'PING', sk: 'PING' } }));
  }

  /**
   * Newest first across all shards of an index: one descending query stream per shard, merged
   * by sort key. Type and priority are projected into the index, so they filter there; a status
   * filter needs the items, so it is applied after reading them, within a scan budget (the page
   * may then come back short, with a cursor to continue).
   */
  private async listIndex(index: IndexDefinition, prefix: string, query: ListQuery, nowMs: number): Promise<Page<Job>> {
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const pageSize = Math.min(100, Math.max(query.limit, 10));
    const streams = Array.from(
      { length: LIST_SHARDS },
      (_, shard) => new ShardStream(this.client, this.tableName, index, `${prefix}${shard}`, before, query, pageSize),
    );
    const merged = new MergedStream(streams);
    const items: Job[] = [];
    let lastSortKey: string | undefined;
    let examined = 0;
    const budget = query.status ? FILTER_SCAN_BUDGET : query.limit;
    while (items.length < query.limit && examined < budget) {
      const want = query.status ? BATCH_GET_MAX : query.limit - items.length;
      const keys = await merged.take(Math.min(want, budget - examined));
      if (keys.length === 0) break;
      const jobs = new Map((await this.getMany(keys.map((k) => k.id), nowMs)).map((j) => [j.id, j]));
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

  private async conditionalUpdate(
    id: string,
    expr: ExpressionBuilder,
    sets: string[],
    removes: string[],
    condition: string,
    nowMs: number,
    returnValues: 'ALL_NEW' | 'ALL_OLD' = 'ALL_NEW',
  ): Promise<Job> {
    const parts = [];
    if (sets.length > 0) parts.push(`SET ${sets.join(', ')}`);
    const uniqueRemoves = [...new Set(removes)].map((r) => expr.name(r));
    if (uniqueRemoves.length > 0) parts.push(`REMOVE ${uniqueRemoves.join(', ')}`);
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(id),
          UpdateExpression: parts.join(' '),
          ConditionExpression: condition,
          ReturnValues: returnValues,
          ...expr.attributes(),
        }),
      );
      return fromItem(out.Attributes as JobItem);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // dynalite ignores ReturnValuesOnConditionCheckFailure, so read the item again.
        throw new StaleJobStateError(id, await this.get(id, nowMs));
      }
      throw error;
    }
  }

  /** SET/REMOVE actions for a change set; keeps the dead-letter index keys in step with status. */
  private changeActions(
    expr: ExpressionBuilder,
    changes: JobChanges,
    nowIso: string,
    id?: string,
  ): { sets: string[]; removes: string[] } {
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined || DERIVED.has(field) || field === 'updatedAt') continue;
      const attribute = isJsonField(field) ? jsonAttribute(field) : field;
      if (value === null) removes.push(attribute);
      else sets.push(`${expr.name(attribute)} = ${expr.value(isJsonField(field) ? encodeJsonField(value) : value)}`);
    }
    sets.push(`${expr.name('updatedAt')} = ${expr.value(changes.updatedAt ?? nowIso)}`);
    if (changes.status !== undefined && id !== undefined) {
      if (changes.status === JOB_STATUS.DEAD) {
        for (const [k, v] of Object.entries(deadIndexKeys(id, nowIso))) sets.push(`${expr.name(k)} = ${expr.value(v)}`);
      } else {
        removes.push(byDead.partitionKey, byDead.sortKey);
      }
    }
    return { sets, removes };
  }

  private guardCondition(expr: ExpressionBuilder, guard: WriteGuard, nowMs: number): string {
    const parts = ['attribute_exists(pk)', this.notExpired(expr, nowMs)];
    if (guard.statuses) parts.push(expr.oneOf('status', guard.statuses));
    if (guard.leaseToken === null) parts.push('attribute_not_exists(leaseToken)');
    else if (typeof guard.leaseToken === 'string') parts.push(`leaseToken = ${expr.value(guard.leaseToken)}`);
    if (guard.noLiveLeaseAt !== undefined) {
      parts.push(`(attribute_not_exists(leaseUntil) OR leaseUntil < ${expr.value(guard.noLiveLeaseAt)})`);
    }
    return parts.join(' AND ');
  }

  private notExpired(expr: ExpressionBuilder, nowMs: number): string {
    const ttl = expr.name(TABLE.ttlAttribute);
    return `(attribute_not_exists(${ttl}) OR ${ttl} > ${expr.value(Math.floor(nowMs / 1000))})`;
  }
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

function backoffPause(round: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
}
