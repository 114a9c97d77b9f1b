/**
 * The one source of truth for the shape of SkyForge's AWS resources: table keys and indexes,
 * queue names and settings, priorities. The CDK stack (infra/) and the local cloud (local/)
 * both build their resources from these definitions, so they can never drift apart.
 *
 * Only plain data lives here: no AWS SDK, no CDK imports.
 */

import type { Priority } from '../domain/priority.ts';

export { PRIORITIES, type Priority } from '../domain/priority.ts';

/** Table key schema: one table, generic string keys (single-table design). */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes the item some time after it (reads filter it themselves). */
  ttlAttribute: 'expiresAt',
  indexes: {
    /**
     * Every job, newest first. Partition key `J#<shard>` spreads writes over LIST_SHARDS
     * partitions; sort key `<createdAt>#<id>` orders and de-duplicates. Written once per job
     * (its keys and projected attributes never change), so it costs one index write per job.
     */
    byCreated: {
      name: 'byCreated',
      partitionKey: 'g1pk',
      sortKey: 'g1sk',
      nonKeyAttributes: ['type', 'priority'],
    },
    /**
     * Sparse: only DEAD jobs carry its keys, so the dead-letter list costs nothing for jobs
     * that never die. Partition key `D#<shard>`, sort key `<deadAt>#<id>`.
     */
    byDead: {
      name: 'byDead',
      partitionKey: 'g2pk',
      sortKey: 'g2sk',
      nonKeyAttributes: ['type', 'priority'],
    },
  },
} as const;

/** Shards of the listing indexes: 16 x 1,000 WCU/s per partition covers 10,000 jobs/s. */
export const LIST_SHARDS = 16;
/** Shards of the counter items (one write per batch lands on a random one). */
export const COUNTER_SHARDS = 16;

export interface QueueDefinition {
  priority: Priority;
  /** Suffix of the queue's name; the full name is `<prefix>-<suffix>`. */
  suffix: string;
  dlqSuffix: string;
  /** Share of the worker's concurrency this queue's event source mapping may use. */
  concurrencyWeight: number;
}

export const QUEUES: readonly QueueDefinition[] = [
  { priority: 'critical', suffix: 'critical', dlqSuffix: 'critical-dlq', concurrencyWeight: 8 },
  { priority: 'high', suffix: 'high', dlqSuffix: 'high-dlq', concurrencyWeight: 4 },
  { priority: 'normal', suffix: 'normal', dlqSuffix: 'normal-dlq', concurrencyWeight: 2 },
  { priority: 'low', suffix: 'low', dlqSuffix: 'low-dlq', concurrencyWeight: 1 },
];

/** Queue-level settings shared by the stack and the local cloud. */
export const QUEUE_SETTINGS = {
  /** Set explicitly: some tooling still defaults MaximumMessageSize to 256 KiB. */
  maximumMessageSizeBytes: 1_048_576,
  /** Main queues keep messages 4 days, DLQs 14 days (SQS maximum) so operators have time. */
  retentionSeconds: 4 * 24 * 3600,
  dlqRetentionSeconds: 14 * 24 * 3600,
  /** Lambda wants at least 5 so a throttled batch does not land good messages in the DLQ. */
  defaultMaxReceiveCount: 5,
  minMaxReceiveCount: 5,
  /** The visibility timeout is this multiple of the consumer's timeout, plus its batching window (Lambda guidance). */
  visibilityTimeoutFactor: 6,
} as const;

/** Defaults of the worker and its event source mappings (overridable in the construct props). */
export const WORKER_DEFAULTS = {
  timeoutSeconds: 300,
  memoryMb: 1024,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  /** Total concurrent worker batches across the four queues, split by concurrencyWeight. */
  totalMaximumConcurrency: 30,
} as const;

/** Defaults of the api function (the HTTP API's integration timeout is fixed at 30 s). */
export const API_FUNCTION_DEFAULTS = { timeoutSeconds: 29, memoryMb: 512 } as const;
/** The /metrics function: sized for one scrape. */
export const METRICS_FUNCTION_DEFAULTS = { memoryMb: 256, timeoutSeconds: 10 } as const;

/**
 * Defaults of the dead-letter consumer. Dead letters are rare and not urgent: the lowest
 * MaximumConcurrency Lambda allows keeps a burst of them from competing with the worker.
 */
export const DEAD_LETTER_DEFAULTS = { timeoutSeconds: 30, memoryMb: 256, batchSize: 10, maximumConcurrency: 2 } as const;

