import { describe, expect, it } from 'vitest';
import {
  nextRunTime,
  nextRunTimes,
  parseScheduleExpression,
  type NextRunOptions,
} from '../../shared/domain/schedule-expression.ts';

/*
 * HOW THE EXPECTED VALUES WERE OBTAINED
 *
 * Every expected instant below was computed independently of the TypeScript code, by a throwaway
 * Python 3.11 script using only the standard library (zoneinfo, datetime, calendar); it is not
 * committed. Expected values are written as local time with the zone's offset, as Python's
 * datetime.isoformat() printed them, so a reader can check the wall clock and the offset at once.
 *
 * - cron(): brute force over UTC *instants*, one minute at a time from the minute after `after`.
 *   Each instant is turned into wall-clock time with datetime.fromtimestamp(t, ZoneInfo(zone)) and
 *   fires when its fields match the cron fields (a separate ~60-line Python parser: L via
 *   calendar.monthrange, nW / LW by walking datetime.date, n#k as (day - 1) // 7 + 1 == k, AWS
 *   day numbers as isoweekday() % 7 + 1) AND dt.fold == 0 (PEP 495 marks the second occurrence
 *   of a repeated wall time with fold=1, so the repeated hour fires once, at its first
 *   occurrence) AND startDate <= instant < endDate. A wall time the clocks skip is never produced
 *   by fromtimestamp, so it is skipped, not shifted. Example: datetime(2026, 3, 29, 2, 30,
 *   tzinfo=ZoneInfo('Europe/Berlin')) does not exist, so cron(30 2 * * ? *) goes from the 28th
 *   to 2026-03-30T02:30:00+02:00. (To keep the scan short it jumps towards local midnight when
 *   the date does not match.)
 * - rate(): integer arithmetic on UTC epoch seconds: anchor + k * step, k >= 0, first > after,
 *   printed in the zone only for readability (the zone does not move them).
 * - at(): datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone), fold=0); it does not exist
 *   when a round trip through UTC changes the wall clock (then: null); fold=0 is the first
 *   occurrence of a repeated time.
 * - Rows marked "by hand" were worked out on paper from the AWS rule quoted next to them.
 *
 * 2026 DST changes used: Europe/Berlin 29 Mar 02:00 -> 03:00 and 25 Oct 03:00 -> 02:00;
 * America/New_York 8 Mar 02:00 -> 03:00 and 1 Nov 02:00 -> 01:00; Australia/Lord_Howe (30 min)
 * 5 Apr 02:00 -> 01:30 and 4 Oct 02:00 -> 02:30; Asia/Kolkata +05:30 without DST.
 */

