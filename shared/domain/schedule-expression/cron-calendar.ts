import { dayOfWeek, daysInMonth, type WallTime } from './calendar.ts';
import type { CronFields, DayOfMonthRule, DayOfWeekRule } from './types.ts';

/** Days of the month (1-based, ascending) the day-of-month rule picks, before day-of-week. */
function daysOfMonthFor(rule: DayOfMonthRule, year: number, month: number, length: number): number[] {
  const weekday = (day: number): number => dayOfWeek(year, month, day);
  switch (rule.kind) {
    case 'any':
      return Array.from({ length }, (_, i) => i + 1);
    case 'days':
      return rule.days.filter((day) => day <= length);
    case 'last':
      return [length];
    case 'lastWeekday': {
      const last = weekday(length);
      return [last === 7 ? length - 1 : last === 1 ? length - 2 : length];
    }
    case 'nearestWeekday': {
      // The weekday nearest the given day, never leaving the month: a Saturday 1st moves
      // forward to Monday the 3rd, a Sunday on the last day back to Friday. A day the month
      // does not have (31W in April) does not fire that month.
      const { day } = rule;
      if (day > length) return [];
      const w = weekday(day);
      if (w === 7) return [day === 1 ? 3 : day - 1];
      if (w === 1) return [day === length ? day - 2 : day + 1];
      return [day];
    }
  }
}

/** Whether a day passes the day-of-week rule. */
function dayOfWeekAccepts(rule: DayOfWeekRule, year: number, month: number, length: number, day: number): boolean {
  if (rule.kind === 'any') return true;
  const w = dayOfWeek(year, month, day);
  switch (rule.kind) {
    case 'days':
      return rule.days.includes(w);
    case 'lastOfMonth':
      // The last such weekday is within the month's final seven days.
      return w === rule.day && day + 7 > length;
    case 'nthOfMonth':
      return w === rule.day && Math.ceil(day / 7) === rule.nth;
  }
}

/** The days of one month a cron expression fires on, ascending. */
export function cronDaysInMonth(fields: CronFields, year: number, month: number): number[] {
  const length = daysInMonth(year, month);
  return daysOfMonthFor(fields.dayOfMonth, year, month, length).filter((day) =>
    dayOfWeekAccepts(fields.dayOfWeek, year, month, length, day),
  );
}

/**
 * The earliest wall-clock minute at or after `from` that the cron fields match, or null when
 * none is left before the end of 2199. Walks year -> month -> day -> hour -> minute over the
 * sorted field values, so it skips whole months and years at a time: an impossible expression
 * (`cron(0 0 30 2 ? *)`) costs one check per remaining February.
 */
export function nextCronWallTime(fields: CronFields, from: WallTime): WallTime | null {
  for (const year of fields.years) {
    if (year < from.year) continue;
    const sameYear = year === from.year;
    for (const month of fields.months) {
      if (sameYear && month < from.month) continue;
      const sameMonth = sameYear && month === from.month;
      for (const day of cronDaysInMonth(fields, year, month)) {
        if (sameMonth && day < from.day) continue;
        const sameDay = sameMonth && day === from.day;
        for (const hour of fields.hours) {
          if (sameDay && hour < from.hour) continue;
          const sameHour = sameDay && hour === from.hour;
          for (const minute of fields.minutes) {
            if (sameHour && minute < from.minute) continue;
            return { year, month, day, hour, minute };
          }
        }
      }
    }
  }
  return null;
}
