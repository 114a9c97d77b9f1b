import { ScheduleExpressionError } from './error.ts';
import type { CronFields, DayOfMonthRule, DayOfWeekRule } from './types.ts';

/**
 * The six fields of an EventBridge cron expression as the EventBridge cron reference lists
 * them: values, names and the wildcards each field takes. Names and the L / W letters are read
 * case-insensitively, as Quartz (whose syntax EventBridge follows) does.
 */
interface FieldSpec {
  /** For ScheduleExpressionError.field: 'cron.' + key. */
  key: 'minutes' | 'hours' | 'dayOfMonth' | 'month' | 'dayOfWeek' | 'year';
  /** As the AWS documentation names the field. */
  label: string;
  min: number;
  max: number;
  /** Names for min, min + 1, ... */
  names?: readonly string[];
  /** `/` is not among the day-of-week wildcards. */
  allowStep: boolean;
  /** `FRI-MON`, `22-2` wrap round as in Quartz; a year range cannot. */
  allowWrap: boolean;
  /** The values and wildcards, for messages. */
  takes: string;
  /** The range, for out-of-range messages. */
  range: string;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const FIELDS = {
  minutes: { key: 'minutes', label: 'minutes', min: 0, max: 59, allowStep: true, allowWrap: true, takes: '0-59 with , - * /', range: '0-59' },
  hours: { key: 'hours', label: 'hours', min: 0, max: 23, allowStep: true, allowWrap: true, takes: '0-23 with , - * /', range: '0-23' },
  dayOfMonth: {
    key: 'dayOfMonth',
    label: 'day-of-month',
    min: 1,
    max: 31,
    allowStep: true,
    allowWrap: true,
    takes: '1-31 with , - * ? / L W',
    range: '1-31',
  },
  month: {
    key: 'month',
    label: 'month',
    min: 1,
    max: 12,
    names: MONTH_NAMES,
    allowStep: true,
    allowWrap: true,
    takes: '1-12 or JAN-DEC with , - * /',
    range: '1-12 (or JAN-DEC)',
  },
  dayOfWeek: {
    key: 'dayOfWeek',
    label: 'day-of-week',
    min: 1,
    max: 7,
    names: DAY_NAMES,
    allowStep: false,
    allowWrap: true,
    takes: '1-7 or SUN-SAT with , - * ? L #',
    range: '1-7 (or SUN-SAT; 1 = Sunday)',
  },
  year: { key: 'year', label: 'year', min: 1970, max: 2199, allowStep: true, allowWrap: false, takes: '1970-2199 with , - * /', range: '1970-2199' },
} as const satisfies Record<string, FieldSpec>;

const FIELD_ORDER = 'minutes hours day-of-month month day-of-week year';

function fail(spec: FieldSpec, message: string): never {
  throw new ScheduleExpressionError(`cron ${spec.label}: ${message}`, `cron.${spec.key}`);
}

function notValid(spec: FieldSpec, token: string): never {
  fail(spec, `"${token}" is not valid; it takes ${spec.takes}`);
}

/** One value: a number in the field's range or one of its names. */
function parseValue(spec: FieldSpec, token: string, whole: string): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) fail(spec, `${value} is out of range ${spec.range}`);
    return value;
  }
  const index = spec.names?.indexOf(token) ?? -1;
  if (index < 0) notValid(spec, whole);
  return spec.min + index;
}

/** start, start + 1, ... end, wrapping from max to min when end < start. */
function walk(spec: FieldSpec, start: number, end: number): number[] {
  const values: number[] = [];
  for (let v = start; ; v = v === spec.max ? spec.min : v + 1) {
    values.push(v);
    if (v === end) return values;
  }
}

/** A list of plain values, ranges and steps (`0,15`, `10-50/10`, `*`, `MON-FRI`, `0/15`) -> sorted values. */
function parseList(spec: FieldSpec, raw: string): number[] {
  const values = new Set<number>();
  for (const item of raw.split(',')) {
    if (item === '') notValid(spec, raw);
    const slash = item.split('/');
    if (slash.length > 2 || slash[0] === '') notValid(spec, item);
    const [base = '', stepText] = slash;
    if (stepText !== undefined && !spec.allowStep) fail(spec, `"${item}": / is not allowed in ${spec.label}; it takes ${spec.takes}`);
    let step = 1;
    if (stepText !== undefined) {
      const span = spec.max - spec.min + 1;
      if (!/^\d+$/.test(stepText)) notValid(spec, item);
      step = Number(stepText);
      if (step < 1 || step > span) fail(spec, `the step in "${item}" must be 1-${span}`);
    }

    let sequence: number[];
    if (base === '*') {
      sequence = walk(spec, spec.min, spec.max);
    } else if (base.includes('-')) {
      const bounds = base.split('-');
      if (bounds.length !== 2 || bounds[0] === '' || bounds[1] === '') notValid(spec, item);
      const start = parseValue(spec, bounds[0] ?? '', item);
      const end = parseValue(spec, bounds[1] ?? '', item);
      if (end < start && !spec.allowWrap) fail(spec, `the range "${base}" runs backwards`);
      sequence = walk(spec, start, end);
    } else {
      const start = parseValue(spec, base, item);
      // `a/n` runs from a to the end of the field; a plain `a` is just a.
      sequence = stepText === undefined ? [start] : walk(spec, start, spec.max);
    }
    sequence.forEach((value, index) => {
      if (index % step === 0) values.add(value);
    });
  }
  return [...values].sort((a, b) => a - b);
}

