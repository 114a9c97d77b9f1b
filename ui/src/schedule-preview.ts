// The very parser and calendar the API and the Scheduler emulator use (pure code, no AWS), so
// the preview shows exactly the firings the server will compute.
import { isValidTimeZone, nextRunTimes, parseScheduleExpression } from '../../shared/domain/schedule-expression.ts';
import type { Schedule } from './api.ts';

export type Preview = { ok: true; times: number[] } | { ok: false; error: string };

/** Checks an expression and time zone as the API will, and lists the next `count` firings. */
export function previewFirings(
  expression: string,
  timeZone: string,
  options: { now?: number; count?: number; anchor?: number; startDate?: number | null; endDate?: number | null } = {},
): Preview {
  const now = options.now ?? Date.now();
  try {
    const parsed = parseScheduleExpression(expression);
    if (parsed.kind === 'at') return { ok: false, error: 'a recurring schedule takes cron(...) or rate(...); at(...) is for one-time jobs (use delayMs or runAt)' };
    if (!isValidTimeZone(timeZone)) return { ok: false, error: `unknown time zone ${timeZone}` };
    const times = nextRunTimes(
      parsed,
      {
        timeZone,
        after: now,
        anchor: options.anchor ?? now,
        ...(options.startDate ? { startDate: options.startDate } : {}),
        ...(options.endDate ? { endDate: options.endDate } : {}),
      },
      options.count ?? 5,
    );
    return { ok: true, times };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** A stored schedule's next firings (none while paused), as the API computes `nextRunAt`. */
export function scheduleFirings(schedule: Schedule, count = 5, now = Date.now()): number[] {
  if (!schedule.enabled) return [];
  const preview = previewFirings(schedule.expression, schedule.timezone, {
    now,
    count,
    anchor: Date.parse(schedule.startDate ?? schedule.createdAt),
    startDate: schedule.startDate ? Date.parse(schedule.startDate) : null,
    endDate: schedule.endDate ? Date.parse(schedule.endDate) : null,
  });
  return preview.ok ? preview.times : [];
}
