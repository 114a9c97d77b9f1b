import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/definitions.ts';
import type { FlowEntry, FlowRecord } from '../../domain/flow.ts';
import type { DependencyFailurePolicy } from '../../domain/job.ts';
import type { FlowStore, GateCount } from '../../ports/flow-store.ts';

/**
 * Flows on the job table (docs/flows.md). Prefixes distinct from flow control's `FLOW#<key>`:
 * - `FLOWRUN#<flowId>` / `FLOWRUN`: the flow item, written first: every job's ref, id, edges
 *   and failure policy, the idempotency key and body hash.
 * - `GATE#<jobId>` / `GATE`: a dependent job's gate: `remaining` (unfinished dependencies),
 *   `pending` (a string set of the dependency ids not yet counted) and its `policy`.
 */
export class DynamoDbFlowStore implements FlowStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async createFlow(flow: FlowRecord): Promise<{ created: true } | { created: false; existing: FlowRecord }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...flowKey(flow.id), ...withoutNulls(flow) },
          // Closes the idempotency race: of concurrent creates of one flow id (derived from the
          // key), exactly one writes the item; the others compare bodies with it.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.getFlow(flow.id);
      if (!existing) throw new Error(`flow ${flow.id} exists but could not be read`);
      return { created: false, existing };
    }
  }

  async getFlow(id: string): Promise<FlowRecord | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: flowKey(id), ConsistentRead: true }));
    const item = out.Item;
    if (!item) return null;
    return {
      id: item.id as string,
      createdAt: item.createdAt as string,
      idempotencyKey: (item.idempotencyKey as string | undefined) ?? null,
      bodyHash: (item.bodyHash as string | undefined) ?? null,
      jobs: item.jobs as FlowEntry[],
      expiresAt: (item[TABLE.ttlAttribute] as number | undefined) ?? null,
    };
  }

  async createGate(jobId: string, dependencies: readonly string[], policy: DependencyFailurePolicy, expiresAt: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...gateKey(jobId), remaining: dependencies.length, failures: 0, pending: new Set(dependencies), policy, [TABLE.ttlAttribute]: expiresAt },
          // Closes the replay race: a POST /flows replayed after a crash never resets a gate that
          // a finished dependency has already counted down.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async resetGate(jobId: string, pending: readonly string[], policy: DependencyFailurePolicy, expiresAt: number): Promise<void> {
    const item: Record<string, unknown> = { ...gateKey(jobId), remaining: pending.length, failures: 0, policy, [TABLE.ttlAttribute]: expiresAt };
    // A string set cannot be empty: no attribute means nothing pending.
    if (pending.length > 0) item.pending = new Set(pending);
    // Unconditional on purpose: the retry (or rebuild) decided what the gate waits for from the
    // jobs as they stand, and writes it before any replayed dependency can finish and count.
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async countDependency(jobId: string, dependencyId: string, failed: boolean, expiresAt: number): Promise<GateCount | null> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: gateKey(jobId),
          UpdateExpression: `ADD remaining :minusOne, failures :failed DELETE pending :dependencySet SET #ttl = :ttl${failed ? ', failedDependency = if_not_exists(failedDependency, :dependency)' : ''}`,
          // Closes the duplicate-delivery race: a dependency is counted once, however often its
          // message is delivered or its release re-run; two at once, exactly one decrements.
          ConditionExpression: 'contains(pending, :dependency)',
          ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':minusOne': -1, ':failed': failed ? 1 : 0, ':dependencySet': new Set([dependencyId]), ':dependency': dependencyId, ':ttl': expiresAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { counted: true, ...gateCountOf(out.Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // dynalite ignores ReturnValuesOnConditionCheckFailure: read the gate as it stands.
      const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: gateKey(jobId), ConsistentRead: true }));
      if (!out.Item) return null;
      return { counted: false, ...gateCountOf(out.Item) };
    }
  }
}

function gateCountOf(item: Record<string, unknown>): Omit<GateCount, 'counted'> {
  return {
    remaining: item.remaining as number,
    failures: (item.failures as number | undefined) ?? 0,
    failedDependency: (item.failedDependency as string | undefined) ?? null,
    policy: item.policy as DependencyFailurePolicy,
  };
}

function flowKey(id: string): { pk: string; sk: string } {
  return { pk: `FLOWRUN#${id}`, sk: 'FLOWRUN' };
}

function gateKey(jobId: string): { pk: string; sk: string } {
  return { pk: `GATE#${jobId}`, sk: 'GATE' };
}

function withoutNulls(flow: FlowRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flow).filter(([, v]) => v !== null));
}
