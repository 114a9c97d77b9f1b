import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.ts';
import {
  formatScheduleExpression,
  isValidTimeZone,
  nextRunTime,
  parseScheduleExpression,
  ScheduleExpressionError,
  type CronFields,
  type ScheduleExpression,
} from '../../shared/domain/schedule-expression.ts';

/** Expected values by hand from the EventBridge cron reference (1 = SUNDAY in day-of-week). */
const ALL_YEARS = Array.from({ length: 230 }, (_, i) => 1970 + i);

/** [expression, the fields it should parse to (partial)] */
const CRON_FIELDS_TABLE: [string, Partial<CronFields>][] = [
  ['cron(0/15 * * * ? *)', { minutes: [0, 15, 30, 45], dayOfWeek: { kind: 'any' } }],
  ['cron(*/20 */6 * * ? *)', { minutes: [0, 20, 40], hours: [0, 6, 12, 18] }],
  ['cron(10-50/10 9-17 * * ? *)', { minutes: [10, 20, 30, 40, 50], hours: [9, 10, 11, 12, 13, 14, 15, 16, 17] }],
  ['cron(0,5,5,1 22-2 * * ? *)', { minutes: [0, 1, 5], hours: [0, 1, 2, 22, 23] }],
  ['cron(0 9 ? * MON-FRI *)', { dayOfMonth: { kind: 'any' }, dayOfWeek: { kind: 'days', days: [2, 3, 4, 5, 6] } }],
  ['cron(0 9 ? * mon,Fri *)', { dayOfWeek: { kind: 'days', days: [2, 6] } }],
  ['cron(0 9 ? * 1,7 *)', { dayOfWeek: { kind: 'days', days: [1, 7] } }],
  ['cron(0 9 ? * FRI-MON *)', { dayOfWeek: { kind: 'days', days: [1, 2, 6, 7] } }],
  ['cron(0 9 1 JAN,MAR ? *)', { dayOfMonth: { kind: 'days', days: [1] }, months: [1, 3] }],
  ['cron(0 9 1 NOV-FEB ? *)', { months: [1, 2, 11, 12] }],
  ['cron(0 9 1 */4 ? *)', { months: [1, 5, 9] }],
  ['cron(0 9 1/10 * ? *)', { dayOfMonth: { kind: 'days', days: [1, 11, 21, 31] } }],
  ['cron(0 9 L * ? *)', { dayOfMonth: { kind: 'last' } }],
  ['cron(0 9 LW * ? *)', { dayOfMonth: { kind: 'lastWeekday' } }],
  ['cron(0 9 15W * ? *)', { dayOfMonth: { kind: 'nearestWeekday', day: 15 } }],
  ['cron(0 9 ? * L *)', { dayOfWeek: { kind: 'days', days: [7] } }],
  ['cron(0 9 ? * 6L *)', { dayOfWeek: { kind: 'lastOfMonth', day: 6 } }],
  ['cron(0 9 ? * FRIL *)', { dayOfWeek: { kind: 'lastOfMonth', day: 6 } }],
  ['cron(0 9 ? * 3#2 *)', { dayOfWeek: { kind: 'nthOfMonth', day: 3, nth: 2 } }],
  ['cron(0 9 ? * MON#1 *)', { dayOfWeek: { kind: 'nthOfMonth', day: 2, nth: 1 } }],
  ['cron(0 9 * * ? *)', { dayOfMonth: { kind: 'days', days: Array.from({ length: 31 }, (_, i) => i + 1) }, years: ALL_YEARS }],
  ['cron(0 9 * * ? 2026-2028)', { years: [2026, 2027, 2028] }],
  ['cron(0 9 * * ? 2026,2030/50)', { years: [2026, 2030, 2080, 2130, 2180] }],
  ['cron(0 9 * * ? */100)', { years: [1970, 2070, 2170] }],
];

