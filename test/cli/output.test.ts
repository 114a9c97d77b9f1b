import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../../cli/errors.ts';
import { parseChoice, parseDuration, parseInteger, parseInstant, parseJsonObject } from '../../cli/flag-values.ts';
import { formatRanges, Output, relativeTime, truncate, visibleWidth } from '../../cli/output.ts';
import { Capture } from './run-cli.ts';

/** Rendering and value parsing, without a network. */
const NOW = Date.parse('2026-05-01T12:00:00Z');

describe('relativeTime', () => {
  it.each([
    ['2026-05-01T12:00:00Z', 'now'],
    ['2026-05-01T11:59:55Z', '5s ago'],
    ['2026-05-01T11:55:00Z', '5m ago'],
    ['2026-05-01T09:30:00Z', '2h ago'],
    ['2026-04-28T12:00:00Z', '3d ago'],
    ['2026-05-01T12:00:30Z', 'in 30s'],
    ['2026-05-01T14:00:00Z', 'in 2h'],
    [null, '-'],
  ])('%s -> %s', (iso, expected) => {
    expect(relativeTime(iso, NOW)).toBe(expected);
  });
});

describe('formatRanges', () => {
  it.each([
    [[], ''],
    [[7], '7'],
    [[12, 40, 41, 42, 43, 77], '12, 40-43, 77'],
    [[5, 3, 4, 1], '1, 3-5'],
  ])('%j -> %s', (numbers, expected) => {
    expect(formatRanges(numbers)).toBe(expected);
  });
});

describe('flag values', () => {
  it.each([
    ['250', 'ms', 250],
    ['250ms', 'ms', 250],
    ['2s', 'ms', 2000],
    ['1.5m', 'ms', 90_000],
    ['1h', 'ms', 3_600_000],
    ['2', 's', 2000],
  ] as const)('parseDuration(%s, bare %s) = %d', (text, unit, expected) => {
    expect(parseDuration(text, '--x', unit)).toBe(expected);
  });

  it.each([
    () => parseDuration('soon', '--x'),
    () => parseDuration('-5s', '--x'),
    () => parseInteger('0', '--limit'),
    () => parseInteger('2.5', '--limit'),
    () => parseChoice('urgent', '--priority', ['high', 'low']),
    () => parseInstant('yesterday', '--run-at'),
    () => parseJsonObject('"text"', '--metadata'),
  ])('refuses bad values as usage errors (%#)', (parse) => {
    expect(parse).toThrow(CliUsageError);
  });

  it('matches choices case-insensitively and normalizes instants', () => {
    expect(parseChoice('HIGH', '--priority', ['critical', 'high'])).toBe('high');
    expect(parseInstant('2026-05-01T14:00:00+02:00', '--run-at')).toBe('2026-05-01T12:00:00.000Z');
  });
});

describe('Output', () => {
  const rows = [
    { name: 'a', count: 5, note: 'short' },
    { name: 'longer-name', count: 1234, note: 'x'.repeat(50) },
  ];
  const columns = [
    { header: 'NAME', value: (r: (typeof rows)[number]) => r.name },
    { header: 'COUNT', value: (r: (typeof rows)[number]) => String(r.count), align: 'right' as const },
    { header: 'NOTE', value: (r: (typeof rows)[number]) => r.note, maxWidth: 10 },
  ];

  it('aligns columns, right-aligns numbers and cuts long cells', () => {
    const stdout = new Capture();
    new Output(stdout, new Capture(), {}).table(columns, rows);
    expect(stdout.text).toBe(['NAME         COUNT  NOTE', 'a                5  short', 'longer-name   1234  xxxxxxxxx…', ''].join('\n'));
  });

  it('aligns by visible width when cells are coloured', () => {
    const stdout = new Capture(true);
    const out = new Output(stdout, new Capture(true), {});
    out.table([{ header: 'S', value: (r: string) => r, style: () => 'red' as const }, { header: 'N', value: () => '1' }], ['DEAD', 'OK']);
    const lines = stdout.text.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    expect(lines.slice(0, 3)).toEqual(['S     N', 'DEAD  1', 'OK    1']);
    expect(stdout.text).toContain('\x1b[31mDEAD\x1b[39m');
  });

  it('counts the width of text without its escapes', () => {
    expect(visibleWidth('\x1b[32mok\x1b[39m')).toBe(2);
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('writes the error line to stderr, and a progress bar only on a terminal', () => {
    const plain = { stdout: new Capture(), stderr: new Capture() };
    const out = new Output(plain.stdout, plain.stderr, {});
    out.error('job x does not exist', ['NOT_FOUND', 'requestId r-1']);
    const bar = out.progress('sending', 10);
    bar.update(10);
    bar.finish();
    expect(plain.stderr.text).toBe('skyforge: job x does not exist (NOT_FOUND, requestId r-1)\n');
    expect(plain.stdout.text).toBe('');

    const tty = new Capture(true);
    const live = new Output(new Capture(true), tty, {}).progress('sending', 10);
    live.update(5);
    live.update(10);
    live.finish();
    expect(tty.text).toContain('sending');
    expect(tty.text).toContain('10/10 100%');
    expect(tty.text.endsWith('\r\x1b[2K')).toBe(true);
  });
});
