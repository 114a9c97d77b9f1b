import * as z from 'zod';
import {
  batchRequestSchema,
  createScheduleSchema,
  emptyBodySchema,
  flowRequestSchema,
  jobRequestSchema,
  listQuerySchema,
  pageQuerySchema,
  queueListQuerySchema,
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
  gatewayErrorSchema,
  replayResultSchema,
  schedulePageSchema,
  scheduleViewSchema,
  statsSchema,
  flowKeySchema,
  flowViewSchema,
} from './response-schemas.ts';
import { OPENAPI_EXAMPLES } from './openapi-examples.ts';
import { deadListByGroupQuerySchema, failureGroupQuerySchema, groupReplayBodySchema, minutesQuerySchema } from './dashboard-schemas.ts';
import { failureGroupsSchema, minuteStatsSchema } from './response-schemas.ts';

type JsonObject = Record<string, unknown>;

/** Version of the HTTP contract (API.md), not of the package. */
export const API_VERSION = '1.0.0';

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of a zod schema, without its $schema line. */
function schemaOf(schema: z.core.$ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

const COMPONENTS = {
  JobRequest: [jobRequestSchema, 'input'],
  JobBatchRequest: [batchRequestSchema, 'input'],
  ReasonRequest: [reasonBodySchema, 'input'],
  EmptyRequest: [emptyBodySchema, 'input'],
  RetryRequest: [retryBodySchema, 'input'],
  ReplayRequest: [replayManyBodySchema, 'input'],
  GroupReplayRequest: [groupReplayBodySchema, 'input'],
  ScheduleCreateRequest: [createScheduleSchema, 'input'],
  ScheduleReplaceRequest: [replaceScheduleSchema, 'input'],
  Error: [errorBodySchema, 'output'],
  GatewayError: [gatewayErrorSchema, 'output'],
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
  FlowRequest: [flowRequestSchema, 'input'],
  Flow: [flowViewSchema, 'output'],
} as const satisfies Record<string, readonly [z.core.$ZodType, 'input' | 'output']>;
type Component = keyof typeof COMPONENTS;

const ref = (name: Component) => ({ $ref: `#/components/schemas/${name}` });
const REQUEST_ID_HEADER = { $ref: '#/components/headers/X-Request-ID' };
const json = (name: Component, example?: unknown) => ({
  content: { 'application/json': { schema: ref(name), ...(example === undefined ? {} : { example }) } },
});
/** Every answer carries X-Request-ID (API.md). */
const answer = (description: string, name: Component, example?: unknown, headers: JsonObject = {}) => ({
  description,
  headers: { 'X-Request-ID': REQUEST_ID_HEADER, ...headers },
  ...json(name, example),
});
const noContent = (description: string) => ({ description, headers: { 'X-Request-ID': REQUEST_ID_HEADER } });
const body = (name: Component, required = true, example?: unknown) => ({ requestBody: { required, ...json(name, example) } });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const queryParams = (schema: { shape: z.core.$ZodShape }) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: QUERY_INTEGERS[name] ?? schemaOf(field, 'input'),
  }));
/** Query parameters arrive as strings and are read as integers: their JSON Schema says so. */
const QUERY_INTEGERS: Record<string, JsonObject> = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  minutes: { type: 'integer', minimum: 1, maximum: 180, default: 60 },
};
const ID = pathParam('id', 'The job id');
const NAME = pathParam('name', 'The schedule name');

const RETRY_AFTER = { type: 'integer', minimum: 0 };

