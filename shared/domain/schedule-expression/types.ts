/** The units rate() counts in; the singular spellings (`rate(1 hour)`) are normalised to these. */
export type RateUnit = 'minutes' | 'hours' | 'days';

/** What a cron day-of-month field asks for. */
export type DayOfMonthRule =
  /** `?`: the day-of-week field decides. */
  | { kind: 'any' }
  /** Plain days 1..31, sorted and unique; a day a month does not have never matches in it. */
  | { kind: 'days'; days: readonly number[] }
  /** `L`: the last day of the month. */
  | { kind: 'last' }
  /** `LW`: the last weekday (Monday to Friday) of the month. */
  | { kind: 'lastWeekday' }
  /** `15W`: the weekday nearest the 15th, never crossing into another month. */
  | { kind: 'nearestWeekday'; day: number };

/** What a cron day-of-week field asks for. Days are AWS's numbers: 1 = Sunday ... 7 = Saturday. */
export type DayOfWeekRule =
  /** `?`: the day-of-month field decides. */
  | { kind: 'any' }
  /** Plain days of the week, sorted and unique (`MON-FRI` is [2, 3, 4, 5, 6]; `L` alone is [7]). */
  | { kind: 'days'; days: readonly number[] }
  /** `6L`: the last Friday of the month. */
  | { kind: 'lastOfMonth'; day: number }
  /** `3#2`: the second Tuesday of the month. */
  | { kind: 'nthOfMonth'; day: number; nth: number };

/** A parsed cron(...) expression: each field expanded to the values it matches. Plain data (JSON-safe). */
export interface CronFields {
  minutes: readonly number[];
  hours: readonly number[];
  dayOfMonth: DayOfMonthRule;
  /** 1 = January. */
  months: readonly number[];
  dayOfWeek: DayOfWeekRule;
  years: readonly number[];
}

/** A parsed EventBridge Scheduler expression. */
export type ScheduleExpression =
  /** A one-time schedule; `localDateTime` is wall-clock time in the schedule's time zone. */
  | { kind: 'at'; localDateTime: string /* 'yyyy-mm-ddThh:mm:ss' */ }
  | { kind: 'rate'; value: number; unit: RateUnit }
  /** `source` is the whole expression with its fields separated by single spaces, e.g. 'cron(0 2 * * ? *)'. */
  | { kind: 'cron'; source: string; fields: CronFields };

export interface NextRunOptions {
  /** IANA name; the zone at() and cron() wall-clock times are read in. Checked with isValidTimeZone. */
  timeZone: string;
  /** Epoch ms; the answer is strictly later. */
  after: number;
  /**
   * rate() only: epoch ms its fixed steps count from (the schedule's start date or creation
   * time); firings are anchor, anchor + step, ... Defaults to startDate, else to `after`.
   */
  anchor?: number;
  /** Epoch ms; cron() and rate() do not fire before it (a firing exactly at startDate counts). at() ignores it, as Scheduler does. */
  startDate?: number;
  /** Epoch ms; cron() and rate() fire only before it (a firing exactly at endDate does not count). at() ignores it. */
  endDate?: number;
}
