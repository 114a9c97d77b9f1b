import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/definitions.ts';
import { InvalidStateError, StaleJobStateError } from '../../domain/errors.ts';
import { JOB_STATUS, type Job, type JobStatus } from '../../domain/job.ts';
import { applyChanges, type JobChanges } from '../../domain/job-changes.ts';
import { allowedFrom, createdStatus, TRANSITIONS, UNCHANGED, type CreateEvent, type JobEvent, type TransitionRule } from '../../domain/lifecycle.ts';
import { isoAt } from '../../domain/time.ts';
import type { CreateResult, JobStore, LeaseState, ListQuery, Page, TransitionRequest, Transitioned } from '../../ports/job-store.ts';
import { listIndex, type IndexDefinition } from './dynamodb-job-listing.ts';
import { ExpressionBuilder } from './expression.ts';
import { deadIndexKeys, encodeJsonField, fromItem, isExpired, isJsonField, jobKey, jsonAttribute, toItem, type JobItem } from './job-item.ts';

const { byCreated, byDead } = TABLE.indexes;

/** Attributes a job's changes may never touch directly (keys and index keys are derived). */
const DERIVED = new Set(['pk', 'sk', byCreated.partitionKey, byCreated.sortKey, byDead.partitionKey, byDead.sortKey]);

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_MAX = 100;

