/** The paths of the OpenAPI document, by area; each operation is built with `operation()` (openapi-parts.ts). */
import { listQuerySchema, pageQuerySchema, queueListQuerySchema } from './schemas.ts';
import { OPENAPI_EXAMPLES } from './openapi-examples.ts';
import { deadListByGroupQuerySchema, failureGroupQuerySchema, minutesQuerySchema } from './dashboard-schemas.ts';
import { ID, NAME, REQUEST_ID_HEADER, answer, body, noContent, operation, pathParam, queryParams, type JsonObject } from './openapi-parts.ts';

/** /jobs and /queues/{priority}/jobs. */
export function jobPaths(): JsonObject {
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
export function deadLetterPaths(): JsonObject {
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
export function schedulePaths(): JsonObject {
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
export function flowPaths(): JsonObject {
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
export function operationPaths(): JsonObject {
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
