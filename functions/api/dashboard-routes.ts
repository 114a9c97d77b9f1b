import { FailureGroupNotFoundError } from '../../shared/domain/errors.ts';
import {
  deadListByGroupQuerySchema,
  failureGroupQuerySchema,
  fingerprintParamSchema,
  groupReplayBodySchema,
  minutesQuerySchema,
  replayLimitDefault,
} from '../../shared/http/dashboard-schemas.ts';
import type { Route } from '../../shared/http/router.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { listDeadJobsOfGroup, listFailureGroups, replayFailureGroup } from '../../shared/use-cases/failure-groups.ts';
import { getMinuteStats } from '../../shared/use-cases/minute-stats.ts';
import { listDeadJobs } from '../../shared/use-cases/query-jobs.ts';
import { deadJobView } from './views.ts';

function fingerprint(params: Record<string, string>): string {
  const value = params.fingerprint ?? '';
  const parsed = fingerprintParamSchema.safeParse(value);
  if (!parsed.success) throw new FailureGroupNotFoundError(value);
  return parsed.data;
}

/**
 * Routes the operator dashboard needs (API.md, Dead letters: failure groups; per-minute counts
 * for its charts). Listed before the generic /dlq/{id} routes, which would otherwise take
 * /dlq/groups for a job id.
 */
export function dashboardRoutes(deps: Dependencies): Route[] {
  return [
    {
      method: 'GET',
      path: '/dlq',
      handler: async (request) => {
        const { fingerprint: group, type, limit, cursor } = request.queryParams(deadListByGroupQuerySchema);
        const query = { limit, ...(type ? { type } : {}), ...(cursor ? { cursor } : {}) };
        const page = group ? await listDeadJobsOfGroup({ ...query, fingerprint: group }, deps) : await listDeadJobs(query, deps);
        return { status: 200, body: { items: page.items.map(deadJobView), nextCursor: page.nextCursor } };
      },
    },
    {
      method: 'GET',
      path: '/dlq/groups',
      handler: async (request) => {
        const { type } = request.queryParams(failureGroupQuerySchema);
        return { status: 200, body: await listFailureGroups(type ? { type } : {}, deps) };
      },
    },
    {
      method: 'POST',
      path: '/dlq/groups/{fingerprint}/replay',
      handler: async (request, params) => {
        const group = fingerprint(params);
        const { limit } = request.body(groupReplayBodySchema);
        return { status: 200, body: await replayFailureGroup(group, { limit: limit ?? replayLimitDefault }, deps) };
      },
    },
    {
      method: 'GET',
      path: '/stats/minutes',
      handler: async (request) => {
        const { minutes } = request.queryParams(minutesQuerySchema);
        return { status: 200, body: await getMinuteStats(minutes, deps) };
      },
    },
  ];
}
