import * as z from 'zod';
import { LIMITS } from '../domain/job-defaults.ts';
import { PRIORITIES } from '../config/definitions.ts';
import { BACKOFF_TYPES, DEPENDENCY_FAILURE_POLICIES, JOB_STATUS, JOB_STATUSES } from '../domain/job.ts';
import { FLOW_LIMITS } from '../domain/flow.ts';
import { SCHEDULE_NAME } from '../domain/schedule.ts';
import { FLOW_CONTROL_LIMITS as FC } from '../domain/flow-control.ts';

/**
 * Request schemas of the API: the single source the router validates with (and, later, the
 * OpenAPI document is generated from). Unknown fields are refused, so a typo such as
 * "priorty" is a clear 400 instead of a silently ignored setting.
 */

const FLOW_MAX_JOBS = FLOW_LIMITS.maxJobs;

const between = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(min, { error: `${field} must be between ${min} and ${max}` })
    .max(max, { error: `${field} must be between ${min} and ${max}` });

export const backoffSchema = z
  .object({
    type: z.enum(BACKOFF_TYPES, { error: `backoff.type must be one of ${BACKOFF_TYPES.join(', ')}` }),
    delayMs: between('backoff.delayMs', 0, 86_400_000),
    maxDelayMs: between('backoff.maxDelayMs', 0, 86_400_000),
    jitter: z.boolean({ error: 'backoff.jitter must be true or false' }),
  })
  .partial()
  .strict();

/** API.md "Flow control": a key, and at least one of parallelism and rate. */
export const flowControlSchema = z
  .object({
    key: z
      .string({ error: 'flowControl.key is required and must be a string' })
      .min(1, { error: 'flowControl.key must not be empty' })
      .max(FC.maxKeyLength, { error: `flowControl.key must be at most ${FC.maxKeyLength} characters` }),
    parallelism: between('flowControl.parallelism', 1, FC.maxParallelism).optional(),
    rate: between('flowControl.rate', 1, FC.maxRate).optional(),
    periodSeconds: between('flowControl.periodSeconds', 1, FC.maxPeriodSeconds).optional(),
  }, { error: 'flowControl must be an object such as { "key": "tenant-42", "rate": 10 }' })
  .strict()
  .refine((fc) => fc.parallelism !== undefined || fc.rate !== undefined, {
    error: 'flowControl needs at least one of parallelism and rate',
    path: ['parallelism'],
  });

const jobBodyShape = z
  .object({
    type: z
      .string({ error: 'type is required and must be a string' })
      .min(1, { error: 'type must not be empty' })
      .max(LIMITS.maxTypeLength, { error: `type must be at most ${LIMITS.maxTypeLength} characters` }),
    payload: z.unknown().optional(),
    priority: z.enum(PRIORITIES, { error: `priority must be one of ${PRIORITIES.join(', ')}` }).optional(),
    maxAttempts: between('maxAttempts', 1, LIMITS.maxAttempts).optional(),
    backoff: backoffSchema.optional(),
    timeoutMs: between('timeoutMs', LIMITS.minTimeoutMs, 900_000).optional(),
    delayMs: between('delayMs', 0, 365 * 86_400_000).optional(),
    runAt: z.iso.datetime({ offset: true, error: 'runAt must be an ISO-8601 instant such as 2026-01-31T12:00:00Z' }).optional(),
    idempotencyKey: z
      .string({ error: 'idempotencyKey must be a string' })
      .min(1, { error: 'idempotencyKey must not be empty' })
      .max(LIMITS.maxIdempotencyKeyLength, { error: `idempotencyKey must be at most ${LIMITS.maxIdempotencyKeyLength} characters` })
      .optional(),
    metadata: z
      .record(z.string(), z.unknown(), { error: 'metadata must be an object' })
      .refine((m) => Buffer.byteLength(JSON.stringify(m)) <= LIMITS.maxMetadataBytes, {
        error: `metadata must be at most ${LIMITS.maxMetadataBytes} bytes of JSON`,
      })
      .optional(),
    flowControl: flowControlSchema.optional(),
  })
  .strict();

export const jobRequestSchema = jobBodyShape.refine((body) => !(body.delayMs !== undefined && body.runAt !== undefined), {
  error: 'send either delayMs or runAt, not both',
  path: ['delayMs'],
});

/** The job a schedule's firings create: a job body without delay or idempotency key. */
export const jobTemplateSchema = jobBodyShape.omit({ delayMs: true, runAt: true, idempotencyKey: true });

const scheduleFields = {
  expression: z
    .string({ error: 'expression is required: cron(min hour day-of-month month day-of-week year) or rate(n unit)' })
    .min(1, { error: 'expression must not be empty' })
    .max(256, { error: 'expression must be at most 256 characters' }),
  timezone: z.string({ error: 'timezone must be an IANA zone name such as Europe/Berlin' }).max(64).optional(),
  job: jobTemplateSchema,
  enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  description: z.string().max(512, { error: 'description must be at most 512 characters' }).optional(),
  startDate: z.iso.datetime({ offset: true, error: 'startDate must be an ISO-8601 instant' }).optional(),
  endDate: z.iso.datetime({ offset: true, error: 'endDate must be an ISO-8601 instant' }).optional(),
};

