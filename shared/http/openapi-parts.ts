/**
 * The building blocks of the OpenAPI document (shared/http/openapi.ts): the component schemas,
 * the common answers and parameters, the tags, the operation ids and `operation()`, which adds
 * the error answers every operation may give. The paths are in openapi-paths.ts.
 */
import * as z from 'zod';
import {
  batchRequestSchema,
  createScheduleSchema,
  emptyBodySchema,
  flowRequestSchema,
  jobRequestSchema,
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
import { groupReplayBodySchema } from './dashboard-schemas.ts';
import { failureGroupsSchema, minuteStatsSchema } from './response-schemas.ts';

/** A JSON object of the document. */
export type JsonObject = Record<string, unknown>;

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of a zod schema, without its $schema line. */
export function schemaOf(schema: z.core.$ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

export const COMPONENTS = {
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
export type Component = keyof typeof COMPONENTS;

const ref = (name: Component) => ({ $ref: `#/components/schemas/${name}` });
export const REQUEST_ID_HEADER = { $ref: '#/components/headers/X-Request-ID' };
const json = (name: Component, example?: unknown) => ({
  content: { 'application/json': { schema: ref(name), ...(example === undefined ? {} : { example }) } },
});
/** Every answer carries X-Request-ID (API.md). */
export const answer = (description: string, name: Component, example?: unknown, headers: JsonObject = {}) => ({
  description,
  headers: { 'X-Request-ID': REQUEST_ID_HEADER, ...headers },
  ...json(name, example),
});
export const noContent = (description: string) => ({ description, headers: { 'X-Request-ID': REQUEST_ID_HEADER } });
export const body = (name: Component, required = true, example?: unknown) => ({ requestBody: { required, ...json(name, example) } });
export const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
export const queryParams = (schema: { shape: z.core.$ZodShape }) =>
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
export const ID = pathParam('id', 'The job id');
export const NAME = pathParam('name', 'The schedule name');

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
export const TAGS = {
  jobs: { name: 'jobs', description: 'Submit jobs, read and list them, cancel, retry, dead-letter or delete one' },
  deadLetters: { name: 'dead letters', description: 'DEAD jobs, their failure groups, and replays' },
  schedules: { name: 'schedules', description: 'Recurring jobs on EventBridge Scheduler expressions' },
  flows: { name: 'flows', description: 'Jobs that depend on jobs' },
  flowControl: { name: 'flow control', description: 'Rate limits and concurrency per key' },
  operations: { name: 'operations', description: 'Stats, health, readiness, metrics and this document' },
} as const;
export type Tag = keyof typeof TAGS;

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

export interface OperationSpec {
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
export function operation(operationId: OperationId, tag: Tag, spec: OperationSpec): JsonObject {
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