/** The error answers an operation may give, by status (API.md's error table). */
const ERROR_ANSWERS: Record<number, JsonObject> = {
  400: errorAnswer('INVALID_JSON, VALIDATION_ERROR (details name the field) or UNKNOWN_JOB_TYPE', OPENAPI_EXAMPLES.error),
  401: { ...errorAnswer('UNAUTHORIZED: the API runs with SKYFORGE_API_TOKEN and the call has no valid bearer token'), headers: { 'X-Request-ID': REQUEST_ID_HEADER, 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer' } } },
  403: gatewayOrErrorAnswer(
    'On AWS, API Gateway refuses a call without a valid SigV4 signature or IAM permission (body `{ message }`); the local cloud answers FORBIDDEN to a write another site sent from a browser',
  ),
  404: errorAnswer('NOT_FOUND'),
  409: errorAnswer('INVALID_STATE (details carry the current status), CONFLICT or IDEMPOTENCY_KEY_REUSED'),
  413: errorAnswer('PAYLOAD_TOO_LARGE (details give the limit)'),
  415: errorAnswer('UNSUPPORTED_MEDIA_TYPE: send Content-Type: application/json'),
  429: {
    ...gatewayOrErrorAnswer('RATE_LIMITED, or API Gateway throttled the call (body `{ message }`); retry after Retry-After when it is set'),
    headers: { 'X-Request-ID': REQUEST_ID_HEADER, 'Retry-After': { description: 'Seconds to wait before retrying, when the limiter says', schema: RETRY_AFTER } },
  },
  500: errorAnswer('INTERNAL: quote the requestId when reporting it'),
  503: {
    ...errorAnswer('UNAVAILABLE: AWS throttled or failed a call the API could not absorb; retry after Retry-After (with the same idempotency key, a retried submit still ends with one job)'),
    headers: { 'X-Request-ID': REQUEST_ID_HEADER, 'Retry-After': { description: 'Seconds to wait before retrying', required: true, schema: RETRY_AFTER } },
  },
};
function errorAnswer(description: string, example?: unknown): JsonObject {
  return answer(description, 'Error', example);
}
function gatewayOrErrorAnswer(description: string): JsonObject {
  return { description, headers: { 'X-Request-ID': REQUEST_ID_HEADER }, content: { 'application/json': { schema: { anyOf: [ref('Error'), ref('GatewayError')] } } } };
}

/** Areas of the API: each operation carries one (generators group methods by them). */
const TAGS = {
  jobs: { name: 'jobs', description: 'Submit jobs, read and list them, cancel, retry, dead-letter or delete one' },
  deadLetters: { name: 'dead letters', description: 'DEAD jobs, their failure groups, and replays' },
  schedules: { name: 'schedules', description: 'Recurring jobs on EventBridge Scheduler expressions' },
  flows: { name: 'flows', description: 'Jobs that depend on jobs' },
  flowControl: { name: 'flow control', description: 'Rate limits and concurrency per key' },
  operations: { name: 'operations', description: 'Stats, health, readiness, metrics and this document' },
} as const;
type Tag = keyof typeof TAGS;

/**
 * The names of the operations. Each is a method of SkyForgeClient (cli/client), so a client
 * generated in another language and the TypeScript one call the same thing by the same name;
 * test/unit/openapi.test.ts checks both ways.
 */
export const OPERATION_IDS = [
  'enqueue',
  'listJobs',
  'enqueueBatch',
  'getJob',
  'deleteJob',
  'cancelJob',
  'retryJob',
  'deadLetterJob',
  'listQueueJobs',
  'listDeadLetters',
  'listDeadLetterGroups',
  'replayDeadLetterGroup',
  'replayDeadLetters',
  'getDeadLetter',
  'replayDeadLetter',
  'createSchedule',
  'listSchedules',
  'getSchedule',
  'updateSchedule',
  'deleteSchedule',
  'pauseSchedule',
  'resumeSchedule',
  'triggerSchedule',
  'getFlowControl',
  'createFlow',
  'getFlow',
  'cancelFlow',
  'retryFlow',
  'getStats',
  'getMinuteStats',
  'getHealth',
  'getReadiness',
  'getMetrics',
  'getOpenApiDocument',
] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

interface OperationSpec {
  summary: string;
  description?: string;
  parameters?: JsonObject[];
  requestBody?: JsonObject;
  /** The success answers. */
  responses: JsonObject;
  /** Statuses of the error answers particular to it (the common ones are added). */
  errors?: number[];
  /** False for the operations that never call AWS (no 503 UNAVAILABLE). */
  callsAws?: boolean;
  /** Served without a credential. */
  public?: boolean;
}

/**
 * Every operation may answer 401/403 (credentials), 429 (throttled), 500; one that calls AWS
 * also 503 UNAVAILABLE; one that takes a body also 400 (INVALID_JSON), 413 and 415.
 */
function operation(operationId: OperationId, tag: Tag, spec: OperationSpec): JsonObject {
  const { errors = [], callsAws = true, public: isPublic = false, responses, ...rest } = spec;
  const statuses = new Set([...errors, ...(isPublic ? [] : [401, 403]), 429, 500, ...(callsAws ? [503] : []), ...(spec.requestBody ? [400, 413, 415] : [])]);
  return {
    operationId,
    tags: [TAGS[tag].name],
    ...rest,
    parameters: [
      { $ref: '#/components/parameters/X-Request-ID' },
      { $ref: '#/components/parameters/traceparent' },
      { $ref: '#/components/parameters/tracestate' },
      ...(spec.parameters ?? []),
    ],
    ...(isPublic ? { security: [] } : {}),
    responses: {
      ...responses,
      // A status the operation answers in its own shape (503 of /readyz) keeps that answer.
      ...Object.fromEntries([...statuses].filter((s) => !(String(s) in responses)).sort().map((s) => [String(s), ERROR_ANSWERS[s]])),
    },
  };
}

/**
 * The OpenAPI 3.1 document of the SkyForge API, generated from the same zod schemas the API
 * validates requests with (and the response schemas tests check answers against). Served at
 * GET /openapi.json and written to docs/openapi.json by `npm run openapi`.
 */
export function buildOpenApiDocument(version: string = API_VERSION): JsonObject {
  const paths = { ...jobPaths(), ...deadLetterPaths(), ...schedulePaths(), ...flowPaths(), ...operationPaths() };
  const usedTags = new Set(Object.values(paths).flatMap((ops) => Object.values(ops as Record<string, { tags: string[] }>).flatMap((op) => op.tags)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'SkyForge API',
      version,
      description:
        'Serverless job queue and scheduler. Every response carries X-Request-ID, and every answer of the functions a W3C traceparent (docs/tracing.md); every error has the shape of the Error schema (API Gateway’s own refusals on AWS: GatewayError). On AWS every route but GET /healthz needs IAM (SigV4, service execute-api).',
      license: { name: 'Apache 2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      { url: 'http://localhost:3000', description: 'The local cloud (npm start, skyforge dev); its port is set with --port' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stack: its ApiUrl output',
        variables: {
          apiId: { default: 'your-api-id', description: 'The HTTP API id (the ApiUrl output of the stack)' },
          region: { default: 'us-east-1', description: 'The stack’s region' },
        },
      },
    ],
    tags: Object.values(TAGS).filter((tag) => usedTags.has(tag.name)),
    security: [{ sigv4: [] }, { bearer: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, [schema, io]]) => [name, schemaOf(schema, io)])),
      parameters: {
        'X-Request-ID': {
          name: 'X-Request-ID',
          in: 'header',
          required: false,
          description: 'Echoed in the answer (1-128 letters, digits and ._:@/+=-); generated when absent or not of that form',
          schema: { type: 'string', maxLength: 128 },
        },
        traceparent: {
          name: 'traceparent',
          in: 'header',
          required: false,
          description:
            'W3C Trace Context: the request (and a job it creates) continues this trace; a missing or invalid one starts a new trace, never an error. The answer carries the request’s own traceparent (docs/tracing.md)',
          schema: { type: 'string', example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        },
        tracestate: {
          name: 'tracestate',
          in: 'header',
          required: false,
          description: 'W3C Trace Context vendor data, kept verbatim with a valid traceparent (at most 512 characters, 32 members)',
          schema: { type: 'string', maxLength: 512 },
        },
      },
      headers: {
        'X-Request-ID': { description: 'The request id (the one sent, or a generated one): quote it when reporting a problem', schema: { type: 'string' } },
      },
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 (service execute-api)' },
        bearer: { type: 'http', scheme: 'bearer', description: 'SKYFORGE_API_TOKEN mode (local cloud, token deployments)' },
      },
    },
  };
}

