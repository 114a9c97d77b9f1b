import * as z from 'zod';
import {
  batchRequestSchema,
  createScheduleSchema,
  jobRequestSchema,
  listQuerySchema,
  pageQuerySchema,
  reasonBodySchema,
  replaceScheduleSchema,
  replayManyBodySchema,
  retryBodySchema,
} from './schemas.ts';
import {
  batchResponseSchema,
  errorBodySchema,
  healthSchema,
  jobPageSchema,
  jobViewSchema,
  readinessSchema,
  replayResultSchema,
  schedulePageSchema,
  scheduleViewSchema,
  statsSchema,
  flowKeySchema,
} from './response-schemas.ts';
import { deadListByGroupQuerySchema, failureGroupQuerySchema, failureGroupsSchema, groupReplayBodySchema, minuteStatsSchema, minutesQuerySchema } from './dashboard-schemas.ts';

type JsonObject = Record<string, unknown>;

/** Version of the HTTP contract (API.md), not of the package. */
export const API_VERSION = '1.0.0';

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of a zod schema, without its $schema line. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

const COMPONENTS = {
  JobRequest: [jobRequestSchema, 'input'],
  JobBatchRequest: [batchRequestSchema, 'input'],
  ReasonRequest: [reasonBodySchema, 'input'],
  RetryRequest: [retryBodySchema, 'input'],
  ReplayRequest: [replayManyBodySchema, 'input'],
  GroupReplayRequest: [groupReplayBodySchema, 'input'],
  ScheduleCreateRequest: [createScheduleSchema, 'input'],
  ScheduleReplaceRequest: [replaceScheduleSchema, 'input'],
  Error: [errorBodySchema, 'output'],
  Job: [jobViewSchema, 'output'],
  JobPage: [jobPageSchema, 'output'],
  JobBatchResponse: [batchResponseSchema, 'output'],
  Schedule: [scheduleViewSchema, 'output'],
  SchedulePage: [schedulePageSchema, 'output'],
  Stats: [statsSchema, 'output'],
  Readiness: [readinessSchema, 'output'],
  Health: [healthSchema, 'output'],
  ReplayResult: [replayResultSchema, 'output'],
  FailureGroups: [failureGroupsSchema, 'output'],
  MinuteStats: [minuteStatsSchema, 'output'],
  FlowKey: [flowKeySchema, 'output'],
} as const satisfies Record<string, readonly [z.ZodType, 'input' | 'output']>;
type Component = keyof typeof COMPONENTS;

const ref = (name: Component) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: Component) => ({ content: { 'application/json': { schema: ref(name) } } });
const answer = (description: string, name: Component) => ({ description, ...json(name) });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_TEXT[s] ?? 'Error', ...json('Error') }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'INVALID_JSON, VALIDATION_ERROR (details name the field) or UNKNOWN_JOB_TYPE',
  401: 'UNAUTHORIZED: a credential is required',
  404: 'NOT_FOUND',
  409: 'INVALID_STATE, CONFLICT or IDEMPOTENCY_KEY_REUSED',
  413: 'PAYLOAD_TOO_LARGE (details give the limit)',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL',
};
const body = (name: Component, required = true) => ({ requestBody: { required, ...json(name) } });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const queryParams = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: QUERY_INTEGERS[name] ?? schemaOf(field as z.ZodType, 'input'),
  }));
/** Query parameters arrive as strings and are read as integers: their JSON Schema says so. */
const QUERY_INTEGERS: Record<string, JsonObject> = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  minutes: { type: 'integer', minimum: 1, maximum: 180, default: 60 },
};
const ID = pathParam('id', 'The job id');
const NAME = pathParam('name', 'The schedule name');
const COMMON = errors(401, 500);

/**
 * The OpenAPI 3.1 document of the SkyForge API, generated from the same zod schemas the API
 * validates requests with (and the response schemas tests check answers against). Served at
 * GET /openapi.json and written to docs/openapi.json by `npm run openapi`.
 */