/** [text, what it parses to] */
const PARSED_TABLE: [string, ScheduleExpression][] = [
  ['rate(1 minute)', { kind: 'rate', value: 1, unit: 'minutes' }],
  ['rate(5 minutes)', { kind: 'rate', value: 5, unit: 'minutes' }],
  ['rate(1 hour)', { kind: 'rate', value: 1, unit: 'hours' }],
  ['rate(12 hours)', { kind: 'rate', value: 12, unit: 'hours' }],
  ['rate(1 day)', { kind: 'rate', value: 1, unit: 'days' }],
  ['rate(2 days)', { kind: 'rate', value: 2, unit: 'days' }],
  ['at(2026-12-01T09:30:00)', { kind: 'at', localDateTime: '2026-12-01T09:30:00' }],
  ['at(2028-02-29T23:59:59)', { kind: 'at', localDateTime: '2028-02-29T23:59:59' }],
];

/** [text, normalised text for AWS] */
const FORMAT_TABLE: [string, string][] = [
  [' rate( 1   hour ) ', 'rate(1 hour)'],
  ['rate(10 days)', 'rate(10 days)'],
  ['at(2026-12-01T09:30:00)', 'at(2026-12-01T09:30:00)'],
  ['cron( 0  2 * *\t? * )', 'cron(0 2 * * ? *)'],
  ['cron(0 9 ? * mon-fri *)', 'cron(0 9 ? * mon-fri *)'],
];