/** /jobs and /queues/{priority}/jobs. */
function jobPaths(): JsonObject {
  const { job, jobRequest, batchRequest } = OPENAPI_EXAMPLES;
  const changed = (description: string) => ({ '200': answer(description, 'Job') });
  return {
    '/jobs': {
      post: operation('enqueue', 'jobs', {
        summary: 'Create a job',
        description: 'An idempotencyKey that names a job created from the same body answers that job (200, Idempotent-Replayed: true); with another body, 409 IDEMPOTENCY_KEY_REUSED.',
        ...body('JobRequest', true, jobRequest),
        responses: {
          '201': answer('Created', 'Job', { ...job, status: 'QUEUED', attempts: 0, startedAt: null, finishedAt: null, result: null, history: [] }),
          '200': answer('Idempotent replay: the job the key already made', 'Job', undefined, {
            'Idempotent-Replayed': { description: 'true', schema: { type: 'string', enum: ['true'] } },
          }),
        },
        errors: [409],
      }),
      get: operation('listJobs', 'jobs', {
        summary: 'List jobs, newest first',
        parameters: queryParams(listQuerySchema),
        responses: { '200': answer('A page of jobs', 'JobPage') },
        errors: [400],
      }),
    },
    '/jobs/batch': {
      post: operation('enqueueBatch', 'jobs', {
        summary: 'Create up to 100 jobs',
        description: 'Each item is answered on its own (status 201, 200 replayed, or its error), in input order: one bad item never sinks the others.',
        ...body('JobBatchRequest', true, batchRequest),
        responses: { '200': answer('Per-item results', 'JobBatchResponse') },
      }),
    },
    '/jobs/{id}': {
      get: operation('getJob', 'jobs', { summary: 'Get a job', parameters: [ID], responses: { '200': answer('The job', 'Job', job) }, errors: [404] }),
      delete: operation('deleteJob', 'jobs', {
        summary: 'Delete a job (any state but RUNNING)',
        description: 'The job and its pending message or schedule are gone.',
        parameters: [ID],
        responses: { '204': noContent('Deleted') },
        errors: [404, 409],
      }),
    },
    '/jobs/{id}/cancel': {
      post: operation('cancelJob', 'jobs', {
        summary: 'Cancel a job',
        description: 'From BLOCKED, SCHEDULED, QUEUED, RETRYING or RUNNING (a running handler sees its AbortSignal fire); otherwise 409 INVALID_STATE.',
        parameters: [ID],
        ...body('ReasonRequest', false),
        responses: changed('The job as it now stands'),
        errors: [404, 409],
      }),
    },
    '/jobs/{id}/retry': {
      post: operation('retryJob', 'jobs', {
        summary: 'Queue a DEAD or CANCELLED job again',
        parameters: [ID],
        ...body('RetryRequest', false),
        responses: changed('The job as it now stands'),
        errors: [404, 409],
      }),
    },
    '/jobs/{id}/dlq': {
      post: operation('deadLetterJob', 'jobs', {
        summary: 'Move an unfinished job to the dead letters',
        parameters: [ID],
        ...body('ReasonRequest', false),
        responses: changed('The job, DEAD with the reason'),
        errors: [404, 409],
      }),
    },
    '/queues/{priority}/jobs': {
      get: operation('listQueueJobs', 'jobs', {
        summary: 'List the jobs of one priority queue, newest first',
        parameters: [
          { ...pathParam('priority', 'critical, high, normal or low'), schema: { type: 'string', enum: ['critical', 'high', 'normal', 'low'] } },
          ...queryParams(queueListQuerySchema),
        ],
        responses: { '200': answer('A page of jobs', 'JobPage') },
        errors: [400],
      }),
    },
  };
}

