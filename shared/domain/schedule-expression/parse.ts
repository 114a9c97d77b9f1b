import { daysInMonth } from './calendar.ts';
import { ScheduleExpressionError } from './error.ts';
import { parseCronFields } from './parse-cron.ts';
import type { RateUnit, ScheduleExpression } from './types.ts';

const EXAMPLES = 'e.g. rate(5 minutes), cron(0 2 * * ? *) or at(2026-12-01T09:30:00)';

const RATE_UNITS: Readonly<Record<string, { unit: RateUnit; singular: boolean }>> = {
  minute: { unit: 'minutes', singular: true },
  minutes: { unit: 'minutes', singular: false },
  hour: { unit: 'hours', singular: true },
  hours: { unit: 'hours', singular: false },
  day: { unit: 'days', singular: true },
  days: { unit: 'days', singular: false },
};

/** Milliseconds per rate unit: fixed steps, whatever the clocks do (Scheduler's "1 day" is 24 hours). */
export const RATE_UNIT_MS: Readonly<Record<RateUnit, number>> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

function parseRate(text: string, inner: string): ScheduleExpression {
  const parts = inner.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 2) {
    throw new ScheduleExpressionError(`${text} needs a value and a unit, e.g. rate(5 minutes) or rate(1 hour)`, 'rate');
  }
  const [valueText = '', unitText = ''] = parts;
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1) {
    throw new ScheduleExpressionError(`rate value must be a positive whole number; got "${valueText}"`, 'rate.value');
  }
  const value = Number(valueText);
  const unit = RATE_UNITS[unitText];
  if (!unit) {
    throw new ScheduleExpressionError(`rate unit "${unitText}" must be minute(s), hour(s) or day(s)`, 'rate.unit');
  }
  if (!Number.isSafeInteger(value * RATE_UNIT_MS[unit.unit])) {
    throw new ScheduleExpressionError(`rate value ${valueText} is too large`, 'rate.value');
  }
  if (value === 1 && !unit.singular) {
    throw new ScheduleExpressionError(`${text}: a value of 1 takes the singular unit: rate(1 ${unitText.slice(0, -1)})`, 'rate.unit');
  }
  if (value !== 1 && unit.singular) {
    throw new ScheduleExpressionError(`${text}: a value other than 1 takes the plural unit: rate(${value} ${unitText}s)`, 'rate.unit');
  }
  return { kind: 'rate', value, unit: unit.unit };
}

function parseAt(text: string, inner: string): ScheduleExpression {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(inner);
  if (!match) {
    throw new ScheduleExpressionError(
      `at() takes a date and time as yyyy-mm-ddThh:mm:ss without a time zone (the schedule's timezone applies), e.g. at(2026-12-01T09:30:00); got "${inner}"`,
      'at',
    );
  }
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new ScheduleExpressionError(`${text}: ${inner.slice(0, 10)} is not a calendar date`, 'at');
  }
  if (hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleExpressionError(`${text}: ${inner.slice(11)} is not a time of day (00:00:00 to 23:59:59)`, 'at');
  }
  return { kind: 'at', localDateTime: inner };
}

/**
 * Parses an EventBridge Scheduler schedule expression: `at(yyyy-mm-ddThh:mm:ss)`,
 * `rate(value unit)` or `cron(minutes hours day-of-month month day-of-week year)`, with the
 * rules Scheduler applies (singular unit only for 1; six cron fields; exactly one of
 * day-of-month and day-of-week is `?`; ...). White space around the expression and between
 * fields is tolerated; formatScheduleExpression gives the normalised text to send to AWS.
 *
 * @throws ScheduleExpressionError with a message the user can act on and the failing `field`.
 * @example
 * parseScheduleExpression('rate(5 minutes)'); // { kind: 'rate', value: 5, unit: 'minutes' }
 * parseScheduleExpression('cron(0 9 ? * MON-FRI *)').kind; // 'cron'
 * parseScheduleExpression('cron(0 9 * * MON-FRI *)'); // throws: "cron day-of-month and day-of-week: one of them must be ?"
 */
export function parseScheduleExpression(text: string): ScheduleExpression {
  if (typeof text !== 'string') {
    throw new ScheduleExpressionError(`expression must be a string, ${EXAMPLES}`, 'expression');
  }
  const trimmed = text.trim();
  const match = /^(at|rate|cron)\((.*)\)$/s.exec(trimmed);
  if (!match) {
    const shown = trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed;
    throw new ScheduleExpressionError(`expression "${shown}" is not at(...), rate(...) or cron(...); ${EXAMPLES}`, 'expression');
  }
  const [, kind, inner = ''] = match;
  if (kind === 'at') return parseAt(trimmed, inner);
  if (kind === 'rate') return parseRate(trimmed, inner);
  return { kind: 'cron', ...parseCronFields(inner) };
}

/**
 * The normalised expression text, as Scheduler's CreateSchedule takes it.
 *
 * @example
 * formatScheduleExpression(parseScheduleExpression(' rate(1  hour) ')); // 'rate(1 hour)'
 */
export function formatScheduleExpression(expression: ScheduleExpression): string {
  switch (expression.kind) {
    case 'at':
      return `at(${expression.localDateTime})`;
    case 'rate':
      return `rate(${expression.value} ${expression.value === 1 ? expression.unit.slice(0, -1) : expression.unit})`;
    case 'cron':
      return expression.source;
  }
}
