import * as z from 'zod/mini';
import '../config/zod-messages.ts';
import { LIMITS } from '../domain/job-defaults.ts';
import { PRIORITIES } from '../config/definitions.ts';
import { BACKOFF_TYPES, DEPENDENCY_FAILURE_POLICIES, JOB_STATUS, JOB_STATUSES } from '../domain/job.ts';
import { FLOW_LIMITS } from '../domain/flow.ts';
import { SCHEDULE_NAME } from '../domain/schedule.ts';
import { FLOW_CONTROL_LIMITS as FC } from '../domain/flow-control.ts';

/**
 * Request schemas of the API: the single source the router validates with and the OpenAPI
 * document is generated from. Unknown fields are refused, so a typo such as "priorty" is a
 * clear 400 instead of a silently ignored setting.
 *
 * zod/mini, not classic zod: the same checks, messages (zod-messages.ts) and JSON Schema, but
 * the api bundle leaves out classic zod's methods and the JSON Schema conversion they pull in
 * (~65 KB). Classic `a.min(1, p).max(9, p).optional()` is `z.optional(a.check(z.minLength(1, p),
 * z.maxLength(9, p)))` here (numbers: z.int(p), z.gte, z.lte); `.refine(f, p)` is
 * `.check(z.refine(f, p))`; `z.object(s).strict()` is `z.strictObject(s)`; `.omit/.pick/.extend/
 * .partial` are `z.omit(schema, mask)` and so on; `.transform(f)` is `z.pipe(schema, z.transform(f))`.
 */

const FLOW_MAX_JOBS = FLOW_LIMITS.maxJobs;

const between = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .check(
      z.int({ error: `${field} must be a whole number` }),
      z.gte(min, { error: `${field} must be between ${min} and ${max}` }),
      z.lte(max, { error: `${field} must be between ${min} and ${max}` }),
    );

export const backoffSchema = z.partial(
  z.strictObject({
    type: z.enum(BACKOFF_TYPES, { error: `backoff.type must be one of ${BACKOFF_TYPES.join(', ')}` }),
    delayMs: between('backoff.delayMs', 0, 86_400_000),
    maxDelayMs: between('backoff.maxDelayMs', 0, 86_400_000),
    jitter: z.boolean({ error: 'backoff.jitter must be true or false' }),
  }),
);

/** API.md "Flow control": a key, and at least one of parallelism and rate. */
export const flowControlSchema = z
  .strictObject({
    key: z
      .string({ error: 'flowControl.key is required and must be a string' })
      .check(
        z.minLength(1, { error: 'flowControl.key must not be empty' }),
        z.maxLength(FC.maxKeyLength, { error: `flowControl.key must be at most ${FC.maxKeyLength} characters` }),
      ),
    parallelism: z.optional(between('flowControl.parallelism', 1, FC.maxParallelism)),
    rate: z.optional(between('flowControl.rate', 1, FC.maxRate)),
    periodSeconds: z.optional(between('flowControl.periodSeconds', 1, FC.maxPeriodSeconds)),
  }, { error: 'flowControl must be an object such as { "key": "tenant-42", "rate": 10 }' })
  .check(
    z.refine((fc) => fc.parallelism !== undefined || fc.rate !== undefined, {
      error: 'flowControl needs at least one of parallelism and rate',
      path: ['parallelism'],
    }),
  );

const jobBodyShape = z.strictObject({
  type: z
    .string({ error: 'type is required and must be a string' })
    .check(
      z.minLength(1, { error: 'type must not be empty' }),
      z.maxLength(LIMITS.maxTypeLength, { error: `type must be at most ${LIMITS.maxTypeLength} characters` }),
    ),
  payload: z.optional(z.unknown()),
  priority: z.optional(z.enum(PRIORITIES, { error: `priority must be one of ${PRIORITIES.join(', ')}` })),
  maxAttempts: z.optional(between('maxAttempts', 1, LIMITS.maxAttempts)),
  backoff: z.optional(backoffSchema),
  timeoutMs: z.optional(between('timeoutMs', LIMITS.minTimeoutMs, 900_000)),
  delayMs: z.optional(between('delayMs', 0, 365 * 86_400_000)),
  runAt: z.optional(z.iso.datetime({ offset: true, error: 'runAt must be an ISO-8601 instant such as 2026-01-31T12:00:00Z' })),
  idempotencyKey: z.optional(
    z
      .string({ error: 'idempotencyKey must be a string' })
      .check(
        z.minLength(1, { error: 'idempotencyKey must not be empty' }),
        z.maxLength(LIMITS.maxIdempotencyKeyLength, { error: `idempotencyKey must be at most ${LIMITS.maxIdempotencyKeyLength} characters` }),
      ),
  ),
  metadata: z.optional(
    z.record(z.string(), z.unknown(), { error: 'metadata must be an object' }).check(
      z.refine((m) => Buffer.byteLength(JSON.stringify(m)) <= LIMITS.maxMetadataBytes, {
        error: `metadata must be at most ${LIMITS.maxMetadataBytes} bytes of JSON`,
      }),
    ),
  ),
  flowControl: z.optional(flowControlSchema),
});

export const jobRequestSchema = jobBodyShape.check(
  z.refine((body) => !(body.delayMs !== undefined && body.runAt !== undefined), {
    error: 'send either delayMs or runAt, not both',
    path: ['delayMs'],
  }),
);

/** The job a schedule's firings create: a job body without delay or idempotency key. */
export const jobTemplateSchema = z.omit(jobBodyShape, { delayMs: true, runAt: true, idempotencyKey: true });