export function queueName(prefix: string, priority: Priority): string {
  return `${prefix}-${priority}`;
}

export function deadLetterQueueName(prefix: string, priority: Priority): string {
  return `${prefix}-${priority}-dlq`;
}

/**
 * MaximumConcurrency per queue's event source mapping, from a total and the weights.
 * Lambda accepts 2..1000 per mapping, so every share is clamped into that range.
 */
/** Jobs a queue's workers run at most at once: its mapping's concurrent batches times the batch size. */
export function workerCapacityOf(maximumConcurrency: Record<Priority, number>, batchSize: number): Record<Priority, number> {
  return Object.fromEntries(Object.entries(maximumConcurrency).map(([p, c]) => [p, c * batchSize])) as Record<Priority, number>;
}

export function maximumConcurrencyByPriority(total: number): Record<Priority, number> {
  const weightSum = QUEUES.reduce((sum, q) => sum + q.concurrencyWeight, 0);
  const out = {} as Record<Priority, number>;
  for (const q of QUEUES) {
    const share = Math.round((total * q.concurrencyWeight) / weightSum);
    out[q.priority] = Math.min(1000, Math.max(2, share));
  }
  return out;
}

/**
 * A queue's visibility timeout from the timeout of the function that consumes it and its event
 * source mapping's batching window: Lambda's rule is at least 6x the function timeout plus
 * MaximumBatchingWindowInSeconds (a message waits in the window before its batch runs).
 */
export function visibilityTimeoutSeconds(functionTimeoutSeconds: number, maxBatchingWindowSeconds = 0): number {
  // SQS caps visibility at 12 hours.
  return Math.min(43_200, functionTimeoutSeconds * QUEUE_SETTINGS.visibilityTimeoutFactor + maxBatchingWindowSeconds);
}

/** Default resource-name prefix (the local cloud uses fixed names; the stack lets CDK name them). */
export const DEFAULT_PREFIX = 'skyforge';

export function tableName(prefix: string): string {
  return `${prefix}-jobs`;
}

/**
 * Bounds of the handlers' tuning variables. shared/config/env.ts enforces them at cold start and
 * the CDK construct validates its props against them, so a deploy never produces a
 * configuration the functions refuse.
 */
export const HANDLER_ENV_BOUNDS = {
  retentionSeconds: { min: 60, max: 10 * 365 * 24 * 3600 },
  maxPayloadBytes: { min: 1, max: 350_000 },
  maxResultBytes: { min: 0, max: 131_072 },
  maxJobTimeoutMs: { min: 1_000, max: 900_000 },
  cancelPollMs: { min: 50, max: 60_000 },
} as const;

/**
 * A job item carries its payload and its result, and DynamoDB refuses items over 400 KiB.
 * 32 KiB stay free for keys, metadata (4 KiB), 20 history entries (error messages cut to 512
 * characters there), the last error (2 KiB) and the reasons.
 */
export const MAX_PAYLOAD_PLUS_RESULT_BYTES = 400 * 1024 - 32 * 1024;

/**
 * The longest `timeoutMs` a job may ask for: the worker function's timeout less a margin for
 * claiming, recording the outcome and sending a retry (15 s, or half the timeout when that is
 * shorter, for the tiny timeouts tests use in the local cloud).
 */
export function maxJobTimeoutMsFor(workerTimeoutSeconds: number): number {
  const marginSeconds = Math.min(15, workerTimeoutSeconds / 2);
  return Math.floor((workerTimeoutSeconds - marginSeconds) * 1000);
}

/** The schedule group of a deployment: every SkyForge schedule lives in it (IAM scopes to it). */
export function scheduleGroupName(prefix: string): string {
  return `${prefix}-schedules`;
}

/** The queue that receives schedule deliveries EventBridge Scheduler gave up on. */
export function scheduleDeadLetterQueueName(prefix: string): string {
  return `${prefix}-schedule-dlq`;
}

/**
 * EventBridge Scheduler settings for SkyForge's schedules. Every target is an SQS queue
 * (templated SendMessage); failed deliveries are retried, then land in the schedule DLQ, whose
 * messages the dead-letter consumer turns into DEAD jobs like any other dead letter.
 */
export const SCHEDULER_SETTINGS = {
  /** Retry a failed delivery for up to 24 hours (Scheduler's limits: 0..185 attempts, 60..86,400 s). */
  retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
  /** One-time schedules (delays and long backoffs) fire on time, then delete themselves. */
  oneTimeFlexibleWindowMinutes: 0,
} as const;
