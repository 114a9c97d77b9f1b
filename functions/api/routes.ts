import * as z from 'zod';
import { toJobView, type Job } from '../../shared/domain/job.ts';
import { LIMITS } from '../../shared/domain/job-defaults.ts';
import { JobNotFoundError, SkyForgeError, ValidationError } from '../../shared/domain/errors.ts';
import { SCHEDULE_NAME } from '../../shared/domain/schedule.ts';
import { parseWith } from '../../shared/http/api-request.ts';
import { buildOpenApiDocument } from '../../shared/http/openapi.ts';
import { ERROR_STATUS } from '../../shared/http/error-status.ts';
import type { ApiResponse, Route } from '../../shared/http/router.ts';
import {
  batchRequestSchema,
  createScheduleSchema,
  pageQuerySchema,
  replaceScheduleSchema,
  deadListQuerySchema,
  jobRequestSchema,
  listQuerySchema,
  priorityParamSchema,
  reasonBodySchema,
  replayManyBodySchema,
  retryBodySchema,
} from '../../shared/http/schemas.ts';
import { cancelJob } from '../../shared/use-cases/cancel-job.ts';
import { deadLetterJob } from '../../shared/use-cases/dead-letter-job.ts';
import { deleteJob } from '../../shared/use-cases/delete-job.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { checkReadiness, getStats } from '../../shared/use-cases/get-stats.ts';
import {
  getDeadJob,
  getJob,
  listDeadJobs,
  listJobs,
  replayDeadJob,
  replayDeadJobs,
} from '../../shared/use-cases/query-jobs.ts';
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  replaceSchedule,
  setScheduleEnabled,
  triggerSchedule,
} from '../../shared/use-cases/manage-schedules.ts';
import { requeueJob } from '../../shared/use-cases/requeue-job.ts';
import type { ScheduleInput } from '../../shared/use-cases/validate-schedule.ts';
import { submitJobs, type JobRequest, type SubmitOutcome } from '../../shared/use-cases/submit-jobs.ts';
import { errorBody } from './responses.ts';

/** Job ids are ULIDs or key-derived base64url strings; anything else cannot exist. */
const JOB_ID = /^[\w-]{1,128}$/;

function jobId(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!JOB_ID.test(id)) throw new JobNotFoundError(id);
  return id;
}

const emptyBodySchema = z.object({}).strict();

let cachedDocument: Record<string, unknown> | undefined;
/** Built on first request (a cold start that never serves it never pays for it). */
function openApiDocument(): Record<string, unknown> {
  cachedDocument ??= buildOpenApiDocument();
  return cachedDocument;
}

const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });
const view = (job: Job) => toJobView(job);
const deadView = (job: Job) => ({ ...toJobView(job), deadReason: job.deadReason });