/** /dlq. */
function deadLetterPaths(): JsonObject {
  const replayed = { '200': answer('How many were replayed', 'ReplayResult', { replayed: 12 }) };
  return {
    '/dlq': {
      get: operation('listDeadLetters', 'deadLetters', {
        summary: 'List dead jobs, newest death first',
        description: 'With fingerprint, the jobs of one failure group; such a page may come back short, with a cursor.',
        parameters: queryParams(deadListByGroupQuerySchema),
        responses: { '200': answer('A page of dead jobs', 'JobPage') },
        errors: [400],
      }),
    },
    '/dlq/groups': {
      get: operation('listDeadLetterGroups', 'deadLetters', {
        summary: 'Dead jobs grouped by failure fingerprint, largest group first',
        description: 'A fingerprint hashes the type, the last error’s name and its message with the variable parts (numbers, ids, quoted values, URLs) normalized away.',
        parameters: queryParams(failureGroupQuerySchema),
        responses: { '200': answer('The failure groups', 'FailureGroups') },
        errors: [400],
      }),
    },
    '/dlq/groups/{fingerprint}/replay': {
      post: operation('replayDeadLetterGroup', 'deadLetters', {
        summary: 'Replay the dead jobs of one failure group (attempts reset)',
        parameters: [pathParam('fingerprint', 'The group fingerprint (GET /dlq/groups)')],
        ...body('GroupReplayRequest', false),
        responses: replayed,
        errors: [404],
      }),
    },
    '/dlq/replay': {
      post: operation('replayDeadLetters', 'deadLetters', { summary: 'Replay many dead jobs (attempts reset)', ...body('ReplayRequest', false), responses: replayed }),
    },
    '/dlq/{id}': {
      get: operation('getDeadLetter', 'deadLetters', { summary: 'Get a dead job', parameters: [ID], responses: { '200': answer('The dead job', 'Job') }, errors: [404] }),
    },
    '/dlq/{id}/replay': {
      post: operation('replayDeadLetter', 'deadLetters', {
        summary: 'Replay a dead job (attempts reset)',
        parameters: [ID],
        ...body('EmptyRequest', false),
        responses: { '200': answer('The job, QUEUED again', 'Job') },
        errors: [404, 409],
      }),
    },
  };
}