export class DynamoDbJobStore implements JobStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** SUBMIT, SUBMIT_DELAYED, MISSED_FIRING: NEW -> the event's status, in one conditional put. */
  async create(job: Job, event: CreateEvent, nowMs: number): Promise<CreateResult> {
    const created: Job = { ...job, status: createdStatus(event) };
    for (let round = 0; round < 3; round += 1) {
      try {
        const expr = new ExpressionBuilder();
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItem(created),
            // NEW is the only `from` of a create event. Closes the idempotency race: of many concurrent creates of one id (ids of keyed
            // jobs derive from the key) exactly one put wins. A job past its TTL may be replaced.
            ConditionExpression: `attribute_not_exists(pk) OR ${expr.name(TABLE.ttlAttribute)} <= ${expr.value(Math.floor(nowMs / 1000))}`,
            ...expr.attributes(),
          }),
        );
        return { created: true, job: created };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = await this.get(created.id, nowMs);
        if (existing) return { created: false, existing };
        // Deleted between our put and our read: try the put again.
      }
    }
    throw new Error(`job ${created.id} could not be created: its id keeps changing under the write`);
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
   * Performs one lifecycle event as one conditional write: UpdateItem (DeleteItem for DELETE)
   * whose condition is the event's row of the lifecycle table. ALL_OLD tells the status the job
   * came from; the job after the write is derived from it.
   * Outcome: { before, after }, or StaleJobStateError with the item as it stands (null if gone).
   */
  async transition<E extends JobEvent>(id: string, request: TransitionRequest<E>, nowMs: number): Promise<Transitioned<E>> {
    const rule = TRANSITIONS[request.event];
    const expr = new ExpressionBuilder();
    const condition = this.transitionCondition(expr, request, rule, nowMs);
    if (rule.to === null) {
      const before = await this.conditionalDelete(id, expr, condition, nowMs);
      return { before, after: null } as Transitioned<E>;
    }
    const nowIso = isoAt(nowMs);
    const status: JobStatus | undefined = rule.to === UNCHANGED ? undefined : rule.to;
    let changes: JobChanges = request.changes ?? {};
    // Whoever writes the job counts it (see CounterDeltas.shift): the mark goes unless set again.
    if (changes.uncounted === undefined) changes = { ...changes, uncounted: null };
    if (rule.startsAttempt) {
      if (!request.newLease) throw new Error(`${request.event} starts an attempt: it needs newLease`);
      // A one-time schedule that made the job due has fired (and deleted itself).
      changes = {
        ...changes,
        leaseToken: request.newLease.token,
        startedAt: nowIso,
        nextRunAt: null,
        pendingSchedule: null,
        throttledUntil: null,
        throttleReason: null,
      };
    }
    const { sets, removes } = this.changeActions(expr, id, changes, status, nowIso);
    if (rule.startsAttempt && request.newLease) {
      sets.push(
        `attempts = if_not_exists(attempts, ${expr.value(0)}) + ${expr.value(1)}`,
        // The lease follows the job's own timeout, read in the same write.
        `leaseUntil = timeoutMs + ${expr.value(nowMs + request.newLease.graceMs)}`,
      );
    }
    const before = await this.conditionalUpdate(id, expr, sets, removes, condition, nowMs);
    const attempt =
      rule.startsAttempt && request.newLease
        ? { attempts: before.attempts + 1, leaseUntil: before.timeoutMs + nowMs + request.newLease.graceMs }
        : {};
    const after = applyChanges(before, { ...changes, ...attempt, ...(status ? { status } : {}) }, nowIso);
    return { before, after } as Transitioned<E>;
  }

  /** The condition of an event's write, from its row of the lifecycle table. */
  private transitionCondition(expr: ExpressionBuilder, request: TransitionRequest, rule: TransitionRule, nowMs: number): string {
    const from = allowedFrom(request.event);
    if (request.from !== undefined && !from.includes(request.from)) throw new InvalidStateError(request.event, request.from);
    // Closes every status race: the job is still in a state the event may start from (the one
    // the caller read, when it names it), so a write decided on a stale read is refused.
    const parts = ['attribute_exists(pk)', this.notExpired(expr, nowMs), expr.oneOf('status', request.from ? [request.from] : from)];
    if (rule.lease) {
      if (typeof request.leaseToken !== 'string') throw new Error(`${request.event} needs the lease token`);
      // Closes the finish race: only the lease holder writes, and not after a cancel, a reclaim
      // or a dead-letter took the job away. For 'expired' (reclaim): only once the named lease
      // has really run out, and only one of many racing workers takes it over.
      parts.push(`leaseToken = ${expr.value(request.leaseToken)}`);
      if (rule.lease === 'expired') parts.push(`leaseUntil < ${expr.value(nowMs)}`);
    } else if (request.leaseToken === null) {
      parts.push('attribute_not_exists(leaseToken)');
    } else if (typeof request.leaseToken === 'string') {
      // Closes the dead-letter race: the lease seen expiring is the one still on the item.
      parts.push(`leaseToken = ${expr.value(request.leaseToken)}`);
    }
    if (request.noLiveLeaseAt !== undefined) {
      // Closes the overlap race: a requeue waits until a stopping attempt has let go.
      parts.push(`(attribute_not_exists(leaseUntil) OR leaseUntil < ${expr.value(request.noLiveLeaseAt)})`);
    }
    if (rule.onlyWhenDue) {
      // Closes the early-claim race: a delayed or backing-off job runs only once it is due.
      parts.push(`(attribute_not_exists(nextRunAt) OR nextRunAt <= ${expr.value(isoAt(nowMs))})`);
    }
    if (rule.startsAttempt && !request.flowControlChecked) {
      // Closes the flow-control bypass: a job with limits starts only after they were checked
      // (its message carried them); a message that did not is refused here and checked then.
      parts.push('attribute_not_exists(flowControl)');
    }
    return parts.join(' AND ');
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
      return this.listDead(query, nowMs);
    }
    return this.listOf(byCreated, 'J#', query, nowMs);
  }

  async listDead(query: Omit<ListQuery, 'status' | 'priority'>, nowMs: number): Promise<Page<Job>> {
    return this.listOf(byDead, 'D#', { ...query, status: JOB_STATUS.DEAD }, nowMs);
  }

  async ping(): Promise<void> {
    await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'PING', sk: 'PING' } }));
  }

  private listOf(index: IndexDefinition, prefix: string, query: ListQuery, nowMs: number): Promise<Page<Job>> {
    return listIndex(this.client, this.tableName, (ids) => this.getMany(ids, nowMs), index, prefix, query);
  }

  private async conditionalDelete(id: string, expr: ExpressionBuilder, condition: string, nowMs: number): Promise<Job> {
    try {
      const out = await this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: jobKey(id), ConditionExpression: condition, ReturnValues: 'ALL_OLD', ...expr.attributes() }),
      );
      return fromItem(out.Attributes as JobItem);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new StaleJobStateError(id, await this.get(id, nowMs));
      throw error;
    }
  }

  private async conditionalUpdate(
    id: string,
    expr: ExpressionBuilder,
    sets: string[],
    removes: string[],
    condition: string,
    nowMs: number,
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
          ReturnValues: 'ALL_OLD',
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
    id: string,
    changes: JobChanges,
    status: JobStatus | undefined,
    nowIso: string,
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
    if (status !== undefined) {
      sets.push(`${expr.name('status')} = ${expr.value(status)}`);
      if (status === JOB_STATUS.DEAD) {
        for (const [k, v] of Object.entries(deadIndexKeys(id, nowIso))) sets.push(`${expr.name(k)} = ${expr.value(v)}`);
      } else {
        removes.push(byDead.partitionKey, byDead.sortKey);
      }
    }
    return { sets, removes };
  }

  private notExpired(expr: ExpressionBuilder, nowMs: number): string {
    const ttl = expr.name(TABLE.ttlAttribute);
    return `(attribute_not_exists(${ttl}) OR ${ttl} > ${expr.value(Math.floor(nowMs / 1000))})`;
  }
}

function backoffPause(round: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
}