type Operation = (summary: string, spec: JsonObject) => JsonObject;

export function buildOpenApiDocument(version: string = API_VERSION): JsonObject {
  const op: Operation = (summary, spec) => ({ summary, ...spec, responses: { ...(spec.responses as JsonObject), ...COMMON } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'SkyForge API',
      version,
      description:
        'Serverless job queue and scheduler. Every response carries X-Request-ID; every error has the shape of the Error schema. On AWS every route but GET /healthz needs IAM (SigV4, service execute-api).',
    },
    components: {
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, [schema, io]]) => [name, schemaOf(schema, io)])),
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 (service execute-api)' },
        bearer: { type: 'http', scheme: 'bearer', description: 'SKYFORGE_API_TOKEN mode (local cloud, token deployments)' },
      },
    },
    security: [{ sigv4: [] }, { bearer: [] }],
    paths: { ...jobPaths(op), ...deadLetterPaths(op), ...schedulePaths(op), ...operationPaths(op) },
  };
}

/** /jobs and /queues/{priority}/jobs. */
function jobPaths(op: Operation): JsonObject {
  return {
    '/jobs': {
      post: op('Create a job', {
        ...body('JobRequest'),
        responses: { '201': answer('Created', 'Job'), '200': answer('Idempotent replay (header Idempotent-Replayed: true)', 'Job'), ...errors(400, 409, 413, 415) },
      }),
      get: op('List jobs, newest first', { parameters: queryParams(listQuerySchema), responses: { '200': answer('A page of jobs', 'JobPage'), ...errors(400) } }),
    },
    '/jobs/batch': {
      post: op('Create up to 100 jobs; one bad item never sinks the others', {
        ...body('JobBatchRequest'),
        responses: { '200': answer('Per-item results', 'JobBatchResponse'), ...errors(400, 413, 415) },
      }),
    },
    '/jobs/{id}': {
      get: op('Get a job', { parameters: [ID], responses: { '200': answer('The job', 'Job'), ...errors(404) } }),
      delete: op('Delete a job (any state but RUNNING)', { parameters: [ID], responses: { '204': { description: 'Deleted' }, ...errors(404, 409) } }),
    },
    '/jobs/{id}/cancel': {
      post: op('Cancel (SCHEDULED, QUEUED, RETRYING, RUNNING)', { parameters: [ID], ...body('ReasonRequest', false), responses: { '200': answer('The job as it now stands', 'Job'), ...errors(400, 404, 409) } }),
    },
    '/jobs/{id}/retry': {
      post: op('Queue a DEAD or CANCELLED job again', { parameters: [ID], ...body('RetryRequest', false), responses: { '200': answer('The job', 'Job'), ...errors(400, 404, 409) } }),
    },
    '/jobs/{id}/dlq': {
      post: op('Move an unfinished job to the dead-letter list', { parameters: [ID], ...body('ReasonRequest', false), responses: { '200': answer('The job', 'Job'), ...errors(400, 404, 409) } }),
    },
    '/queues/{priority}/jobs': {
      get: op('List one queue’s jobs', {
        parameters: [{ ...pathParam('priority', 'critical, high, normal or low'), schema: { type: 'string', enum: ['critical', 'high', 'normal', 'low'] } }, ...queryParams(listQuerySchema.omit({ priority: true, type: true }))],
        responses: { '200': answer('A page of jobs', 'JobPage'), ...errors(400) },
      }),
    },
  };
}

