import { ScheduleNameTakenError, ScheduleNotFoundError } from '../domain/errors.ts';
import type { TraceContext } from '../domain/trace-context.ts';
import type { Schedule } from '../domain/schedule.ts';
import { isoAt } from '../domain/time.ts';
import { recurringScheduleName } from '../domain/schedule-names.ts';
import type { Page } from '../ports/job-store.ts';
import { jobIdForFiring } from './body-hash.ts';
import type { Dependencies } from './dependencies.ts';
import { toScheduleView, type ScheduleView } from './schedule-view.ts';
import { submitJobs, type SubmitOutcome } from './submit-jobs.ts';
import { recurringSpec, validateSchedule, type ScheduleInput } from './validate-schedule.ts';

/**
 * Recurring schedules. The table item is the truth and the EventBridge schedule its mirror:
 * each command writes the item (one conditional write), then the schedule; if the schedule call
 * fails, the item is put back as it was, so the two never disagree for long.
 */

export async function createSchedule(name: string, input: ScheduleInput, deps: Dependencies): Promise<ScheduleView> {
  const now = deps.clock.now();
  validateSchedule(input, deps, now);
  const schedule = toSchedule(name, input, isoAt(now), isoAt(now));
  if (!(await deps.schedules.create(schedule))) {
    throw new ScheduleNameTakenError(name);
  }
  try {
    await deps.scheduler.createRecurring(recurringSpec(schedule));
  } catch (error) {
    await deps.schedules.delete(name);
    throw error;
  }
  return toScheduleView(schedule, now);
}

export async function getSchedule(name: string, deps: Dependencies): Promise<ScheduleView> {
  const schedule = await deps.schedules.get(name);
  if (!schedule) throw new ScheduleNotFoundError(name);
  return toScheduleView(schedule, deps.clock.now());
}

export async function listSchedules(query: { limit: number; cursor?: string }, deps: Dependencies): Promise<Page<ScheduleView>> {
  const page = await deps.schedules.list(query);
  const now = deps.clock.now();
  return { items: page.items.map((s) => toScheduleView(s, now)), nextCursor: page.nextCursor };
}

/** PUT: replaces everything but the name and creation time. */
export async function replaceSchedule(name: string, input: ScheduleInput, deps: Dependencies): Promise<ScheduleView> {
  const now = deps.clock.now();
  validateSchedule(input, deps, now);
  return update(name, (current) => toSchedule(name, input, current.createdAt, isoAt(now)), deps);
}

/** Pause (false) or resume (true). */
export async function setScheduleEnabled(name: string, enabled: boolean, deps: Dependencies): Promise<ScheduleView> {
  return update(name, (current) => ({ ...current, enabled, updatedAt: isoAt(deps.clock.now()) }), deps);
}

export async function deleteSchedule(name: string, deps: Dependencies): Promise<void> {
  if (!(await deps.schedules.get(name))) throw new ScheduleNotFoundError(name);
  await deps.scheduler.remove(recurringScheduleName(name));
  await deps.schedules.delete(name);
}

/** Runs one firing now (POST /schedules/{name}/trigger): a job from the template, queued at once. */
export async function triggerSchedule(name: string, deps: Dependencies, trace?: TraceContext): Promise<SubmitOutcome> {
  const schedule = await deps.schedules.get(name);
  if (!schedule) throw new ScheduleNotFoundError(name);
  const id = jobIdForFiring(name, `manual:${isoAt(deps.clock.now())}:${deps.newId(deps.clock.now())}`);
  // Run by hand through the API: the job continues the request's trace.
  const [outcome] = await submitJobs([schedule.job], deps, () => ({ id, scheduleName: name, ...(trace ? { trace } : {}) }));
  return outcome as SubmitOutcome;
}

async function update(name: string, change: (current: Schedule) => Schedule, deps: Dependencies): Promise<ScheduleView> {
  const current = await deps.schedules.get(name);
  if (!current) throw new ScheduleNotFoundError(name);
  const next = change(current);
  if (!(await deps.schedules.replace(next))) throw new ScheduleNotFoundError(name);
  try {
    await deps.scheduler.updateRecurring(recurringSpec(next));
  } catch (error) {
    await deps.schedules.replace(current);
    throw error;
  }
  return toScheduleView(next, deps.clock.now());
}

function toSchedule(name: string, input: ScheduleInput, createdAt: string, updatedAt: string): Schedule {
  return {
    name,
    expression: input.expression.trim(),
    timezone: input.timezone ?? 'UTC',
    enabled: input.enabled ?? true,
    description: input.description ?? null,
    startDate: input.startDate ? new Date(Date.parse(input.startDate)).toISOString() : null,
    endDate: input.endDate ? new Date(Date.parse(input.endDate)).toISOString() : null,
    job: input.job,
    createdAt,
    updatedAt,
  };
}
