/**
 * EventBridge Scheduler schedule expressions: at(...), rate(...) and cron(...). The API parses
 * them to answer a clear 400 before anything reaches AWS and to compute `nextRunAt`; the local
 * cloud's Scheduler emulator uses nextRunTime to fire schedules. Pure code: no AWS SDK, time
 * zones through Intl.
 *
 * Where AWS's documentation (EventBridge cron reference, Scheduler "Schedule types",
 * CreateSchedule StartDate/EndDate, the re:Post DST article) leaves room, this module chooses:
 * - Syntax beyond the documented wildcards is refused: `L-3` (Quartz's offset from the last
 *   day), `/` in day-of-week, `?` outside the two day fields. `LW` (last weekday of the month)
 *   is accepted: it only combines the documented L and W (Quartz and third-party EventBridge
 *   parsers such as cronplan accept it too).
 * - L, LW, nW, nL and n#k stand alone in their field; `#` admits no list (documented).
 * - `L` alone in day-of-week is Saturday, every week ("the last day of the week"); `6L` is the
 *   last Friday of the month. Day names may carry # or L (`MON#1`, `FRIL`).
 * - `15W` never crosses into another month (Sat 1st -> Mon 3rd; Sun on the last day -> Fri);
 *   a day the month lacks (`31W` in April) does not fire that month.
 * - Ranges wrap round as in Quartz (`FRI-MON`, `22-2`), except years; a step runs over the
 *   range's values in order (`50-10/5` is 50, 55, 0, 5, 10). A step is 1 .. the field's span.
 * - Names, L and W are read case-insensitively (Quartz upper-cases); `cron`, `rate`, `at` and
 *   the rate units are lower case only.
 * - White space around the expression and between fields is tolerated and normalised
 *   (formatScheduleExpression gives the text to send to AWS).
 * - DST (documented): a wall-clock time the clocks skip is skipped, a repeated one fires once,
 *   at its first occurrence; at() follows the same rule, so an at() inside the gap never fires.
 * - rate() counts fixed elapsed steps from its anchor (documented: "1 day" is 24 hours across
 *   DST); the first firing is at the anchor itself ("starts invoking immediately" / "StartDate
 *   sets the first occurrence").
 * - startDate is inclusive and endDate exclusive ("after which ... can begin", "before which
 *   ... can invoke"); at() ignores both (documented).
 * - A cron that can never fire (`cron(0 0 30 2 ? *)`) parses, and nextRunTime answers null.
 */
export { ScheduleExpressionError } from './schedule-expression/error.ts';
export { formatScheduleExpression, parseScheduleExpression } from './schedule-expression/parse.ts';
export { nextRunTime, nextRunTimes } from './schedule-expression/next-run.ts';
export { isValidTimeZone } from './schedule-expression/time-zone.ts';
export type {
  CronFields,
  DayOfMonthRule,
  DayOfWeekRule,
  NextRunOptions,
  RateUnit,
  ScheduleExpression,
} from './schedule-expression/types.ts';