function rejectMisplacedQuestionMark(spec: FieldSpec, raw: string): void {
  if (raw.includes('?')) fail(spec, '? is only allowed in day-of-month or day-of-week');
}

function parseDayOfMonth(raw: string): DayOfMonthRule {
  const spec = FIELDS.dayOfMonth;
  if (raw === '?') return { kind: 'any' };
  if (raw.includes('?')) fail(spec, '? must stand alone');
  if (raw === 'L') return { kind: 'last' };
  if (raw === 'LW') return { kind: 'lastWeekday' };
  const nearest = /^(\d+)W$/.exec(raw);
  if (nearest) return { kind: 'nearestWeekday', day: parseValue(spec, nearest[1] ?? '', raw) };
  if (/^L-\d+$/.test(raw)) {
    fail(spec, `"${raw}" is not supported; use L (last day of the month), LW (last weekday) or nW (weekday nearest day n)`);
  }
  if (/[LW]/.test(raw)) {
    if (/[,\-/]/.test(raw)) fail(spec, `"${raw}": L, LW and nW must stand alone, not in a list, range or step`);
    notValid(spec, raw);
  }
  return { kind: 'days', days: parseList(spec, raw) };
}

function parseDayOfWeek(raw: string): DayOfWeekRule {
  const spec = FIELDS.dayOfWeek;
  if (raw === '?') return { kind: 'any' };
  if (raw.includes('?')) fail(spec, '? must stand alone');
  // `L` alone is the last day of the week: Saturday, every week (Quartz reads it as 7).
  if (raw === 'L') return { kind: 'days', days: [7] };
  if (raw.includes('#')) {
    if (raw.includes(',')) fail(spec, `"${raw}": with # the field holds one expression only (e.g. 3#2), not a list`);
    const nth = /^([^#]+)#(\d+)$/.exec(raw);
    if (!nth) notValid(spec, raw);
    const day = parseValue(spec, nth[1] ?? '', raw);
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(spec, `"${raw}": the number after # must be 1-5 (the nth such day of the month)`);
    return { kind: 'nthOfMonth', day, nth: n };
  }
  // No day name contains an L, so any L here is the "last" wildcard.
  if (raw.includes('L')) {
    if (/[,\-]/.test(raw)) fail(spec, `"${raw}": L and nL must stand alone, not in a list or range`);
    const last = /^([^L]+)L$/.exec(raw);
    if (!last) notValid(spec, raw);
    return { kind: 'lastOfMonth', day: parseValue(spec, last[1] ?? '', raw) };
  }
  return { kind: 'days', days: parseList(spec, raw) };
}

function parseNumericField(spec: FieldSpec, raw: string): number[] {
  rejectMisplacedQuestionMark(spec, raw);
  return parseList(spec, raw);
}

/**
 * Parses the inside of cron(...): six fields separated by white space.
 * Throws ScheduleExpressionError naming the first field that is wrong.
 */
export function parseCronFields(inner: string): { source: string; fields: CronFields } {
  const tokens = inner.trim().split(/\s+/).filter(Boolean);
  if (tokens.length !== 6) {
    throw new ScheduleExpressionError(
      `cron expression has ${tokens.length} field${tokens.length === 1 ? '' : 's'}; it needs 6: ${FIELD_ORDER} (e.g. cron(0 2 * * ? *))`,
      'cron',
    );
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = tokens.map((t) => t.toUpperCase());
  const fields: CronFields = {
    minutes: parseNumericField(FIELDS.minutes, minutes),
    hours: parseNumericField(FIELDS.hours, hours),
    dayOfMonth: parseDayOfMonth(dayOfMonth),
    months: parseNumericField(FIELDS.month, month),
    dayOfWeek: parseDayOfWeek(dayOfWeek),
    years: parseNumericField(FIELDS.year, year),
  };
  const domAny = fields.dayOfMonth.kind === 'any';
  const dowAny = fields.dayOfWeek.kind === 'any';
  if (domAny && dowAny) {
    throw new ScheduleExpressionError('cron day-of-month and day-of-week: only one of them can be ?', 'cron.dayOfWeek');
  }
  if (!domAny && !dowAny) {
    throw new ScheduleExpressionError('cron day-of-month and day-of-week: one of them must be ?', 'cron.dayOfWeek');
  }
  return { source: `cron(${tokens.join(' ')})`, fields };
}
