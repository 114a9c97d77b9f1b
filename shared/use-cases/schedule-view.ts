import type { Schedule } from '../domain/schedule.ts';
import { nextRunTime } from '../domain/schedule-expression.ts';
import { isoAt } from '../domain/time.ts';

export type ScheduleView = Schedule & { nextRunAt: string | null };

/** A schedule as the API answers it, with its next firing computed here (null while paused or over). */
export function toScheduleView(schedule: Schedule, now: number): ScheduleView {
  const next = schedule.enabled
    ? nextRunTime(schedule.expression, {
        timeZone: schedule.timezone,
        after: now,
        anchor: Date.parse(schedule.startDate ?? schedule.createdAt),
        ...(schedule.startDate ? { startDate: Date.parse(schedule.startDate) } : {}),
        ...(schedule.endDate ? { endDate: Date.parse(schedule.endDate) } : {}),
      })
    : null;
  return { ...schedule, nextRunAt: next === null ? null : isoAt(next) };
}