export const scheduleNameSchema = z
  .string({ error: 'name is required' })
  .regex(SCHEDULE_NAME, { error: 'name must be 1-60 letters, digits, "-", "_" or "." (not starting with ".")' });

export const createScheduleSchema = z.object({ name: scheduleNameSchema, ...scheduleFields }).strict();

/** PUT /schedules/{name}: the whole schedule again; a name in the body must match the path. */
export const replaceScheduleSchema = z.object({ name: scheduleNameSchema.optional(), ...scheduleFields }).strict();

export const pageQuerySchema = z.object({
  limit: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return LIMITS.defaultListLimit;
      const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(n) || n < 1) {
        ctx.addIssue({ code: 'custom', message: 'limit must be a whole number of at least 1' });
        return z.NEVER;
      }
      return Math.min(n, LIMITS.maxListLimit);
    }),
  cursor: z.string().min(1).max(2048).optional(),
});

export const batchRequestSchema = z
  .object({
    jobs: z
      .array(z.unknown(), { error: 'jobs must be an array of job bodies' })
      .min(1, { error: 'jobs must hold at least one job' })
      .max(LIMITS.maxBatchJobs, { error: `jobs may hold at most ${LIMITS.maxBatchJobs} jobs` }),
  })
  .strict();

export const listQuerySchema = z.object({
  status: z.enum(JOB_STATUS, { error: `status must be one of ${JOB_STATUSES.join(', ')}` }).optional(),
  type: z.string().min(1).max(LIMITS.maxTypeLength).optional(),
  priority: z.enum(PRIORITIES, { error: `priority must be one of ${PRIORITIES.join(', ')}` }).optional(),
  limit: pageQuerySchema.shape.limit,
  cursor: pageQuerySchema.shape.cursor,
});

export const deadListQuerySchema = listQuerySchema.pick({ type: true, limit: true, cursor: true });

export const reasonBodySchema = z
  .object({
    reason: z
      .string({ error: 'reason must be a string' })
      .max(LIMITS.maxReasonLength, { error: `reason must be at most ${LIMITS.maxReasonLength} characters` })
      .optional(),
  })
  .strict();

export const retryBodySchema = z.object({ resetAttempts: z.boolean({ error: 'resetAttempts must be true or false' }).optional() }).strict();

export const replayManyBodySchema = z
  .object({
    type: z.string().min(1).max(LIMITS.maxTypeLength).optional(),
    limit: between('limit', 1, LIMITS.maxReplayLimit).optional(),
  })
  .strict();

export const priorityParamSchema = z.enum(PRIORITIES, { error: `priority must be one of ${PRIORITIES.join(', ')}` });

export type JobRequestBody = z.infer<typeof jobRequestSchema>;

/** Action routes that take no fields refuse any (a typo is a 400, not ignored). */
export const emptyBodySchema = z.object({}).strict();

/** API.md "Flows": a job body plus its ref, its dependencies (refs) and its failure policy. */
export const flowJobSchema = jobBodyShape
  .omit({ idempotencyKey: true })
  .extend({
    ref: z
      .string({ error: 'ref is required and must be a string' })
      .regex(/^[\w.:-]{1,64}$/, { error: 'ref must be 1-64 letters, digits, "_", ".", ":" or "-"' }),
    dependsOn: z.array(z.string({ error: 'dependsOn must hold refs' }), { error: 'dependsOn must be an array of refs' }).max(FLOW_MAX_JOBS).optional(),
    onDependencyFailure: z.enum(DEPENDENCY_FAILURE_POLICIES, { error: 'onDependencyFailure must be cancel or run' }).optional(),
  })
  .strict()
  .refine((body) => !(body.delayMs !== undefined && body.runAt !== undefined), { error: 'send either delayMs or runAt, not both', path: ['delayMs'] })
  .refine((body) => (body.dependsOn ?? []).length === 0 || (body.delayMs === undefined && body.runAt === undefined), {
    error: 'a job with dependencies starts when they finish: delayMs and runAt are for jobs without dependsOn',
    path: ['delayMs'],
  });

export const flowRequestSchema = z
  .object({
    idempotencyKey: jobBodyShape.shape.idempotencyKey,
    jobs: z
      .array(flowJobSchema, { error: 'jobs must be an array of job bodies with a ref' })
      .min(1, { error: 'jobs must hold at least one job' })
      .max(FLOW_MAX_JOBS, { error: `a flow may hold at most ${FLOW_MAX_JOBS} jobs` }),
  })
  .strict();

export type FlowRequestBody = z.infer<typeof flowRequestSchema>;