const scheduleFields = {
  expression: z
    .string({ error: 'expression is required: cron(min hour day-of-month month day-of-week year) or rate(n unit)' })
    .check(z.minLength(1, { error: 'expression must not be empty' }), z.maxLength(256, { error: 'expression must be at most 256 characters' })),
  timezone: z.optional(z.string({ error: 'timezone must be an IANA zone name such as Europe/Berlin' }).check(z.maxLength(64))),
  job: jobTemplateSchema,
  enabled: z.optional(z.boolean({ error: 'enabled must be true or false' })),
  description: z.optional(z.string().check(z.maxLength(512, { error: 'description must be at most 512 characters' }))),
  startDate: z.optional(z.iso.datetime({ offset: true, error: 'startDate must be an ISO-8601 instant' })),
  endDate: z.optional(z.iso.datetime({ offset: true, error: 'endDate must be an ISO-8601 instant' })),
};

export const scheduleNameSchema = z
  .string({ error: 'name is required' })
  .check(z.regex(SCHEDULE_NAME, { error: 'name must be 1-60 letters, digits, "-", "_" or "." (not starting with ".")' }));

export const createScheduleSchema = z.strictObject({ name: scheduleNameSchema, ...scheduleFields });

/** PUT /schedules/{name}: the whole schedule again; a name in the body must match the path. */
export const replaceScheduleSchema = z.strictObject({ name: z.optional(scheduleNameSchema), ...scheduleFields });

export const pageQuerySchema = z.object({
  limit: z.pipe(
    z.optional(z.string()),
    z.transform((raw, ctx) => {
      if (raw === undefined || raw === '') return LIMITS.defaultListLimit;
      const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(n) || n < 1) {
        // zod/mini's transform context has no addIssue (classic's adds one that does exactly this).
        ctx.issues.push({ code: 'custom', message: 'limit must be a whole number of at least 1', input: raw });
        return z.NEVER;
      }
      return Math.min(n, LIMITS.maxListLimit);
    }),
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export const batchRequestSchema = z.strictObject({
  jobs: z
    .array(z.unknown(), { error: 'jobs must be an array of job bodies' })
    .check(
      z.minLength(1, { error: 'jobs must hold at least one job' }),
      z.maxLength(LIMITS.maxBatchJobs, { error: `jobs may hold at most ${LIMITS.maxBatchJobs} jobs` }),
    ),
});

export const listQuerySchema = z.object({
  status: z.optional(z.enum(JOB_STATUS, { error: `status must be one of ${JOB_STATUSES.join(', ')}` })),
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.maxTypeLength))),
  priority: z.optional(z.enum(PRIORITIES, { error: `priority must be one of ${PRIORITIES.join(', ')}` })),
  limit: pageQuerySchema.shape.limit,
  cursor: pageQuerySchema.shape.cursor,
});

/** GET /queues/{priority}/jobs: the priority is in the path, the type not filterable. */
export const queueListQuerySchema = z.omit(listQuerySchema, { priority: true, type: true });

export const deadListQuerySchema = z.pick(listQuerySchema, { type: true, limit: true, cursor: true });

export const reasonBodySchema = z.strictObject({
  reason: z.optional(
    z
      .string({ error: 'reason must be a string' })
      .check(z.maxLength(LIMITS.maxReasonLength, { error: `reason must be at most ${LIMITS.maxReasonLength} characters` })),
  ),
});

export const retryBodySchema = z.strictObject({ resetAttempts: z.optional(z.boolean({ error: 'resetAttempts must be true or false' })) });

export const replayManyBodySchema = z.strictObject({
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.maxTypeLength))),
  limit: z.optional(between('limit', 1, LIMITS.maxReplayLimit)),
});

export const priorityParamSchema = z.enum(PRIORITIES, { error: `priority must be one of ${PRIORITIES.join(', ')}` });

export type JobRequestBody = z.infer<typeof jobRequestSchema>;

/** Action routes that take no fields refuse any (a typo is a 400, not ignored). */
export const emptyBodySchema = z.strictObject({});

/** API.md "Flows": a job body plus its ref, its dependencies (refs) and its failure policy. */
// Strict as jobBodyShape is: z.omit and z.extend keep its catchall (classic wrote `.strict()`).
export const flowJobSchema = z
  .extend(z.omit(jobBodyShape, { idempotencyKey: true }), {
    ref: z
      .string({ error: 'ref is required and must be a string' })
      .check(z.regex(/^[\w.:-]{1,64}$/, { error: 'ref must be 1-64 letters, digits, "_", ".", ":" or "-"' })),
    dependsOn: z.optional(
      z.array(z.string({ error: 'dependsOn must hold refs' }), { error: 'dependsOn must be an array of refs' }).check(z.maxLength(FLOW_MAX_JOBS)),
    ),
    onDependencyFailure: z.optional(z.enum(DEPENDENCY_FAILURE_POLICIES, { error: 'onDependencyFailure must be cancel or run' })),
  })
  .check(
    z.refine((body) => !(body.delayMs !== undefined && body.runAt !== undefined), { error: 'send either delayMs or runAt, not both', path: ['delayMs'] }),
    z.refine((body) => (body.dependsOn ?? []).length === 0 || (body.delayMs === undefined && body.runAt === undefined), {
      error: 'a job with dependencies starts when they finish: delayMs and runAt are for jobs without dependsOn',
      path: ['delayMs'],
    }),
  );

export const flowRequestSchema = z.strictObject({
  idempotencyKey: jobBodyShape.shape.idempotencyKey,
  jobs: z
    .array(flowJobSchema, { error: 'jobs must be an array of job bodies with a ref' })
    .check(
      z.minLength(1, { error: 'jobs must hold at least one job' }),
      z.maxLength(FLOW_MAX_JOBS, { error: `a flow may hold at most ${FLOW_MAX_JOBS} jobs` }),
    ),
});

export type FlowRequestBody = z.infer<typeof flowRequestSchema>;
