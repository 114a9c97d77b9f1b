import { getFlowKey } from '../../shared/use-cases/get-flow-key.ts';
import { JobNotFoundError, SkyForgeError } from '../../shared/domain/errors.ts';
import { LIMITS } from '../../shared/domain/job-defaults.ts';
import { parseWith } from '../../shared/http/api-request.ts';
import { ERROR_STATUS } from '../../shared/http/error-status.ts';
import type { ApiResponse, Route } from '../../shared/http/router.ts';
import { servedOpenApiDocument } from '../../shared/http/served-openapi.ts';
import {
  batchRequestSchema,
  emptyBodySchema,
  jobRequestSchema,
  listQuerySchema,
  priorityParamSchema,
  queueListQuerySchema,
  reasonBodySchema,
  replayManyBodySchema,
  retryBodySchema,
} from '../../shared/http/schemas.ts';
import { cancelJob } from '../../shared/use-cases/cancel-job.ts';
import { deadLetterJob } from '../../shared/use-cases/dead-letter-job.ts';
import { deleteJob } from '../../shared/use-cases/delete-job.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { checkReadiness, getStats } from '../../shared/use-cases/get-stats.ts';
import { getDeadJob, getJob, listJobs, replayDeadJob, replayDeadJobs } from '../../shared/use-cases/query-jobs.ts';
import { requeueJob } from '../../shared/use-cases/requeue-job.ts';
import { submitJobBatch, submitJobs, type JobRequest, type SubmitOutcome } from '../../shared/use-cases/submit-jobs.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { flowRoutes } from './flow-routes.ts';
import { errorBody } from './responses.ts';
import { scheduleRoutes } from './schedule-routes.ts';
import { deadJobView, jobView } from './views.ts';

/** Job ids are ULIDs or key-derived base64url strings; anything else cannot exist. */
const JOB_ID = /^[\w-]{1,128}$/;

function jobId(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!JOB_ID.test(id)) throw new JobNotFoundError(id);
  return id;
}

const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });

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
    ...submitRoutes(deps),
    ...jobRoutes(deps),
    // Before the /dlq/{id} routes: GET /dlq (with ?fingerprint=) and /dlq/groups, which /dlq/{id} would take.
    ...dashboardRoutes(deps),
    ...deadLetterRoutes(deps),
    { method: 'GET', path: '/stats', handler: async () => ok(await getStats(deps)) },
    {
      method: 'GET',
      path: '/flow-control/{key}',
      handler: async (_r, p) => ok(await getFlowKey(decodeURIComponent(p.key ?? ''), deps)),
    },
    { method: 'GET', path: '/openapi.json', handler: async () => ok(await servedOpenApiDocument()) },
    ...scheduleRoutes(deps),
    ...flowRoutes(deps),
  ];
}

/** POST /jobs and /jobs/batch. */
function submitRoutes(deps: Dependencies): Route[] {
  return [
    {
      method: 'POST',
      path: '/jobs',
      handler: async (request) => {
        const [outcome] = await submitJobs([request.body(jobRequestSchema)], deps, () => ({ trace: request.trace }));
        if (!outcome) throw new Error('submit answered nothing for its one job');
        return submitResponse(outcome);
      },
    },
    {
      method: 'POST',
      path: '/jobs/batch',
      handler: async (request) => {
        const { jobs } = request.body(batchRequestSchema);
        // Each item is checked on its own, so one bad item never sinks the others.
        const items = jobs.map((item, index): JobRequest | SkyForgeError => {
          try {
            return parseWith(jobRequestSchema, item, `jobs.${index}`);
          } catch (error) {
            if (error instanceof SkyForgeError) return error;
            throw error;
          }
        });
        const outcomes = await submitJobBatch(items, deps, request.trace);
        return ok({ results: outcomes.map((outcome, index) => batchResult(outcome, index, request.requestId)) });
      },
    },
  ];
}

/** Reading and acting on jobs: /jobs, /jobs/{id}/..., /queues/{priority}/jobs. */
function jobRoutes(deps: Dependencies): Route[] {
  return [
    {
      method: 'GET',
      path: '/jobs',
      handler: async (request) => {
        const page = await listJobs(request.queryParams(listQuerySchema), deps);
        return ok({ items: page.items.map(jobView), nextCursor: page.nextCursor });
      },
    },
    { method: 'GET', path: '/jobs/{id}', handler: async (_r, p) => ok(jobView(await getJob(jobId(p), deps))) },
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
        return ok(jobView(await cancelJob(jobId(p), reason, deps)));
      },
    },
    {
      method: 'POST',
      path: '/jobs/{id}/retry',
      handler: async (request, p) => {
        const { resetAttempts } = request.body(retryBodySchema);
        return ok(jobView(await requeueJob(jobId(p), { resetAttempts: resetAttempts ?? false }, deps)));
      },
    },
    {
      method: 'POST',
      path: '/jobs/{id}/dlq',
      handler: async (request, p) => {
        const { reason } = request.body(reasonBodySchema);
        return ok(deadJobView(await deadLetterJob(jobId(p), reason, deps)));
      },
    },
    {
      method: 'GET',
      path: '/queues/{priority}/jobs',
      handler: async (request, p) => {
        const priority = parseWith(priorityParamSchema, p.priority, 'priority');
        const query = request.queryParams(queueListQuerySchema);
        const page = await listJobs({ ...query, priority }, deps);
        return ok({ items: page.items.map(jobView), nextCursor: page.nextCursor });
      },
    },
  ];
}

/** /dlq: the dead-letter list and its replays. */
function deadLetterRoutes(deps: Dependencies): Route[] {
  return [
    {
      method: 'POST',
      path: '/dlq/replay',
      handler: async (request) => {
        const { type, limit } = request.body(replayManyBodySchema);
        return ok(await replayDeadJobs({ type, limit: limit ?? LIMITS.maxReplayLimit }, deps));
      },
    },
    { method: 'GET', path: '/dlq/{id}', handler: async (_r, p) => ok(deadJobView(await getDeadJob(jobId(p), deps))) },
    {
      method: 'POST',
      path: '/dlq/{id}/replay',
      handler: async (request, p) => {
        request.body(emptyBodySchema);
        return ok(jobView(await replayDeadJob(jobId(p), deps)));
      },
    },
  ];
}

function submitResponse(outcome: SubmitOutcome): ApiResponse {
  if (!outcome.ok) throw outcome.error;
  return {
    status: outcome.status,
    body: jobView(outcome.job),
    headers: {
      Location: `/jobs/${encodeURIComponent(outcome.job.id)}`,
      ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    },
  };
}

/** One item of /jobs/batch's answer: its own status and the job or the error. */
function batchResult(outcome: SubmitOutcome, index: number, requestId: string) {
  if (outcome.ok) return { index, status: outcome.status, job: jobView(outcome.job), ...(outcome.replayed ? { replayed: true } : {}) };
  const error = errorBody(outcome.error, requestId);
  return { index, status: ERROR_STATUS[error.body.code], error: error.body };
}
