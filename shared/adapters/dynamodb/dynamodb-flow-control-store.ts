import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/definitions.ts';
import { FLOW_CONTROL_LIMITS, rateWindowStart, type FlowControl } from '../../domain/flow-control.ts';
import type { FlowControlStore, FlowKeyState, RateReservation } from '../../ports/flow-control-store.ts';

/** A full window sends the job to the next free one; at most this many windows are probed per job. */
const MAX_WINDOW_PROBES = 20;
/** Rate window items expire by TTL this long after their window ends. */
const WINDOW_TTL_SECONDS = 3600;

/**
 * Flow-control keys on the job table (docs/flow-control.md):
 * - `FLOW#<key>` / `KEY`: the key's latest limits, `throttledTotal`, and `leases`, a map from job
 *   id to the lease end of each running job holding a parallelism slot.
 * - `FLOW#<key>` / `W#<periodSeconds>#<windowStart>`: `n` starts reserved in one rate window.
 * Every write is one conditional UpdateItem (1 WRU: the items are small).
 */
export class DynamoDbFlowControlStore implements FlowControlStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  /**
   * Per key and period: the first window this container has not yet seen full. Windows only fill
   * up, so probing starts there and a backlog of one key costs about one probe per job instead
   * of one per full window. A cache: a new container starts from the current window.
   */
  private readonly firstOpenWindow = new Map<string, number>();

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async reserveRate(limits: FlowControl & { rate: number }, nowMs: number): Promise<RateReservation> {
    const periodMs = limits.periodSeconds * 1000;
    const hintKey = `${limits.key}\u0000${limits.periodSeconds}`;
    let window = Math.max(rateWindowStart(nowMs, limits.periodSeconds), this.firstOpenWindow.get(hintKey) ?? 0);
    for (let probe = 0; probe < MAX_WINDOW_PROBES; probe += 1, window += periodMs) {
      try {
        const out = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: flowPk(limits.key), sk: `W#${limits.periodSeconds}#${window}` },
            UpdateExpression: 'ADD n :one SET #ttl = :ttl',
            // Closes the over-start race: of any number of workers reserving at once, at most
            // `rate` increments of one window succeed.
            ConditionExpression: 'attribute_not_exists(n) OR n < :limit',
            ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
            ExpressionAttributeValues: { ':one': 1, ':limit': limits.rate, ':ttl': Math.floor((window + periodMs) / 1000) + WINDOW_TTL_SECONDS },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        // The first start of a window records the key's limits (one write per window, not per job).
        if (out.Attributes?.n === 1) await this.recordLimits(limits, false);
        return { reserved: true, window };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        this.firstOpenWindow.set(hintKey, window + periodMs);
      }
    }
    return { reserved: false, retryAt: window };
  }

  async acquireSlot(
    limits: FlowControl & { parallelism: number },
    jobId: string,
    leaseUntil: number,
    nowMs: number,
  ): Promise<{ acquired: boolean; alreadyHeld: boolean }> {
    for (let round = 0; round < 4; round += 1) {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keyItem(limits.key),
            UpdateExpression: 'SET leases.#job = :until, parallelism = :p, periodSeconds = :s',
            // Closes the over-run race: a slot is taken only while fewer than `parallelism`
            // leases are held, or by the job whose own lease ran out (a lost attempt's reclaim).
            ConditionExpression: 'attribute_exists(leases) AND ((attribute_not_exists(leases.#job) AND size(leases) < :p) OR leases.#job < :now)',
            ExpressionAttributeNames: { '#job': jobId },
            ExpressionAttributeValues: { ':until': leaseUntil, ':p': limits.parallelism, ':s': limits.periodSeconds, ':now': nowMs },
          }),
        );
        return { acquired: true, alreadyHeld: false };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // dynalite returns no item with a failed condition: read it again and see why.
      const leases = await this.leases(limits.key);
      if (leases === null) {
        if (await this.createKey(limits, jobId, leaseUntil)) return { acquired: true, alreadyHeld: false };
        continue;
      }
      const own = leases[jobId];
      if (own !== undefined && own >= nowMs) return { acquired: false, alreadyHeld: true };
      const expired = Object.entries(leases).filter(([, until]) => until < nowMs);
      if (expired.length === 0) return { acquired: false, alreadyHeld: false };
      await this.removeExpired(limits.key, expired);
    }
    return { acquired: false, alreadyHeld: false };
  }

  async releaseSlot(key: string, jobId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyItem(key),
        UpdateExpression: 'REMOVE leases.#job',
        // Only an existing key item: a release never creates one.
        ConditionExpression: 'attribute_exists(leases)',
        ExpressionAttributeNames: { '#job': jobId },
      }),
    ).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }

  async recordThrottle(limits: FlowControl): Promise<void> {
    await this.recordLimits(limits, true);
  }

  async state(key: string, nowMs: number): Promise<FlowKeyState | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keyItem(key), ConsistentRead: true }));
    const item = out.Item;
    if (!item) return null;
    const leases = (item.leases ?? {}) as Record<string, number>;
    return {
      key,
      parallelism: typeof item.parallelism === 'number' ? item.parallelism : null,
      rate: typeof item.rate === 'number' ? item.rate : null,
      periodSeconds: typeof item.periodSeconds === 'number' ? item.periodSeconds : FLOW_CONTROL_LIMITS.defaultPeriodSeconds,
      running: Object.values(leases).filter((until) => until >= nowMs).length,
      throttledTotal: typeof item.throttledTotal === 'number' ? item.throttledTotal : 0,
    };
  }

  private async recordLimits(limits: FlowControl, throttled: boolean): Promise<void> {
    const sets = ['leases = if_not_exists(leases, :empty)', 'periodSeconds = :s'];
    const values: Record<string, unknown> = { ':empty': {}, ':s': limits.periodSeconds };
    if (limits.rate !== undefined) {
      sets.push('rate = :r');
      values[':r'] = limits.rate;
    }
    if (limits.parallelism !== undefined) {
      sets.push('parallelism = :p');
      values[':p'] = limits.parallelism;
    }
    if (throttled) values[':one'] = 1;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyItem(limits.key),
        UpdateExpression: `SET ${sets.join(', ')}${throttled ? ' ADD throttledTotal :one' : ''}`,
        ExpressionAttributeValues: values,
      }),
    );
  }

  private async leases(key: string): Promise<Record<string, number> | null> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keyItem(key), ConsistentRead: true, ProjectionExpression: 'leases' }),
    );
    return (out.Item?.leases as Record<string, number> | undefined) ?? null;
  }

  private async createKey(limits: FlowControl & { parallelism: number }, jobId: string, leaseUntil: number): Promise<boolean> {
    return this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyItem(limits.key),
          UpdateExpression: 'SET leases = :leases, periodSeconds = :s, parallelism = :p',
          // Closes the first-use race: of two workers creating a key's slots, one wins and the
          // other takes its slot through the ordinary condition.
          ConditionExpression: 'attribute_not_exists(leases)',
          ExpressionAttributeValues: { ':leases': { [jobId]: leaseUntil }, ':s': limits.periodSeconds, ':p': limits.parallelism },
        }),
      )
      .then(() => true)
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return false;
      });
  }

  /** Frees slots whose leases ran out (crashed attempts), each only if it still holds the lease seen. */
  private async removeExpired(key: string, expired: [string, number][]): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const removes: string[] = [];
    const conditions: string[] = [];
    expired.slice(0, 50).forEach(([jobId, until], i) => {
      names[`#j${i}`] = jobId;
      values[`:u${i}`] = until;
      removes.push(`leases.#j${i}`);
      // Closes the reclaim race: a slot taken again meanwhile (its job reclaimed) is not freed.
      conditions.push(`leases.#j${i} = :u${i}`);
    });
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyItem(key),
          UpdateExpression: `REMOVE ${removes.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}

function flowPk(key: string): string {
  return `FLOW#${key}`;
}

function keyItem(key: string): { pk: string; sk: string } {
  return { pk: flowPk(key), sk: 'KEY' };
}
