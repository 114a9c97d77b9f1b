import * as z from 'zod';
import { FLOW_STATUS } from '../domain/flow.ts';
import { PRIORITIES } from '../config/definitions.ts';
import { ATTEMPT_OUTCOME, BACKOFF_TYPES, DEPENDENCY_FAILURE_POLICIES, JOB_STATUSES, type JobStatus } from '../domain/job.ts';
import { ERROR_STATUS } from './error-status.ts';
import { jobTemplateSchema } from './schemas.ts';

/**
 * What the API answers, as zod schemas: the OpenAPI document is generated from them (and the
 * request schemas), and tests check real answers against them, so the document cannot drift
 * from the behaviour.
 */
const isoTime = z.iso.datetime({ offset: true });
const nullableTime = isoTime.nullable();

/**
 * FORBIDDEN is not the api function's: the local cloud's edge answers it, in this shape, to a
 * write that another site sent from a browser (local/cross-site-write-guard.ts), and so does
 * `skyforge ui`'s proxy to a write it refuses.
 */
const EDGE_ERROR_CODES = ['FORBIDDEN'] as const;

export const errorBodySchema = z.object({
  code: z.enum([...(Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[]), ...EDGE_ERROR_CODES]),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  requestId: z.string(),
});

const jobErrorSchema = z.object({ message: z.string(), name: z.string(), at: isoTime });

export const jobViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  payload: z.unknown(),
  priority: z.enum(PRIORITIES),
  status: z.enum(JOB_STATUSES as [string, ...string[]]),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  backoff: z.object({ type: z.enum(BACKOFF_TYPES), delayMs: z.number(), maxDelayMs: z.number(), jitter: z.boolean() }),
  timeoutMs: z.number().int(),
  runAt: nullableTime,
  nextRunAt: nullableTime,
  createdAt: isoTime,
  updatedAt: isoTime,
  startedAt: nullableTime,
  finishedAt: nullableTime,
  result: z.unknown(),
  progress: z.unknown(),
  lastError: jobErrorSchema.nullable(),
  idempotencyKey: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  scheduleName: z.string().nullable(),
  history: z.array(
    z.object({
      attempt: z.number().int(),
      startedAt: isoTime,
      finishedAt: isoTime,
      outcome: z.enum(Object.values(ATTEMPT_OUTCOME) as [string, ...string[]]),
      error: jobErrorSchema.nullable(),
    }),
  ),
  deadReason: z.string().nullable(),
  cancelReason: z.string().nullable(),
  flowId: z.string().optional().describe('Jobs of a flow only: the flow (GET /flows/{id})'),
  ref: z.string().optional().describe('Jobs of a flow only: the job’s ref in its flow'),
  dependsOn: z.array(z.string()).optional().describe('Jobs of a flow only: the ids of the jobs it waits for'),
  onDependencyFailure: z.enum(DEPENDENCY_FAILURE_POLICIES).optional().describe('Jobs of a flow only: what a failed dependency does to it'),
  fingerprint: z.string().optional().describe('DEAD jobs only: the failure group (GET /dlq/groups)'),
  flowControl: z
    .object({ key: z.string(), parallelism: z.number().int().optional(), rate: z.number().int().optional(), periodSeconds: z.number().int() })
    .nullable(),
  throttledUntil: nullableTime.describe('QUEUED over its flow-control limits: when it will be tried again'),
  throttleReason: z.enum(['rate', 'parallelism']).nullable(),
  traceId: z.string().nullable().describe('W3C trace id of the request that created the job (or of its schedule firing); its attempts and log lines carry it'),
});

export const jobPageSchema = z.object({ items: z.array(jobViewSchema), nextCursor: z.string().nullable() });

export const batchResponseSchema = z.object({
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.number().int(),
      job: jobViewSchema.optional(),
      replayed: z.boolean().optional(),
      error: errorBodySchema.optional(),
    }),
  ),
});

export const scheduleViewSchema = z.object({
  name: z.string(),
  expression: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  description: z.string().nullable(),
  startDate: nullableTime,
  endDate: nullableTime,
  job: jobTemplateSchema,
  createdAt: isoTime,
  updatedAt: isoTime,
  nextRunAt: nullableTime,
});

export const schedulePageSchema = z.object({ items: z.array(scheduleViewSchema), nextCursor: z.string().nullable() });

/** What API Gateway itself answers when it refuses a call (403 without a valid SigV4 signature, 429 throttled). */
export const gatewayErrorSchema = z.object({ message: z.string() });

const count = z.number().int().min(0);
const queueDepthSchema = z.object({ ready: count, inFlight: count, delayed: count, deadLetters: count });
// Every status is answered, so each is a named, required property (a record keyed by an enum
// would list them as required without defining them).
const jobCountsSchema = z.object(Object.fromEntries(JOB_STATUSES.map((status) => [status, count])) as Record<JobStatus, typeof count>);
export const statsSchema = z.object({
  queues: z.object(Object.fromEntries(PRIORITIES.map((p) => [p, queueDepthSchema])) as Record<(typeof PRIORITIES)[number], typeof queueDepthSchema>),
  jobs: jobCountsSchema.describe('Jobs per status: active states are current counts, terminal states count every job that ever reached them'),
});

const checkSchema = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
export const readinessSchema = z.object({ ready: z.boolean(), checks: z.object({ dynamodb: checkSchema, sqs: checkSchema }) });
/** GET /flow-control/{key} (API.md "Flow control"). */
export const flowKeySchema = z.object({
  key: z.string(),
  parallelism: z.number().int().nullable(),
  rate: z.number().int().nullable(),
  periodSeconds: z.number().int(),
  running: z.number().int(),
  throttledTotal: z.number().int(),
});
export const healthSchema = z.object({ status: z.literal('ok') });
export const replayResultSchema = z.object({ replayed: z.number().int() });

/** GET /flows/{id} (API.md "Flows"): the flow's status derived from its jobs', every job by ref. */
export const flowViewSchema = z.object({
  id: z.string(),
  status: z.enum(Object.values(FLOW_STATUS) as [string, ...string[]]),
  createdAt: isoTime,
  idempotencyKey: z.string().nullable(),
  jobs: z.record(z.string(), jobViewSchema),
});

/** GET /dlq/groups (the operator dashboard). */
export const failureGroupsSchema = z.object({
  items: z.array(
    z.object({
      fingerprint: z.string(),
      type: z.string(),
      errorName: z.string(),
      message: z.string().describe('the last error message with its variable parts (numbers, ids, quoted values, URLs) normalized away'),
      count: z.number().int(),
      firstDeadAt: isoTime,
      lastDeadAt: isoTime,
      sampleJobIds: z.array(z.string()),
    }),
  ),
  scanned: z.number().int().describe('dead jobs read to build the groups'),
  truncated: z.boolean().describe('true when only the newest dead jobs were grouped'),
});

/** GET /stats/minutes (the operator dashboard's charts). */
export const minuteStatsSchema = z.object({
  items: z.array(
    z.object({
      minute: z.string().describe('UTC minute, yyyy-mm-ddThh:mm'),
      succeeded: z.number().int(),
      failed: z.number().int().describe('failed attempts, retried or not'),
      retried: z.number().int(),
      dead: z.number().int(),
      cancelled: z.number().int(),
    }),
  ),
});