/** /schedules. */
function schedulePaths(): JsonObject {
  const schedule = (description: string) => ({ '200': answer(description, 'Schedule') });
  return {
    '/schedules': {
      post: operation('createSchedule', 'schedules', {
        summary: 'Create a recurring schedule',
        description: 'expression is cron(...) (6 fields) or rate(...); an invalid expression or time zone is 400 VALIDATION_ERROR, a taken name 409 CONFLICT.',
        ...body('ScheduleCreateRequest', true, OPENAPI_EXAMPLES.scheduleCreate),
        responses: { '201': answer('Created', 'Schedule') },
        errors: [409],
      }),
      get: operation('listSchedules', 'schedules', {
        summary: 'List schedules by name',
        parameters: queryParams(pageQuerySchema),
        responses: { '200': answer('A page of schedules', 'SchedulePage') },
        errors: [400],
      }),
    },
    '/schedules/{name}': {
      get: operation('getSchedule', 'schedules', { summary: 'Get a schedule with its nextRunAt', parameters: [NAME], responses: schedule('The schedule'), errors: [404] }),
      put: operation('updateSchedule', 'schedules', {
        summary: 'Replace a schedule',
        parameters: [NAME],
        ...body('ScheduleReplaceRequest'),
        responses: schedule('The schedule'),
        errors: [404],
      }),
      delete: operation('deleteSchedule', 'schedules', { summary: 'Delete a schedule', parameters: [NAME], responses: { '204': noContent('Deleted') }, errors: [404] }),
    },
    '/schedules/{name}/pause': {
      post: operation('pauseSchedule', 'schedules', { summary: 'Pause a schedule', parameters: [NAME], ...body('EmptyRequest', false), responses: schedule('The schedule'), errors: [404] }),
    },
    '/schedules/{name}/resume': {
      post: operation('resumeSchedule', 'schedules', { summary: 'Resume a schedule', parameters: [NAME], ...body('EmptyRequest', false), responses: schedule('The schedule'), errors: [404] }),
    },
    '/schedules/{name}/trigger': {
      post: operation('triggerSchedule', 'schedules', {
        summary: 'Run one firing now',
        parameters: [NAME],
        ...body('EmptyRequest', false),
        responses: { '202': answer('The new job', 'Job') },
        errors: [404],
      }),
    },
  };
}

