import { localMs, MINUTE_MS, wallTimeOf } from './calendar.ts';
import { nextCronWallTime } from './cron-calendar.ts';
import { ScheduleExpressionError } from './error.ts';
import { parseScheduleExpression, RATE_UNIT_MS } from './parse.ts';
import { firstInstantAt, isValidTimeZone, localMsAt } from './time-zone.ts';
import type { CronFields, NextRunOptions, ScheduleExpression } from './types.ts';

function checkOptions(options: NextRunOptions): void {
  if (!isValidTimeZone(options.timeZone)) {
    throw new ScheduleExpressionError(
      `timezone "${String(options.timeZone)}" is not an IANA time zone name, e.g. Europe/Berlin or UTC`,
      'timezone',
    );
  }
  for (const key of ['after', 'anchor', 'startDate', 'endDate'] as const) {
    const value = options[key];
    if (value !== undefined && !Number.isFinite(value)) throw new RangeError(`nextRunTime: ${key} must be epoch ms, got ${String(value)}`);
  }
}

/** at(): the wall-clock time's first instant in the zone; ignores startDate/endDate as Scheduler does. */
function nextAt(localDateTime: string, timeZone: string, after: number): number | null {
  const [date = '', time = ''] = localDateTime.split('T');
  const [year = 0, month = 0, day = 0] = date.split('-').map(Number);
  const [hour = 0, minute = 0, second = 0] = time.split(':').map(Number);
  // A time the clocks skip at spring-forward never happens: like a cron firing, it is skipped.
  const instant = firstInstantAt(localMs({ year, month, day, hour, minute }, second), timeZone);
  return instant !== null && instant > after ? instant : null;
}

/** rate(): anchor + k * step for k >= 0, the first strictly after `after`. */
function nextRate(stepMs: number, anchor: number, after: number): number {
  if (after < anchor) return anchor;
  return anchor + (Math.floor((after - anchor) / stepMs) + 1) * stepMs;
}

/**
 * cron(): the first matching wall-clock minute whose instant is after `after`. Candidates come
 * in wall-clock order; a skipped wall time (spring forward) has no instant and is passed over,
 * a repeated one (fall back) counts only at its first instant. First instants rise with the
 * wall clock, so the search can start at the wall-clock minute after `after`'s own.
 */
function nextCron(fields: CronFields, timeZone: string, after: number, endDate: number | undefined): number | null {
  let local = Math.floor(localMsAt(after, timeZone) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (;;) {
    const wall = nextCronWallTime(fields, wallTimeOf(local));
    if (wall === null) return null;
    const candidate = localMs(wall);
    // Each round must move forward, or a bug here would hang the Scheduler emulator for good.
    if (candidate < local) throw new Error(`cron search went backwards at ${new Date(candidate).toISOString()} (local)`);
    local = candidate;
    const instant = firstInstantAt(local, timeZone);
    if (instant !== null && instant > after) return endDate !== undefined && instant >= endDate ? null : instant;
    // Skipped by the clocks, or the first instant of a repeated time that `after` is already past.
    local += MINUTE_MS;
  }
}

/**
 * The first firing strictly after `after` (epoch ms), or null when there is none (an at() in
 * the past, a cron whose years are over, a firing at or past endDate).
 *
 * - at() and cron() are wall-clock times in `timeZone`. A time the clocks skip at
 *   spring-forward is skipped (not shifted); a time they show twice at fall-back fires once,
 *   at its first occurrence (EventBridge Scheduler's documented DST behaviour).
 * - rate() fires at anchor, anchor + step, ... in fixed steps of elapsed time, whatever the
 *   zone ("1 day" is 24 hours also across a DST change). `anchor` defaults to startDate, else
 *   to `after` (the next firing is then one step away).
 * - cron() and rate() fire only within [startDate, endDate); at() ignores both.
 *
 * @throws ScheduleExpressionError for an unparsable expression or an unknown time zone.
 * @example
 * nextRunTime('cron(30 2 * * ? *)', { timeZone: 'Europe/Berlin', after: Date.parse('2026-03-28T12:00:00Z') });
 * // Date.parse('2026-03-30T00:30:00Z'): 02:30 on 29 March does not exist in Berlin
 */
export function nextRunTime(expression: ScheduleExpression | string, options: NextRunOptions): number | null {
  const parsed = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  checkOptions(options);
  const { timeZone, startDate, endDate } = options;
  if (parsed.kind === 'at') return nextAt(parsed.localDateTime, timeZone, options.after);

  // Firing at startDate itself is allowed: "strictly after startDate - 1 ms".
  const after = startDate === undefined ? options.after : Math.max(options.after, startDate - 1);
  if (parsed.kind === 'cron') return nextCron(parsed.fields, timeZone, after, endDate);

  const anchor = options.anchor ?? startDate ?? options.after;
  const next = nextRate(parsed.value * RATE_UNIT_MS[parsed.unit], anchor, after);
  return endDate !== undefined && next >= endDate ? null : next;
}

/**
 * The next `count` firings after `options.after`, fewer when the schedule runs out.
 *
 * @example
 * nextRunTimes('rate(1 hour)', { timeZone: 'UTC', after: 0, anchor: 0 }, 2); // [3_600_000, 7_200_000]
 */
export function nextRunTimes(expression: ScheduleExpression | string, options: NextRunOptions, count: number): number[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`nextRunTimes: count must be a whole number >= 0, got ${count}`);
  const parsed = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  // Fix rate()'s default anchor once, so that it does not move with `after` from one firing to the next.
  const fixed: NextRunOptions = { ...options, anchor: options.anchor ?? options.startDate ?? options.after };
  const times: number[] = [];
  let after = options.after;
  while (times.length < count) {
    const next = nextRunTime(parsed, { ...fixed, after });
    if (next === null) break;
    times.push(next);
    after = next;
  }
  return times;
}