/** [text, field, exact message] */
const ERROR_TABLE: [string, string, string][] = [
  // Function and shape.
  ['every(5 minutes)', 'expression', 'expression "every(5 minutes)" is not at(...), rate(...) or cron(...); e.g. rate(5 minutes), cron(0 2 * * ? *) or at(2026-12-01T09:30:00)'],
  ['', 'expression', 'expression "" is not at(...), rate(...) or cron(...); e.g. rate(5 minutes), cron(0 2 * * ? *) or at(2026-12-01T09:30:00)'],
  ['CRON(0 2 * * ? *)', 'expression', 'expression "CRON(0 2 * * ? *)" is not at(...), rate(...) or cron(...); e.g. rate(5 minutes), cron(0 2 * * ? *) or at(2026-12-01T09:30:00)'],
  ['0 2 * * ? *', 'expression', 'expression "0 2 * * ? *" is not at(...), rate(...) or cron(...); e.g. rate(5 minutes), cron(0 2 * * ? *) or at(2026-12-01T09:30:00)'],
  // cron: number of fields and the ? rule.
  ['cron(0 2 * * ?)', 'cron', 'cron expression has 5 fields; it needs 6: minutes hours day-of-month month day-of-week year (e.g. cron(0 2 * * ? *))'],
  ['cron(0 2 ? * * * *)', 'cron', 'cron expression has 7 fields; it needs 6: minutes hours day-of-month month day-of-week year (e.g. cron(0 2 * * ? *))'],
  ['cron(0 2 ? * ? *)', 'cron.dayOfWeek', 'cron day-of-month and day-of-week: only one of them can be ?'],
  ['cron(0 2 * * MON *)', 'cron.dayOfWeek', 'cron day-of-month and day-of-week: one of them must be ?'],
  ['cron(0 2 * * * *)', 'cron.dayOfWeek', 'cron day-of-month and day-of-week: one of them must be ?'],
  ['cron(? 2 * * ? *)', 'cron.minutes', 'cron minutes: ? is only allowed in day-of-month or day-of-week'],
  ['cron(0 2 * * ?,1 *)', 'cron.dayOfWeek', 'cron day-of-week: ? must stand alone'],
  // cron: ranges.
  ['cron(60 2 * * ? *)', 'cron.minutes', 'cron minutes: 60 is out of range 0-59'],
  ['cron(0 24 * * ? *)', 'cron.hours', 'cron hours: 24 is out of range 0-23'],
  ['cron(0 2 32 * ? *)', 'cron.dayOfMonth', 'cron day-of-month: 32 is out of range 1-31'],
  ['cron(0 2 0 * ? *)', 'cron.dayOfMonth', 'cron day-of-month: 0 is out of range 1-31'],
  ['cron(0 2 * 13 ? *)', 'cron.month', 'cron month: 13 is out of range 1-12 (or JAN-DEC)'],
  ['cron(0 2 ? * 8 *)', 'cron.dayOfWeek', 'cron day-of-week: 8 is out of range 1-7 (or SUN-SAT; 1 = Sunday)'],
  ['cron(0 2 ? * 0 *)', 'cron.dayOfWeek', 'cron day-of-week: 0 is out of range 1-7 (or SUN-SAT; 1 = Sunday)'],
  ['cron(0 2 * * ? 1969)', 'cron.year', 'cron year: 1969 is out of range 1970-2199'],
  ['cron(0 2 * * ? 2030-2025)', 'cron.year', 'cron year: the range "2030-2025" runs backwards'],
  ['cron(*/0 * * * ? *)', 'cron.minutes', 'cron minutes: the step in "*/0" must be 1-60'],
  ['cron(0/61 * * * ? *)', 'cron.minutes', 'cron minutes: the step in "0/61" must be 1-60'],
  // cron: tokens and the special characters.
  ['cron(0 2 * FOO ? *)', 'cron.month', 'cron month: "FOO" is not valid; it takes 1-12 or JAN-DEC with , - * /'],
  ['cron(5- 2 * * ? *)', 'cron.minutes', 'cron minutes: "5-" is not valid; it takes 0-59 with , - * /'],
  ['cron(0 2 1,,2 * ? *)', 'cron.dayOfMonth', 'cron day-of-month: "1,,2" is not valid; it takes 1-31 with , - * ? / L W'],
  ['cron(0 2 L-3 * ? *)', 'cron.dayOfMonth', 'cron day-of-month: "L-3" is not supported; use L (last day of the month), LW (last weekday) or nW (weekday nearest day n)'],
  ['cron(0 2 1,L * ? *)', 'cron.dayOfMonth', 'cron day-of-month: "1,L": L, LW and nW must stand alone, not in a list, range or step'],
  ['cron(0 2 1-15W * ? *)', 'cron.dayOfMonth', 'cron day-of-month: "1-15W": L, LW and nW must stand alone, not in a list, range or step'],
  ['cron(0 2 ? * 2/2 *)', 'cron.dayOfWeek', 'cron day-of-week: "2/2": / is not allowed in day-of-week; it takes 1-7 or SUN-SAT with , - * ? L #'],
  ['cron(0 2 ? * 3#1,6#3 *)', 'cron.dayOfWeek', 'cron day-of-week: "3#1,6#3": with # the field holds one expression only (e.g. 3#2), not a list'],
  ['cron(0 2 ? * 3#6 *)', 'cron.dayOfWeek', 'cron day-of-week: "3#6": the number after # must be 1-5 (the nth such day of the month)'],
  ['cron(0 2 ? * MON,6L *)', 'cron.dayOfWeek', 'cron day-of-week: "MON,6L": L and nL must stand alone, not in a list or range'],
  // rate.
  ['rate(1 minutes)', 'rate.unit', 'rate(1 minutes): a value of 1 takes the singular unit: rate(1 minute)'],
  ['rate(1 days)', 'rate.unit', 'rate(1 days): a value of 1 takes the singular unit: rate(1 day)'],
  ['rate(5 minute)', 'rate.unit', 'rate(5 minute): a value other than 1 takes the plural unit: rate(5 minutes)'],
  ['rate(0 hours)', 'rate.value', 'rate value must be a positive whole number; got "0"'],
  ['rate(-1 hours)', 'rate.value', 'rate value must be a positive whole number; got "-1"'],
  ['rate(1.5 hours)', 'rate.value', 'rate value must be a positive whole number; got "1.5"'],
  ['rate(5 weeks)', 'rate.unit', 'rate unit "weeks" must be minute(s), hour(s) or day(s)'],
  ['rate(5)', 'rate', 'rate(5) needs a value and a unit, e.g. rate(5 minutes) or rate(1 hour)'],
  // at.
  ['at(2026-12-01)', 'at', 'at() takes a date and time as yyyy-mm-ddThh:mm:ss without a time zone (the schedule\'s timezone applies), e.g. at(2026-12-01T09:30:00); got "2026-12-01"'],
  ['at(2026-12-01T09:30)', 'at', 'at() takes a date and time as yyyy-mm-ddThh:mm:ss without a time zone (the schedule\'s timezone applies), e.g. at(2026-12-01T09:30:00); got "2026-12-01T09:30"'],
  ['at(2026-12-01T09:30:00Z)', 'at', 'at() takes a date and time as yyyy-mm-ddThh:mm:ss without a time zone (the schedule\'s timezone applies), e.g. at(2026-12-01T09:30:00); got "2026-12-01T09:30:00Z"'],
  ['at(2026-02-29T09:00:00)', 'at', 'at(2026-02-29T09:00:00): 2026-02-29 is not a calendar date'],
  ['at(2026-12-01T24:00:00)', 'at', 'at(2026-12-01T24:00:00): 24:00:00 is not a time of day (00:00:00 to 23:59:59)'],
];