/** /flows: jobs that depend on jobs (API.md "Flows", docs/flows.md). */
function flowPaths(): JsonObject {
  const FLOW_ID = pathParam('id', 'The flow id');
  const flow = (description: string) => ({ '200': answer(description, 'Flow') });
  return {
    '/flows': {
      post: operation('createFlow', 'flows', {
        summary: 'Create a flow: up to 100 jobs with dependencies',
        description:
          'Jobs with dependsOn start BLOCKED and are QUEUED once every dependency SUCCEEDED. A cycle, an unknown or duplicate ref, or more than 100 jobs is a 400 VALIDATION_ERROR naming it. The same idempotencyKey with the same body answers the flow (200, Idempotent-Replayed: true) and finishes a creation cut short; with another body, 409 IDEMPOTENCY_KEY_REUSED.',
        ...body('FlowRequest', true, OPENAPI_EXAMPLES.flowRequest),
        responses: {
          '201': answer('Created', 'Flow'),
          '200': answer('Idempotent replay: the flow the key already made', 'Flow', undefined, {
            'Idempotent-Replayed': { description: 'true', schema: { type: 'string', enum: ['true'] } },
          }),
        },
        errors: [409],
      }),
    },
    '/flows/{id}': {
      get: operation('getFlow', 'flows', { summary: 'Get a flow with every job and its derived status', parameters: [FLOW_ID], responses: flow('The flow'), errors: [404] }),
    },
    '/flows/{id}/cancel': {
      post: operation('cancelFlow', 'flows', {
        summary: 'Cancel every unfinished job of a flow',
        description: 'Each unfinished job becomes CANCELLED with the reason (a running one sees its AbortSignal). A flow with nothing left to cancel answers as it stands.',
        parameters: [FLOW_ID],
        ...body('ReasonRequest', false),
        responses: flow('The flow as it now stands'),
        errors: [404],
      }),
    },
    '/flows/{id}/retry': {
      post: operation('retryFlow', 'flows', {
        summary: 'Replay the DEAD jobs of a flow; the jobs they cancelled wait for them again (BLOCKED)',
        parameters: [FLOW_ID],
        ...body('EmptyRequest', false),
        responses: flow('The flow as it now stands'),
        errors: [404],
      }),
    },
  };
}

/** Health, readiness, stats, metrics and this document; flow-control keys. */
function operationPaths(): JsonObject {
  return {
    '/flow-control/{key}': {
      get: operation('getFlowControl', 'flowControl', {
        summary: 'A flow-control key: its latest limits, running jobs and deferrals',
        parameters: [pathParam('key', 'The flow-control key (URL-encoded)')],
        responses: { '200': answer('The key', 'FlowKey') },
        errors: [404],
      }),
    },
    '/stats': { get: operation('getStats', 'operations', { summary: 'Queue depths and jobs per status', responses: { '200': answer('Stats', 'Stats') } }) },
    '/stats/minutes': {
      get: operation('getMinuteStats', 'operations', {
        summary: 'Job events per minute over the last minutes (the dashboard charts)',
        parameters: queryParams(minutesQuerySchema),
        responses: { '200': answer('One entry per minute, oldest first', 'MinuteStats') },
        errors: [400],
      }),
    },
    '/healthz': {
      get: operation('getHealth', 'operations', { summary: 'Liveness (no credential needed)', public: true, callsAws: false, responses: { '200': answer('Up', 'Health') } }),
    },
    '/readyz': {
      get: operation('getReadiness', 'operations', {
        summary: 'Readiness of DynamoDB and SQS',
        // It answers its own 503 (the checks), never UNAVAILABLE.
        callsAws: false,
        responses: { '200': answer('Ready', 'Readiness'), '503': answer('Not ready: the checks say which service failed', 'Readiness') },
      }),
    },
    '/metrics': {
      get: operation('getMetrics', 'operations', {
        summary: 'Prometheus text exposition (metric names prefixed skyforge_)',
        description: 'Served by its own function (functions/metrics), which answers its own 503 when the queues cannot be read.',
        responses: {
          '200': { description: 'Metrics', headers: { 'X-Request-ID': REQUEST_ID_HEADER }, content: { 'text/plain': { schema: { type: 'string' } } } },
          '503': answer('The queues could not be read (code INTERNAL, no Retry-After): scrape again', 'Error'),
        },
      }),
    },
    '/openapi.json': {
      get: operation('getOpenApiDocument', 'operations', {
        summary: 'This document',
        callsAws: false,
        responses: { '200': { description: 'OpenAPI 3.1', headers: { 'X-Request-ID': REQUEST_ID_HEADER }, content: { 'application/json': { schema: { type: 'object' } } } } },
      }),
    },
  };
}