const utc = (times: readonly number[]): string[] => times.map((t) => new Date(t).toISOString());
const utcOf = (isos: readonly string[]): string[] => isos.map((iso) => new Date(iso).toISOString());
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad fixture date ${iso}`);
  return ms;
};

/** [expression, time zone, after, count, expected firings (fewer than count when the schedule runs out)] */
const CRON_TABLE: [string, string, string, number, string[]][] = [
  // Month ends, leap years, plain steps and lists (UTC).
  ['cron(0 0 L * ? *)', 'UTC', '2026-01-15T00:00:00+00:00', 4, ['2026-01-31T00:00:00+00:00', '2026-02-28T00:00:00+00:00', '2026-03-31T00:00:00+00:00', '2026-04-30T00:00:00+00:00']],
  ['cron(0 12 L 2 ? *)', 'UTC', '2027-06-01T00:00:00+00:00', 2, ['2028-02-29T12:00:00+00:00', '2029-02-28T12:00:00+00:00']],
  ['cron(0 0 29 2 ? *)', 'UTC', '2026-01-01T00:00:00+00:00', 2, ['2028-02-29T00:00:00+00:00', '2032-02-29T00:00:00+00:00']],
  ['cron(0 0 31 * ? *)', 'UTC', '2026-04-01T00:00:00+00:00', 3, ['2026-05-31T00:00:00+00:00', '2026-07-31T00:00:00+00:00', '2026-08-31T00:00:00+00:00']],
  ['cron(10-50/20 * * * ? *)', 'UTC', '2026-01-01T00:55:00+00:00', 4, ['2026-01-01T01:10:00+00:00', '2026-01-01T01:30:00+00:00', '2026-01-01T01:50:00+00:00', '2026-01-01T02:10:00+00:00']],
  ['cron(50-10/5 * * * ? *)', 'UTC', '2026-01-01T00:47:00+00:00', 6, ['2026-01-01T00:50:00+00:00', '2026-01-01T00:55:00+00:00', '2026-01-01T01:00:00+00:00', '2026-01-01T01:05:00+00:00', '2026-01-01T01:10:00+00:00', '2026-01-01T01:50:00+00:00']],
  ['cron(0 0 1/10 * ? *)', 'UTC', '2026-01-02T00:00:00+00:00', 4, ['2026-01-11T00:00:00+00:00', '2026-01-21T00:00:00+00:00', '2026-01-31T00:00:00+00:00', '2026-02-01T00:00:00+00:00']],
  ['cron(0 0 1 1/3 ? *)', 'UTC', '2026-02-01T00:00:00+00:00', 4, ['2026-04-01T00:00:00+00:00', '2026-07-01T00:00:00+00:00', '2026-10-01T00:00:00+00:00', '2027-01-01T00:00:00+00:00']],
  ['cron(30 9 ? JAN,MAR MON-FRI 2027)', 'UTC', '2027-01-29T12:00:00+00:00', 2, ['2027-03-01T09:30:00+00:00', '2027-03-02T09:30:00+00:00']],
  ['cron(0 22 ? * FRI-MON *)', 'UTC', '2026-01-07T00:00:00+00:00', 5, ['2026-01-09T22:00:00+00:00', '2026-01-10T22:00:00+00:00', '2026-01-11T22:00:00+00:00', '2026-01-12T22:00:00+00:00', '2026-01-16T22:00:00+00:00']],
  // `after` exactly on a firing, and in the middle of a minute.
  ['cron(0 9 * * ? *)', 'UTC', '2026-01-01T09:00:00+00:00', 1, ['2026-01-02T09:00:00+00:00']],
  ['cron(* * * * ? *)', 'UTC', '2026-01-01T00:00:30+00:00', 2, ['2026-01-01T00:01:00+00:00', '2026-01-01T00:02:00+00:00']],
  // W, LW, #, nL, L (UTC).
  ['cron(0 9 15W * ? 2026)', 'UTC', '2026-01-20T00:00:00+00:00', 3, ['2026-02-16T09:00:00+00:00', '2026-03-16T09:00:00+00:00', '2026-04-15T09:00:00+00:00']],
  ['cron(0 9 1W * ? *)', 'UTC', '2026-07-15T00:00:00+00:00', 2, ['2026-08-03T09:00:00+00:00', '2026-09-01T09:00:00+00:00']],
  ['cron(0 9 31W * ? *)', 'UTC', '2026-04-01T00:00:00+00:00', 3, ['2026-05-29T09:00:00+00:00', '2026-07-31T09:00:00+00:00', '2026-08-31T09:00:00+00:00']],
  ['cron(0 18 LW * ? *)', 'UTC', '2026-01-01T00:00:00+00:00', 3, ['2026-01-30T18:00:00+00:00', '2026-02-27T18:00:00+00:00', '2026-03-31T18:00:00+00:00']],
  ['cron(0 10 ? * 3#2 *)', 'UTC', '2026-01-01T00:00:00+00:00', 3, ['2026-01-13T10:00:00+00:00', '2026-02-10T10:00:00+00:00', '2026-03-10T10:00:00+00:00']],
  ['cron(0 10 ? * MON#1 *)', 'UTC', '2026-01-01T00:00:00+00:00', 3, ['2026-01-05T10:00:00+00:00', '2026-02-02T10:00:00+00:00', '2026-03-02T10:00:00+00:00']],
  ['cron(0 10 ? * 6#5 *)', 'UTC', '2026-01-01T00:00:00+00:00', 2, ['2026-01-30T10:00:00+00:00', '2026-05-29T10:00:00+00:00']],
  ['cron(0 17 ? * 6L *)', 'UTC', '2026-01-01T00:00:00+00:00', 3, ['2026-01-30T17:00:00+00:00', '2026-02-27T17:00:00+00:00', '2026-03-27T17:00:00+00:00']],
  // July 2026 ends on a Friday: the 31st only, not the 24th as well.
  ['cron(0 17 ? * 6L *)', 'UTC', '2026-07-01T00:00:00+00:00', 2, ['2026-07-31T17:00:00+00:00', '2026-08-28T17:00:00+00:00']],
  ['cron(0 8 ? * L *)', 'UTC', '2026-01-01T00:00:00+00:00', 2, ['2026-01-03T08:00:00+00:00', '2026-01-10T08:00:00+00:00']],
  // Year ranges.
  ['cron(0 0 1 1 ? 2027-2028)', 'UTC', '2026-06-01T00:00:00+00:00', 3, ['2027-01-01T00:00:00+00:00', '2028-01-01T00:00:00+00:00']],
  ['cron(0 0 29 2 ? 2100-2199)', 'UTC', '2026-01-01T00:00:00+00:00', 2, ['2104-02-29T00:00:00+00:00', '2108-02-29T00:00:00+00:00']],
  ['cron(0 0 1 1 ? 2025)', 'UTC', '2026-01-01T00:00:00+00:00', 1, []],
  // Europe/Berlin: 02:30 on 29 March does not exist; 02:00-02:59 on 25 October happens twice.
  ['cron(30 2 * * ? *)', 'Europe/Berlin', '2026-03-28T12:00:00+01:00', 3, ['2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00', '2026-04-01T02:30:00+02:00']],
  ['cron(0 * * * ? *)', 'Europe/Berlin', '2026-03-29T00:30:00+01:00', 3, ['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-29T04:00:00+02:00']],
  ['cron(30 2 * * ? *)', 'Europe/Berlin', '2026-10-24T12:00:00+02:00', 2, ['2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00']],
  ['cron(0/30 * * * ? *)', 'Europe/Berlin', '2026-10-25T01:45:00+02:00', 4, ['2026-10-25T02:00:00+02:00', '2026-10-25T02:30:00+02:00', '2026-10-25T03:00:00+01:00', '2026-10-25T03:30:00+01:00']],
  ['cron(0/30 * * * ? *)', 'Europe/Berlin', '2026-10-25T02:10:00+01:00', 2, ['2026-10-25T03:00:00+01:00', '2026-10-25T03:30:00+01:00']],
  // America/New_York: 02:00-02:59 on 8 March does not exist; 01:00-01:59 on 1 November happens twice.
  ['cron(0/30 * * * ? *)', 'America/New_York', '2026-03-08T01:15:00-05:00', 3, ['2026-03-08T01:30:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T03:30:00-04:00']],
  ['cron(30 1 * * ? *)', 'America/New_York', '2026-10-31T12:00:00-04:00', 2, ['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00']],
  ['cron(15 * * * ? *)', 'America/New_York', '2026-11-01T00:30:00-04:00', 3, ['2026-11-01T01:15:00-04:00', '2026-11-01T02:15:00-05:00', '2026-11-01T03:15:00-05:00']],
  // 02:30 on the second Sunday of March is always in New York's spring-forward gap: never fires.
  ['cron(30 2 ? 3 1#2 *)', 'America/New_York', '2026-01-01T00:00:00-05:00', 1, []],
  // Asia/Kolkata +05:30: 03:15 local is 21:45 UTC the day before.
  ['cron(15 3 * * ? *)', 'Asia/Kolkata', '2026-03-01T00:00:00+05:30', 2, ['2026-03-01T03:15:00+05:30', '2026-03-02T03:15:00+05:30']],
  ['cron(0 9 ? * MON-FRI *)', 'Asia/Kolkata', '2026-03-27T10:00:00+05:30', 2, ['2026-03-30T09:00:00+05:30', '2026-03-31T09:00:00+05:30']],
  // Australia/Lord_Howe, 30-minute DST: 02:00-02:29 on 4 October is skipped; 01:30-01:59 on 5 April happens twice.
  ['cron(15 2 * * ? *)', 'Australia/Lord_Howe', '2026-10-03T12:00:00+10:30', 2, ['2026-10-05T02:15:00+11:00', '2026-10-06T02:15:00+11:00']],
  ['cron(0/15 * * * ? *)', 'Australia/Lord_Howe', '2026-10-04T01:40:00+10:30', 3, ['2026-10-04T01:45:00+10:30', '2026-10-04T02:30:00+11:00', '2026-10-04T02:45:00+11:00']],
  ['cron(45 1 * * ? *)', 'Australia/Lord_Howe', '2026-04-04T12:00:00+11:00', 2, ['2026-04-05T01:45:00+11:00', '2026-04-06T01:45:00+10:30']],
  ['cron(0/15 * * * ? *)', 'Australia/Lord_Howe', '2026-04-05T01:40:00+11:00', 4, ['2026-04-05T01:45:00+11:00', '2026-04-05T02:00:00+10:30', '2026-04-05T02:15:00+10:30', '2026-04-05T02:30:00+10:30']],
];

interface WindowRow {
  name: string;
  expression: string;
  timeZone: string;
  after: string;
  count: number;
  anchor?: string;
  startDate?: string;
  endDate?: string;
  expected: string[];
}

/** cron() within [startDate, endDate). */
const CRON_WINDOW_TABLE: WindowRow[] = [
  { name: 'starts at the first firing after startDate, stops before endDate', expression: 'cron(0 * * * ? *)', timeZone: 'UTC', after: '2026-05-01T08:00:00+00:00', count: 5, startDate: '2026-05-01T10:30:00+00:00', endDate: '2026-05-01T13:00:00+00:00', expected: ['2026-05-01T11:00:00+00:00', '2026-05-01T12:00:00+00:00'] },
  { name: 'a firing exactly at startDate counts', expression: 'cron(0 * * * ? *)', timeZone: 'UTC', after: '2026-05-01T08:00:00+00:00', count: 1, startDate: '2026-05-01T11:00:00+00:00', expected: ['2026-05-01T11:00:00+00:00'] },
  { name: 'a firing exactly at endDate does not (09:00+02:00 is 07:00Z)', expression: 'cron(0 9 * * ? *)', timeZone: 'Europe/Berlin', after: '2026-03-27T00:00:00+01:00', count: 5, endDate: '2026-03-29T07:00:00+00:00', expected: ['2026-03-27T09:00:00+01:00', '2026-03-28T09:00:00+01:00'] },
];

/** rate(): fixed steps from the anchor, whatever the zone. */
const RATE_TABLE: WindowRow[] = [
  { name: 'every 5 minutes straight through the Berlin spring-forward', expression: 'rate(5 minutes)', timeZone: 'Europe/Berlin', anchor: '2026-03-29T00:58:00+00:00', after: '2026-03-29T00:58:00+00:00', count: 3, expected: ['2026-03-29T03:03:00+02:00', '2026-03-29T03:08:00+02:00', '2026-03-29T03:13:00+02:00'] },
  { name: '1 day is 24 hours across DST: 09:00 becomes 10:00 wall clock', expression: 'rate(1 day)', timeZone: 'Europe/Berlin', anchor: '2026-03-28T09:00:00+01:00', after: '2026-03-28T09:00:00+01:00', count: 2, expected: ['2026-03-29T10:00:00+02:00', '2026-03-30T10:00:00+02:00'] },
  { name: '1 day across the 30-minute Lord Howe fall-back', expression: 'rate(1 day)', timeZone: 'Australia/Lord_Howe', anchor: '2026-04-04T09:00:00+11:00', after: '2026-04-04T09:00:00+11:00', count: 2, expected: ['2026-04-05T08:30:00+10:30', '2026-04-06T08:30:00+10:30'] },
  { name: 'every 2 hours, `after` between two steps in the repeated New York hour', expression: 'rate(2 hours)', timeZone: 'America/New_York', anchor: '2026-11-01T00:00:00-04:00', after: '2026-11-01T01:30:00-05:00', count: 2, expected: ['2026-11-01T03:00:00-05:00', '2026-11-01T05:00:00-05:00'] },
  { name: 'every 7 days, a month after the anchor', expression: 'rate(7 days)', timeZone: 'Asia/Kolkata', anchor: '2026-01-01T00:00:00+05:30', after: '2026-02-01T00:00:00+05:30', count: 2, expected: ['2026-02-05T00:00:00+05:30', '2026-02-12T00:00:00+05:30'] },
  { name: 'the anchor itself is the first firing when `after` is earlier', expression: 'rate(1 hour)', timeZone: 'UTC', anchor: '2026-06-01T12:00:00+00:00', after: '2026-06-01T00:00:00+00:00', count: 2, expected: ['2026-06-01T12:00:00+00:00', '2026-06-01T13:00:00+00:00'] },
  { name: 'endDate is exclusive', expression: 'rate(1 day)', timeZone: 'UTC', anchor: '2026-06-01T00:00:00+00:00', after: '2026-05-31T00:00:00+00:00', count: 5, endDate: '2026-06-03T00:00:00+00:00', expected: ['2026-06-01T00:00:00+00:00', '2026-06-02T00:00:00+00:00'] },
  { name: 'no anchor: counts from startDate, the first firing is at startDate', expression: 'rate(30 minutes)', timeZone: 'UTC', startDate: '2026-06-01T12:10:00+00:00', after: '2026-06-01T00:00:00+00:00', count: 2, expected: ['2026-06-01T12:10:00+00:00', '2026-06-01T12:40:00+00:00'] },
  { name: 'anchor and a later startDate: the anchor grid, nothing before startDate', expression: 'rate(1 hour)', timeZone: 'UTC', anchor: '2026-06-01T00:15:00+00:00', startDate: '2026-06-01T05:00:00+00:00', after: '2026-06-01T00:00:00+00:00', count: 2, expected: ['2026-06-01T05:15:00+00:00', '2026-06-01T06:15:00+00:00'] },
  // By hand: neither anchor nor startDate, so the steps count from `after`: 12:03:30 + 10 min, + 20 min.
  { name: 'no anchor and no startDate: one step after `after`', expression: 'rate(10 minutes)', timeZone: 'UTC', after: '2026-06-01T12:03:30+00:00', count: 2, expected: ['2026-06-01T12:13:30+00:00', '2026-06-01T12:23:30+00:00'] },
];

/** [expression, time zone, after, expected first firing or null] */
const AT_TABLE: [string, string, string, string | null][] = [
  ['at(2026-12-01T09:30:00)', 'Europe/Berlin', '2026-06-01T00:00:00+00:00', '2026-12-01T09:30:00+01:00'],
  ['at(2026-12-01T09:30:00)', 'Asia/Kolkata', '2026-06-01T00:00:00+00:00', '2026-12-01T09:30:00+05:30'],
  // In the past -> null; exactly at `after` -> null (strictly after).
  ['at(2026-03-01T09:30:00)', 'Europe/Berlin', '2026-06-01T00:00:00+00:00', null],
  ['at(2026-12-01T09:30:00)', 'UTC', '2026-12-01T09:30:00+00:00', null],
  // Inside the spring-forward gap -> never; inside the repeated hour -> the first occurrence.
  ['at(2026-03-29T02:30:00)', 'Europe/Berlin', '2026-01-01T00:00:00+00:00', null],
  ['at(2026-10-04T02:15:00)', 'Australia/Lord_Howe', '2026-01-01T00:00:00+00:00', null],
  ['at(2026-11-01T01:30:00)', 'America/New_York', '2026-01-01T00:00:00+00:00', '2026-11-01T01:30:00-04:00'],
  ['at(2026-04-05T01:45:00)', 'Australia/Lord_Howe', '2026-01-01T00:00:00+00:00', '2026-04-05T01:45:00+11:00'],
];

function optionsOf(row: WindowRow): NextRunOptions {
  return {
    timeZone: row.timeZone,
    after: at(row.after),
    ...(row.anchor !== undefined && { anchor: at(row.anchor) }),
    ...(row.startDate !== undefined && { startDate: at(row.startDate) }),
    ...(row.endDate !== undefined && { endDate: at(row.endDate) }),
  };
}

describe('nextRunTimes', () => {
  describe('cron(): wall-clock times in the time zone', () => {
    it.each(CRON_TABLE)('%s in %s after %s (x%i)', (expression, timeZone, after, count, expected) => {
      // Act
      const times = nextRunTimes(expression, { timeZone, after: at(after) }, count);

      // Assess
      expect(utc(times)).toEqual(utcOf(expected));
    });
  });

  describe('cron() with startDate / endDate', () => {
    it.each(CRON_WINDOW_TABLE)('$name', (row) => {
      // Act
      const times = nextRunTimes(row.expression, optionsOf(row), row.count);

      // Assess
      expect(utc(times)).toEqual(utcOf(row.expected));
    });
  });

  describe('rate()', () => {
    it.each(RATE_TABLE)('$expression: $name', (row) => {
      // Act
      const times = nextRunTimes(row.expression, optionsOf(row), row.count);

      // Assess
      expect(utc(times)).toEqual(utcOf(row.expected));
    });
  });

  it('answers an empty list for count 0', () => {
    // Act
    const times = nextRunTimes('rate(1 minute)', { timeZone: 'UTC', after: at('2026-01-01T00:00:00Z') }, 0);

    // Assess
    expect(times).toEqual([]);
  });

  it('gives at() at most one firing', () => {
    // Act
    const times = nextRunTimes('at(2026-12-01T09:30:00)', { timeZone: 'UTC', after: at('2026-01-01T00:00:00Z') }, 3);

    // Assess
    expect(utc(times)).toEqual(['2026-12-01T09:30:00.000Z']);
  });
});

describe('nextRunTime', () => {
  describe('at(): wall-clock time in the time zone', () => {
    it.each(AT_TABLE)('%s in %s after %s -> %s', (expression, timeZone, after, expected) => {
      // Act
      const next = nextRunTime(expression, { timeZone, after: at(after) });

      // Assess
      expect(next === null ? null : new Date(next).toISOString()).toBe(expected === null ? null : new Date(expected).toISOString());
    });
  });

  it('ignores startDate and endDate for at(), as Scheduler does', () => {
    // Prepare: by hand, a startDate after the at() time and an endDate before it.
    const options = {
      timeZone: 'UTC',
      after: at('2026-06-01T00:00:00Z'),
      startDate: at('2027-01-01T00:00:00Z'),
      endDate: at('2026-07-01T00:00:00Z'),
    };

    // Act
    const next = nextRunTime('at(2026-12-01T09:30:00)', options);

    // Assess
    expect(next).toBe(at('2026-12-01T09:30:00Z'));
  });

  it.each([
    // Python: startDate 12:10 + k * 30 min, first after 12:20.
    ['counts rate() from startDate when there is no anchor', { startDate: at('2026-06-01T12:10:00Z') }, '2026-06-01T12:40:00.000Z'],
    // By hand: anchor 12:00 + k * 30 min, first after 12:20.
    ['prefers the anchor to startDate', { startDate: at('2026-06-01T12:10:00Z'), anchor: at('2026-06-01T12:00:00Z') }, '2026-06-01T12:30:00.000Z'],
  ])('%s', (_name, window, expected) => {
    // Act
    const next = nextRunTime('rate(30 minutes)', { timeZone: 'UTC', after: at('2026-06-01T12:20:00Z'), ...window });

    // Assess
    expect(next === null ? null : new Date(next).toISOString()).toBe(expected);
  });

  it('takes a parsed expression as well as its text', () => {
    // Prepare
    const options = { timeZone: 'Europe/Berlin', after: at('2026-03-28T12:00:00+01:00') };

    // Act
    const fromObject = nextRunTime(parseScheduleExpression('cron(30 2 * * ? *)'), options);

    // Assess: the first row of the Berlin spring-forward case above.
    expect(fromObject).toBe(at('2026-03-30T02:30:00+02:00'));
    expect(nextRunTime('cron(30 2 * * ? *)', options)).toBe(fromObject);
  });

  it.each([
    ['cron(0 0 30 2 ? *)', 'UTC'],
    ['cron(0 0 31 4,6,9,11 ? *)', 'Europe/Berlin'],
    ['cron(0 0 ? 2 1#5 2026-2027)', 'UTC'],
    ['cron(30 2 ? 3 1#2 *)', 'America/New_York'],
  ])('answers null quickly for %s in %s, which never fires', (expression, timeZone) => {
    // Prepare: by hand, February has no 30th; April, June, September and November have no 31st;
    // February 2026 and 2027 have four Sundays; New York skips 02:00-02:59 on that Sunday.
    const started = performance.now();

    // Act
    const next = nextRunTime(expression, { timeZone, after: at('2026-01-01T00:00:00Z') });

    // Assess
    expect(next).toBeNull();
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('finds a firing 78 years ahead quickly', () => {
    // Prepare: by hand, 2100 is not a leap year (divisible by 100, not by 400), 2104 is.
    const started = performance.now();

    // Act
    const next = nextRunTime('cron(0 0 29 2 ? 2100-2199)', { timeZone: 'Asia/Kolkata', after: at('2026-01-01T00:00:00Z') });

    // Assess
    expect(next).toBe(at('2104-02-29T00:00:00+05:30'));
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('answers null once the last year is over', () => {
    // Act
    const last = nextRunTime('cron(59 23 31 12 ? 2199)', { timeZone: 'UTC', after: at('2199-12-31T23:58:00Z') });
    const none = nextRunTime('cron(59 23 31 12 ? 2199)', { timeZone: 'UTC', after: at('2199-12-31T23:59:00Z') });

    // Assess
    expect(last).toBe(at('2199-12-31T23:59:00Z'));
    expect(none).toBeNull();
  });
});