/** The API's routes (API.md): parse, call one use case, shape the answer. */
export function apiRoutes(deps: Dependencies): Route[] {
  return [
    { method: 'GET', path: '/healthz', handler: async () => ok({ status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async () => {
        const readiness = await checkReadiness(deps);
        return ok(readiness, readiness.ready ? 200 : 503);
      },
    },
    {
      method: 'POST',
      path: '/jobs',
      handler: async (request) => {
        const body = request.body(jobRequestSchema) as JobRequest;
        const [outcome] = await submitJobs([body], deps);
        return submitResponse(outcome as SubmitOutcome);
      },
    },
    {
      method: 'POST',
      path: '/jobs/batch',
      handler: async (request) => {
        const { jobs } = request.body(batchRequestSchema);
        // Each item is checked on its own, so one bad item never sinks the others.
        type Parsed = { index: number; body: JobRequest } | { index: number; error: ReturnType<typeof errorBody> };
        const parsed = jobs.map((item, index): Parsed => {
          try {
            return { index, body: parseWith(jobRequestSchema, item, `jobs.${index}`) as JobRequest };
          } catch (error) {
            return { index, error: errorBody(error, request.requestId) };
          }
        });
        const valid = parsed.filter((p): p is { index: number; body: JobRequest } => 'body' in p);
        const outcomes = await submitJobs(
          valid.map((v) => v.body),
          deps,
        );
        const results = parsed.map((p) => {
          if ('error' in p) return { index: p.index, status: ERROR_STATUS[p.error.body.code], error: p.error.body };
          const outcome = outcomes[valid.indexOf(p)] as SubmitOutcome;
          if (outcome.ok) return { index: p.index, status: outcome.status, job: view(outcome.job), ...(outcome.replayed ? { replayed: true } : {}) };
          const error = errorBody(outcome.error, request.requestId);
          return { index: p.index, status: ERROR_STATUS[error.body.code], error: error.body };
        });
        return ok({ results });
      },
    },
    {
      method: 'GET',
      path: '/jobs',
      handler: async (request) => {
        const q = request.queryParams(listQuerySchema);
        const page = await listJobs(compact({ ...q, status: q.status as Job['status'] | undefined }), deps);
        return ok({ items: page.items.map(view), nextCursor: page.nextCursor });
      },
    },
    { method: 'GET', path: '/jobs/{id}', handler: async (_r, p) => ok(view(await getJob(jobId(p), deps))) },
    {
      method: 'DELETE',
      path: '/jobs/{id}',
      handler: async (_r, p) => {
        await deleteJob(jobId(p), deps);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/jobs/{id}/cancel',
      handler: async (request, p) => {
        const { reason } = request.body(reasonBodySchema);
        return ok(view(await cancelJob(jobId(p), reason, deps)));
      },
    },
    {
      method: 'POST',
      path: '/jobs/{id}/retry',
      handler: async (request, p) => {
        const { resetAttempts } = request.body(retryBodySchema);
        return ok(view(await requeueJob(jobId(p), { resetAttempts: resetAttempts ?? false }, deps)));
      },
    },
    {
      method: 'POST',
      path: '/jobs/{id}/dlq',
      handler: async (request, p) => {
        const { reason } = request.body(reasonBodySchema);
        return ok(deadView(await deadLetterJob(jobId(p), reason, deps)));
      },
    },
    {
      method: 'GET',
      path: '/queues/{priority}/jobs',
      handler: async (request, p) => {
        const priority = parseWith(priorityParamSchema, p.priority, 'priority');
        const q = request.queryParams(listQuerySchema.omit({ priority: true, type: true }));
        const page = await listJobs(compact({ ...q, status: q.status as Job['status'] | undefined, priority }), deps);
        return ok({ items: page.items.map(view), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'GET',
      path: '/dlq',
      handler: async (request) => {
        const page = await listDeadJobs(compact(request.queryParams(deadListQuerySchema)), deps);
        return ok({ items: page.items.map(deadView), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'POST',
      path: '/dlq/replay',
      handler: async (request) => {
        const { type, limit } = request.body(replayManyBodySchema);
        return ok(await replayDeadJobs(compact({ type, limit: limit ?? LIMITS.maxReplayLimit }), deps));
      },
    },
    { method: 'GET', path: '/dlq/{id}', handler: async (_r, p) => ok(deadView(await getDeadJob(jobId(p), deps))) },
    {
      method: 'POST',
      path: '/dlq/{id}/replay',
      handler: async (request, p) => {
        request.body(emptyBodySchema);
        return ok(view(await replayDeadJob(jobId(p), deps)));
      },
    },
    { method: 'GET', path: '/stats', handler: async () => ok(await getStats(deps)) },
    { method: 'GET', path: '/openapi.json', handler: async () => ok(openApiDocument()) },
    ...scheduleRoutes(deps),
  ];
}

function scheduleName(params: Record<string, string>): string {
  const name = params.name ?? '';
  if (!SCHEDULE_NAME.test(name)) throw new SkyForgeError('NOT_FOUND', `schedule ${name} does not exist`, { name });
  return name;
}

/** /schedules (API.md, Schedules): recurring jobs on EventBridge Scheduler. */
function scheduleRoutes(deps: Dependencies): Route[] {
  return [
    {
      method: 'POST',
      path: '/schedules',
      handler: async (request) => {
        const { name, ...input } = request.body(createScheduleSchema) as ScheduleInput & { name: string };
        return ok(await createSchedule(name, input, deps), 201);
      },
    },
    {
      method: 'GET',
      path: '/schedules',
      handler: async (request) => {
        const page = await listSchedules(compact(request.queryParams(pageQuerySchema)), deps);
        return ok({ items: page.items, nextCursor: page.nextCursor });
      },
    },
    { method: 'GET', path: '/schedules/{name}', handler: async (_r, p) => ok(await getSchedule(scheduleName(p), deps)) },
    {
      method: 'PUT',
      path: '/schedules/{name}',
      handler: async (request, p) => {
        const name = scheduleName(p);
        const { name: bodyName, ...input } = request.body(replaceScheduleSchema) as ScheduleInput & { name?: string };
        if (bodyName !== undefined && bodyName !== name) {
          throw new ValidationError('name in the body must match the path (a schedule cannot be renamed)', { field: 'name' });
        }
        return ok(await replaceSchedule(name, input, deps));
      },
    },
    {
      method: 'DELETE',
      path: '/schedules/{name}',
      handler: async (_r, p) => {
        await deleteSchedule(scheduleName(p), deps);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/schedules/{name}/pause',
      handler: async (request, p) => {
        request.body(emptyBodySchema);
        return ok(await setScheduleEnabled(scheduleName(p), false, deps));
      },
    },
    {
      method: 'POST',
      path: '/schedules/{name}/resume',
      handler: async (request, p) => {
        request.body(emptyBodySchema);
        return ok(await setScheduleEnabled(scheduleName(p), true, deps));
      },
    },
    {
      method: 'POST',
      path: '/schedules/{name}/trigger',
      handler: async (request, p) => {
        request.body(emptyBodySchema);
        const outcome = await triggerSchedule(scheduleName(p), deps);
        if (!outcome.ok) throw outcome.error;
        return { status: 202, body: view(outcome.job), headers: { Location: `/jobs/${encodeURIComponent(outcome.job.id)}` } };
      },
    },
  ];
}

function submitResponse(outcome: SubmitOutcome): ApiResponse {
  if (!outcome.ok) throw outcome.error;
  return {
    status: outcome.status,
    body: view(outcome.job),
    headers: {
      Location: `/jobs/${encodeURIComponent(outcome.job.id)}`,
      ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    },
  };
}

/** Drops undefined fields (the store's query types use optional, not undefined). */
function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