function errorOf(act: () => unknown): ScheduleExpressionError {
  try {
    act();
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return error;
    throw error;
  }
  throw new Error('expected a ScheduleExpressionError, nothing was thrown');
}

describe('parseScheduleExpression', () => {
  describe('cron fields', () => {
    it.each(CRON_FIELDS_TABLE)('%s', (text, fields) => {
      // Act
      const parsed = parseScheduleExpression(text);

      // Assess
      expect(parsed.kind).toBe('cron');
      expect(parsed.kind === 'cron' && parsed.fields).toMatchObject(fields);
    });
  });

  describe('rate and at', () => {
    it.each(PARSED_TABLE)('%s', (text, expected) => {
      // Act
      const parsed = parseScheduleExpression(text);

      // Assess
      expect(parsed).toEqual(expected);
    });
  });

  describe('rejects what EventBridge Scheduler rejects, saying what to change', () => {
    it.each(ERROR_TABLE)('%s -> %s', (text, field, message) => {
      // Act
      const error = errorOf(() => parseScheduleExpression(text));

      // Assess
      expect(error.message).toBe(message);
      expect(error.field).toBe(field);
    });
  });

  it('throws a ValidationError, so the API answers 400 VALIDATION_ERROR naming the field', () => {
    // Act
    const error = errorOf(() => parseScheduleExpression('cron(0 2 * 13 ? *)'));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.name).toBe('ScheduleExpressionError');
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details).toEqual({ field: 'cron.month' });
  });
});

describe('formatScheduleExpression', () => {
  it.each(FORMAT_TABLE)('%j -> %s', (text, expected) => {
    // Act
    const formatted = formatScheduleExpression(parseScheduleExpression(text));

    // Assess
    expect(formatted).toBe(expected);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['America/New_York', true],
    ['Asia/Kolkata', true],
    ['Australia/Lord_Howe', true],
    ['America/Argentina/Buenos_Aires', true],
    ['Etc/GMT+1', true],
    ['US/Eastern', true],
    ['CET+1', false],
    ['', false],
    ['Mars/Base', false],
    ['+01:00', false],
    ['europe/berlin', false],
    ['utc', false],
    ['Europe/Berlin ', false],
  ])('%j -> %s', (timeZone, expected) => {
    // Act
    const valid = isValidTimeZone(timeZone);

    // Assess
    expect(valid).toBe(expected);
  });

  it('makes nextRunTime refuse an unknown time zone with field "timezone"', () => {
    // Act
    const error = errorOf(() => nextRunTime('rate(5 minutes)', { timeZone: 'CET+1', after: 0 }));

    // Assess
    expect(error.message).toBe('timezone "CET+1" is not an IANA time zone name, e.g. Europe/Berlin or UTC');
    expect(error.field).toBe('timezone');
  });
});