/** /dlq. */
function deadLetterPaths(op: Operation): JsonObject {
  return {
    '/dlq': {
      get: op('List dead jobs, newest death first (fingerprint: one failure group; such a page may come back short, with a cursor)', {
        parameters: queryParams(deadListByGroupQuerySchema),
        responses: { '200': answer('A page of dead jobs', 'JobPage'), ...errors(400) },
      }),
    },
    '/dlq/groups': {
      get: op('Dead jobs grouped by failure fingerprint (type, error name, normalized message), largest group first', {
        parameters: queryParams(failureGroupQuerySchema),
        responses: { '200': answer('The failure groups', 'FailureGroups'), ...errors(400) },
      }),
    },
    '/dlq/groups/{fingerprint}/replay': {
      post: op('Replay the dead jobs of one failure group (attempts reset)', {
        parameters: [pathParam('fingerprint', 'The group fingerprint (GET /dlq/groups)')],
        ...body('GroupReplayRequest', false),
        responses: { '200': answer('How many', 'ReplayResult'), ...errors(400, 404) },
      }),
    },
    '/dlq/replay': { post: op('Replay many dead jobs', { ...body('ReplayRequest', false), responses: { '200': answer('How many', 'ReplayResult'), ...errors(400) } }) },
    '/dlq/{id}': { get: op('Get a dead job', { parameters: [ID], responses: { '200': answer('The dead job', 'Job'), ...errors(404) } }) },
    '/dlq/{id}/replay': { post: op('Replay a dead job (attempts reset)', { parameters: [ID], responses: { '200': answer('The job', 'Job'), ...errors(404, 409) } }) },
  };
}

/** /schedules. */
function schedulePaths(op: Operation): JsonObject {
  return {
    '/schedules': {
      post: op('Create a recurring schedule', { ...body('ScheduleCreateRequest'), responses: { '201': answer('Created', 'Schedule'), ...errors(400, 409, 415) } }),
      get: op('List schedules by name', { parameters: queryParams(pageQuerySchema), responses: { '200': answer('A page of schedules', 'SchedulePage'), ...errors(400) } }),
    },
    '/schedules/{name}': {
      get: op('Get a schedule with its nextRunAt', { parameters: [NAME], responses: { '200': answer('The schedule', 'Schedule'), ...errors(404) } }),
      put: op('Replace a schedule', { parameters: [NAME], ...body('ScheduleReplaceRequest'), responses: { '200': answer('The schedule', 'Schedule'), ...errors(400, 404, 415) } }),
      delete: op('Delete a schedule', { parameters: [NAME], responses: { '204': { description: 'Deleted' }, ...errors(404) } }),
    },
    '/schedules/{name}/pause': { post: op('Pause a schedule', { parameters: [NAME], responses: { '200': answer('The schedule', 'Schedule'), ...errors(404) } }) },
    '/schedules/{name}/resume': { post: op('Resume a schedule', { parameters: [NAME], responses: { '200': answer('The schedule', 'Schedule'), ...errors(404) } }) },
    '/schedules/{name}/trigger': { post: op('Run one firing now', { parameters: [NAME], responses: { '202': answer('The new job', 'Job'), ...errors(404) } }) },
  };
}

/** Health, readiness, stats, metrics and this document. */
function operationPaths(op: Operation): JsonObject {
  return {
    '/stats': { get: op('Queue depths and jobs per status', { responses: { '200': answer('Stats', 'Stats') } }) },
    '/stats/minutes': {
      get: op('Job events per minute over the last minutes (the dashboard charts)', {
        parameters: queryParams(minutesQuerySchema),
        responses: { '200': answer('One entry per minute, oldest first', 'MinuteStats'), ...errors(400) },
      }),
    },
    '/flow-control/{key}': {
      get: op('A flow-control key: its latest limits, running jobs and deferrals', {
        parameters: [pathParam('key', 'The flow-control key (URL-encoded)')],
        responses: { '200': answer('The key', 'FlowKey'), ...errors(404) },
      }),
    },
    '/healthz': { get: { summary: 'Liveness (no credential needed)', security: [], responses: { '200': answer('Up', 'Health') } } },
    '/readyz': { get: op('Readiness of DynamoDB and SQS', { responses: { '200': answer('Ready', 'Readiness'), '503': answer('Not ready', 'Readiness') } }) },
    '/metrics': { get: op('Prometheus text exposition', { responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } } }) },
    '/openapi.json': { get: op('This document', { responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } }) },
  };
}
