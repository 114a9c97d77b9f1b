import { nextRunTime } from '../../shared/domain/schedule-expression.ts';
import type { PlannedFiring, ScheduleDefinition } from './records.ts';
import type { ParsedExpression } from './schedule-definition.ts';

/**
 * When a schedule fires: the only place that turns an expression, its dates and its flexible
 * window into planned invocations. Pure (the clock and the randomness are parameters), so the
 * emulator can journal the outcome and tests can pin both.
 */

/** Scheduler's precision: "if you set your schedule to run at 1:00, it will invoke the target between 1:00:00 and 1:00:59". */
export const INVOCATION_PRECISION_MS = 60_000;

/** The part of a schedule the plan depends on. */
export type PlanInput = Pick<ScheduleDefinition, 'state' | 'timeZone' | 'startDate' | 'endDate' | 'flexibleTimeWindow'> & {
  /** rate() counts from here. */
  anchor: number;
};

/** Length of the flexible time window in ms (0 with Mode OFF). */
export function windowMs(schedule: Pick<ScheduleDefinition, 'flexibleTimeWindow'>): number {
  const { mode, maximumWindowInMinutes } = schedule.flexibleTimeWindow;
  return mode === 'FLEXIBLE' ? (maximumWindowInMinutes ?? 0) * 60_000 : 0;
}

/**
 * The first invocation of a schedule defined (created or updated) at `now`, or null when it will
 * never fire (disabled, or its EndDate leaves no firing).
 *
 * - at(): once, at its wall-clock time in its zone. A time already past fires at once: a one-time
 *   schedule has no later chance, and SkyForge's delayed jobs must not be stranded by a create
 *   that arrived a second late.
 * - rate(): "if you do not provide a StartDate for a rate-based schedule, your schedule starts
 *   invoking the target immediately"; with a StartDate its steps count from it. A StartDate in the
 *   (recent) past starts with the next step that is not past.
 * - cron(): the first match at or after now (and StartDate), before EndDate.
 */
export function firstFiring(schedule: PlanInput, expression: ParsedExpression, now: number, random: () => number): PlannedFiring | null {
  if (schedule.state === 'DISABLED') return null;
  let scheduledTime: number | null;
  if (expression.kind === 'at') {
    // Epoch 0 as the lower bound: at() ignores StartDate/EndDate, and a one-time time before 1970 is no real case.
    scheduledTime = nextRunTime(expression, { timeZone: schedule.timeZone, after: 0 });
  } else {
    const after = expression.kind === 'rate' ? Math.max(schedule.anchor, now) - 1 : now - 1;
    scheduledTime = nextRunTime(expression, { timeZone: schedule.timeZone, after, ...recurringBounds(schedule) });
  }
  return scheduledTime === null ? null : plan(schedule, scheduledTime, now, random);
}

/**
 * The invocation after one that was just made at `now` for `scheduledTime`: the first one
 * strictly after both, so a clock that jumped ahead (or a late firing) causes one invocation,
 * never a burst of every step that was skipped. A one-time schedule has none.
 */
export function followingFiring(
  schedule: PlanInput,
  expression: ParsedExpression,
  scheduledTime: number,
  now: number,
  random: () => number,
): PlannedFiring | null {
  if (expression.kind === 'at' || schedule.state === 'DISABLED') return null;
  const next = nextRunTime(expression, { timeZone: schedule.timeZone, after: Math.max(scheduledTime, now), ...recurringBounds(schedule) });
  return next === null ? null : plan(schedule, next, now, random);
}

/**
 * What a (re)started emulator does with a planned firing whose time passed while it was not
 * running: it still fires, once, if `now` is inside the firing's window (the flexible window plus
 * Scheduler's one-minute precision; Mode OFF is a zero flexible window), as Scheduler would have
 * invoked it anywhere in that window. Otherwise a recurring schedule skips to its next firing
 * after now (never a burst of every missed one). A one-time schedule always fires late: skipping
 * its only firing would leave what it stands for (a SkyForge delayed job) waiting forever.
 *
 * Returns the plan to keep (fireAt moved to `now` when it fires late) and whether a firing was skipped.
 */
export function catchUpAfterRestart(
  schedule: PlanInput & { next: PlannedFiring | null },
  expression: ParsedExpression,
  now: number,
  random: () => number,
): { next: PlannedFiring | null; skipped: boolean } {
  const planned = schedule.next;
  if (planned === null || planned.fireAt >= now) return { next: planned, skipped: false };
  const deadline = planned.scheduledTime + windowMs(schedule) + INVOCATION_PRECISION_MS;
  if (expression.kind === 'at' || now <= deadline) return { next: { ...planned, fireAt: now }, skipped: false };
  return { next: followingFiring(schedule, expression, planned.scheduledTime, now, random), skipped: true };
}

function recurringBounds(schedule: PlanInput): { anchor: number; startDate?: number; endDate?: number } {
  return {
    anchor: schedule.anchor,
    ...(schedule.startDate === undefined ? {} : { startDate: schedule.startDate }),
    ...(schedule.endDate === undefined ? {} : { endDate: schedule.endDate }),
  };
}

/** A flexible window spreads the invocation uniformly over [scheduledTime, scheduledTime + window). */
function plan(schedule: PlanInput, scheduledTime: number, now: number, random: () => number): PlannedFiring {
  const offset = Math.floor(random() * windowMs(schedule));
  return { scheduledTime, fireAt: Math.max(scheduledTime + offset, now) };
}
