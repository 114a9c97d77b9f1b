import { ScheduleNotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { SCHEDULE_NAME } from '../../shared/domain/schedule.ts';
import type { ApiResponse, Route } from '../../shared/http/router.ts';
import { createScheduleSchema, emptyBodySchema, pageQuerySchema, replaceScheduleSchema } from '../../shared/http/schemas.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  replaceSchedule,
  setScheduleEnabled,
  triggerSchedule,
} from '../../shared/use-cases/manage-schedules.ts';
import { jobView } from './views.ts';

function scheduleName(params: Record<string, string>): string {
  const name = params.name ?? '';
  if (!SCHEDULE_NAME.test(name)) throw new ScheduleNotFoundError(name);
  return name;
}

const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });

/** /schedules (API.md, Schedules): recurring jobs on EventBridge Scheduler. */
export function scheduleRoutes(deps: Dependencies): Route[] {
  return [...scheduleCrudRoutes(deps), ...scheduleActionRoutes(deps)];
}

/** Create, list, read, replace and delete schedules. */
function scheduleCrudRoutes(deps: Dependencies): Route[] {
  return [
    {
      method: 'POST',
      path: '/schedules',
      handler: async (request) => {
        const { name, ...input } = request.body(createScheduleSchema);
        return ok(await createSchedule(name, input, deps), 201);
      },
    },
    {
      method: 'GET',
      path: '/schedules',
      handler: async (request) => {
        const page = await listSchedules(request.queryParams(pageQuerySchema), deps);
        return ok({ items: page.items, nextCursor: page.nextCursor });
      },
    },
    { method: 'GET', path: '/schedules/{name}', handler: async (_r, p) => ok(await getSchedule(scheduleName(p), deps)) },
    {
      method: 'PUT',
      path: '/schedules/{name}',
      handler: async (request, p) => {
        const name = scheduleName(p);
        const { name: bodyName, ...input } = request.body(replaceScheduleSchema);
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
  ];
}

/** Pause, resume and run-now of one schedule. */
function scheduleActionRoutes(deps: Dependencies): Route[] {
  return [
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
        const outcome = await triggerSchedule(scheduleName(p), deps, request.trace);
        if (!outcome.ok) throw outcome.error;
        return { status: 202, body: jobView(outcome.job), headers: { Location: `/jobs/${encodeURIComponent(outcome.job.id)}` } };
      },
    },
  ];
}
