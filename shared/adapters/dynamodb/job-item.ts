import { LIST_SHARDS, TABLE } from '../../config/definitions.ts';
import { JOB_STATUS, type Job } from '../../domain/job.ts';

/**
 * How a job lies in the table. Keys: pk `JOB#<id>`, sk `JOB`. User-supplied JSON (payload,
 * result, progress, metadata) is stored as JSON strings: DynamoDB numbers cannot hold every JSON
 * number (1e308 is out of range), and a string's size is exactly what the size limits measure.
 * Null fields are absent, which keeps items small and lets conditions use attribute_not_exists.
 */
export type JobItem = Record<string, unknown>;

const JSON_FIELDS = { payload: 'payloadJson', result: 'resultJson', progress: 'progressJson', metadata: 'metadataJson' } as const;
type JsonField = keyof typeof JSON_FIELDS;

export function isJsonField(field: string): field is JsonField {
  return field in JSON_FIELDS;
}

export function jsonAttribute(field: JsonField): string {
  return JSON_FIELDS[field];
}

export function jobKey(id: string): { pk: string; sk: string } {
  return { pk: `JOB#${id}`, sk: 'JOB' };
}

/**
 * A stable shard for an id (FNV-1a, then murmur3's finalizer so every input bit reaches the low
 * bits the modulo keeps): a job's index entries always land in the same shard.
 */
export function shardOf(id: string, shards: number = LIST_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % shards;
}

export function createdIndexKeys(job: Pick<Job, 'id' | 'createdAt'>): Record<string, string> {
  const { partitionKey, sortKey } = TABLE.indexes.byCreated;
  return { [partitionKey]: `J#${shardOf(job.id)}`, [sortKey]: `${job.createdAt}#${job.id}` };
}

export function deadIndexKeys(id: string, deadAt: string): Record<string, string> {
  const { partitionKey, sortKey } = TABLE.indexes.byDead;
  return { [partitionKey]: `D#${shardOf(id)}`, [sortKey]: `${deadAt}#${id}` };
}

export function encodeJsonField(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

export function toItem(job: Job): JobItem {
  const item: JobItem = { ...jobKey(job.id), ...createdIndexKeys(job) };
  for (const [field, value] of Object.entries(job)) {
    if (value === undefined) continue;
    // An explicit null payload is data; any other null means "not set".
    if (value === null && field !== 'payload') continue;
    if (isJsonField(field)) item[jsonAttribute(field)] = encodeJsonField(value);
    else item[field] = value;
  }
  if (job.status === JOB_STATUS.DEAD) Object.assign(item, deadIndexKeys(job.id, job.updatedAt));
  return item;
}

export function fromItem(item: JobItem): Job {
  const read = <T>(name: string, fallback: T): T => (item[name] === undefined ? fallback : (item[name] as T));
  const readJson = (field: JsonField, fallback: unknown): unknown => {
    const raw = item[jsonAttribute(field)];
    return typeof raw === 'string' ? (JSON.parse(raw) as unknown) : fallback;
  };
  return {
    ...flowFields(item),
    id: item.id as string,
    type: item.type as string,
    payload: readJson('payload', undefined),
    priority: item.priority as Job['priority'],
    status: item.status as Job['status'],
    attempts: read('attempts', 0),
    maxAttempts: item.maxAttempts as number,
    backoff: item.backoff as Job['backoff'],
    timeoutMs: item.timeoutMs as number,
    runAt: read('runAt', null),
    nextRunAt: read('nextRunAt', null),
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    startedAt: read('startedAt', null),
    finishedAt: read('finishedAt', null),
    result: readJson('result', null),
    progress: readJson('progress', null),
    lastError: read('lastError', null),
    idempotencyKey: read('idempotencyKey', null),
    metadata: readJson('metadata', {}) as Record<string, unknown>,
    scheduleName: read('scheduleName', null),
    history: read('history', []),
    deadReason: read('deadReason', null),
    cancelReason: read('cancelReason', null),
    fingerprint: read('fingerprint', null),
    leaseToken: read('leaseToken', null),
    leaseUntil: read('leaseUntil', null),
    bodyHash: read('bodyHash', null),
    expiresAt: read('expiresAt', null),
    pendingSchedule: read('pendingSchedule', null),
    flowControl: read('flowControl', null),
    throttledUntil: read('throttledUntil', null),
    throttleReason: read('throttleReason', null),
    // Internal counting mark (Job.uncounted): present only until a write counts the job.
    ...(item.uncounted === 'new' || item.uncounted === 'queued' ? { uncounted: item.uncounted } : {}),
    traceparent: read('traceparent', null),
    tracestate: read('tracestate', null),
  };
}

/** DynamoDB TTL deletes "within days": an item past its expiry is treated as gone. */
export function isExpired(item: JobItem, nowMs: number): boolean {
  return typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= nowMs;
}

/** A flow's job carries its flow, ref, edges and policy; other jobs carry none of them. */
function flowFields(item: JobItem): Partial<Job> {
  if (typeof item.flowId !== 'string') return {};
  return {
    flowId: item.flowId,
    ref: (item.ref as string | undefined) ?? null,
    dependsOn: (item.dependsOn as string[] | undefined) ?? [],
    dependents: (item.dependents as string[] | undefined) ?? [],
    onDependencyFailure: (item.onDependencyFailure as Job['onDependencyFailure']) ?? 'cancel',
    cancelledByDependency: (item.cancelledByDependency as string | undefined) ?? null,
  };
}
