/**
 * Proleptic Gregorian calendar arithmetic on wall-clock times, with no time zone involved.
 * A wall-clock time is carried as "local ms": the epoch ms it would be if the zone were UTC.
 */

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** month: 1 = January. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);
}

/** AWS's numbering: 1 = Sunday ... 7 = Saturday. month: 1 = January. */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(localMs({ year, month, day, hour: 0, minute: 0 })).getUTCDay() + 1;
}

export interface WallTime {
  year: number;
  /** 1 = January. */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** Date.UTC reads years 0..99 as 1900..1999; setUTCFullYear does not. */
export function localMs(wall: WallTime, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, second, 0);
  return date.getTime();
}

export function wallTimeOf(local: number): WallTime {
  const date = new Date(local);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
  };
}
