import { DAY_MS } from './calendar.ts';

/**
 * Wall clocks in IANA time zones through Intl only (no tz database of our own): an instant's
 * wall-clock time comes from Intl.DateTimeFormat#formatToParts, and a wall-clock time's
 * instants are found by trying the zone's offsets a day either side of it.
 */

/** One formatter per zone: building one costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      formatter = null;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Starts with a letter, '/'-separated parts: keeps out offsets ('+01:00'), which newer ICU versions accept. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * True for IANA time zone names Intl knows ('Europe/Berlin', 'UTC', 'America/Argentina/Buenos_Aires');
 * false for offsets and made-up names ('CET+1', '+01:00', '', 'Mars/Base'). Intl matches names
 * without regard to case, IANA and Scheduler do not: 'europe/berlin' is refused.
 *
 * @example
 * isValidTimeZone('Asia/Kolkata'); // true
 * isValidTimeZone('CET+1'); // false
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || !ZONE_NAME.test(timeZone)) return false;
  const formatter = formatterFor(timeZone);
  if (formatter === null) return false;
  const resolved = formatter.resolvedOptions().timeZone;
  // Links resolve to another name (US/Eastern -> America/New_York) and are fine; a name that
  // differs from its resolution only in case was written in the wrong case.
  return resolved === timeZone || resolved.toLowerCase() !== timeZone.toLowerCase();
}

/**
 * The zone's UTC offset at an instant, in ms (Berlin in summer: +7_200_000). The zone must be
 * valid (isValidTimeZone).
 */
export function offsetAt(instant: number, timeZone: string): number {
  const formatter = formatterFor(timeZone);
  if (formatter === null) throw new RangeError(`unknown time zone ${timeZone}`);
  const fields: Record<string, string> = {};
  for (const part of formatter.formatToParts(instant)) fields[part.type] = part.value;
  const yearOfEra = Number(fields.year);
  const year = fields.era === 'BC' || fields.era === 'B' ? 1 - yearOfEra : yearOfEra;
  const date = new Date(0);
  date.setUTCFullYear(year, Number(fields.month) - 1, Number(fields.day));
  date.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second), 0);
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  return date.getTime() - wholeSecond;
}

/** The wall-clock time of an instant as "local ms" (see calendar.ts). */
export function localMsAt(instant: number, timeZone: string): number {
  return instant + offsetAt(instant, timeZone);
}

/**
 * The first instant whose wall-clock time in the zone is `local`, or null when the clocks
 * skip it (spring forward). When they show it twice (fall back) this is the earlier instant,
 * the one Scheduler fires at.
 */
export function firstInstantAt(local: number, timeZone: string): number | null {
  // An instant a day either side of the wall-clock time is past any transition that could
  // touch it, so the two offsets are the zone's offsets before and after it.
  const offsets = new Set([offsetAt(local - DAY_MS, timeZone), offsetAt(local + DAY_MS, timeZone)]);
  let first: number | null = null;
  for (const offset of offsets) {
    const instant = local - offset;
    if (offsetAt(instant, timeZone) === offset && (first === null || instant < first)) first = instant;
  }
  return first;
}
