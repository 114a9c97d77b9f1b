/**
 * Everything the CLI writes: JSON documents, aligned tables, key/value blocks, relative times,
 * colours and the progress bar. Data goes to stdout; hints, progress and errors go to stderr, so
 * `skyforge list | awk ...` and `skyforge list --json | jq ...` only ever see data.
 */

/** The part of a stream the CLI writes to (process.stdout, or a test's capture). */
export interface CliStream {
  write(chunk: string): unknown;
  /** True on a terminal: colours, redraws and progress bars only then. */
  isTTY?: boolean;
  columns?: number;
}

export const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;
export type Style = keyof typeof STYLES;

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The width of `text` on a terminal: ANSI escapes take none. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** Cuts `text` to `max` characters, ending with an ellipsis when it was longer. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * Whether to colour a stream: only on a terminal, and never when NO_COLOR is set to anything
 * (https://no-color.org).
 */
export function colorEnabled(stream: CliStream, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && !env['NO_COLOR'];
}

/**
 * "3s ago", "5m ago", "in 2h": how far `iso` is from `now`, to the largest whole unit.
 * `-` for null (the API's "not set").
 *
 * @example
 * relativeTime('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z')); // '5m ago'
 */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 1) return 'now';
  const [amount, unit] =
    abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.floor(abs / 60), 'm'] : abs < 86_400 ? [Math.floor(abs / 3600), 'h'] : [Math.floor(abs / 86_400), 'd'];
  return seconds < 0 ? `${amount}${unit} ago` : `in ${amount}${unit}`;
}

/** "500ms", "2.5s", "3m 20s": a duration for people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes}m ${seconds}s` : `${minutes}m`;
}

/** "12, 40-43, 77": sorted line numbers with consecutive runs folded. */
export function formatRanges(numbers: readonly number[]): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j += 1;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis. */
  maxWidth?: number;
  style?: (row: Row) => Style | undefined;
}

/** A progress bar on stderr; does nothing when stderr is not a terminal. */
export interface Progress {
  /** Sets how far along it is; `note` is shown after the count (e.g. "3 failed"). */
  update(done: number, note?: string): void;
  /** Sets or changes the total (unknown totals show a plain counter). */
  setTotal(total: number): void;
  /** Erases the bar. */
  finish(): void;
}

const BAR_WIDTH = 28;
const REDRAW_EVERY_MS = 80;

export class Output {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Colours on stdout. */
  readonly color: boolean;
  private readonly errorColor: boolean;

  constructor(stdout: CliStream, stderr: CliStream, env: Readonly<Record<string, string | undefined>>) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.color = colorEnabled(stdout, env);
    this.errorColor = colorEnabled(stderr, env);
  }

  /** The one JSON document of `--json`. */
  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A hint or notice for people (stderr, so that stdout stays data). */
  note(text: string): void {
    this.stderr.write(`${this.errorColor ? paint(text, 'dim') : text}\n`);
  }

  /** The one-line error format: `skyforge: <message> (CODE, requestId ...)`. */
  error(message: string, tags: readonly string[] = []): void {
    const suffix = tags.length ? ` (${tags.join(', ')})` : '';
    const text = `skyforge: ${message}${suffix}`;
    this.stderr.write(`${this.errorColor ? paint(text, 'red') : text}\n`);
  }

  /** `text` in `style` when stdout is coloured. */
  paint(text: string, style: Style | undefined): string {
    return this.color && style && text !== '' ? paint(text, style) : text;
  }

  /** Aligned columns with a header row; `empty` is printed instead when there are no rows. */
  table<Row>(columns: readonly Column<Row>[], rows: readonly Row[], empty = '(none)'): void {
    for (const line of this.tableLines(columns, rows, empty)) this.line(line);
  }

  tableLines<Row>(columns: readonly Column<Row>[], rows: readonly Row[], empty = '(none)'): string[] {
    if (rows.length === 0) return [this.paint(empty, 'dim')];
    const cells = rows.map((row) => columns.map((c) => (c.maxWidth ? truncate(c.value(row), c.maxWidth) : c.value(row))));
    const widths = columns.map((c, i) => Math.max(visibleWidth(c.header), ...cells.map((r) => visibleWidth(r[i] ?? ''))));
    const pad = (text: string, i: number, align: 'left' | 'right' | undefined): string => {
      const gap = ' '.repeat((widths[i] ?? 0) - visibleWidth(text));
      return align === 'right' ? gap + text : i === columns.length - 1 ? text : text + gap;
    };
    const header = columns.map((c, i) => pad(c.header, i, c.align)).join('  ');
    const lines = [this.paint(header, 'bold')];
    rows.forEach((row, r) => {
      lines.push(
        columns
          .map((c, i) => {
            const text = cells[r]?.[i] ?? '';
            return pad(this.paint(text, c.style?.(row)), i, c.align);
          })
          .join('  ')
          .trimEnd(),
      );
    });
    return lines;
  }

  /** `key: value` lines with the values aligned; null values are left out. */
  keyValues(pairs: readonly (readonly [string, string | null | undefined])[]): void {
    const shown = pairs.filter((p): p is readonly [string, string] => p[1] !== null && p[1] !== undefined);
    const width = Math.max(0, ...shown.map(([k]) => k.length));
    for (const [key, value] of shown) this.line(`${this.paint(`${key}:`.padEnd(width + 1), 'dim')}  ${value}`);
  }

  /** A progress bar on stderr (a no-op off a terminal, so pipes and logs stay clean). */
  progress(label: string, total?: number): Progress {
    if (this.stderr.isTTY !== true) return { update: () => undefined, setTotal: () => undefined, finish: () => undefined };
    const stream = this.stderr;
    const color = this.errorColor;
    let knownTotal = total;
    let lastDraw = 0;
    let drawn = false;
    const draw = (done: number, note: string | undefined, force: boolean): void => {
      const now = Date.now();
      if (!force && now - lastDraw < REDRAW_EVERY_MS) return;
      lastDraw = now;
      drawn = true;
      let text: string;
      if (knownTotal && knownTotal > 0) {
        const ratio = Math.min(1, done / knownTotal);
        const filled = Math.round(ratio * BAR_WIDTH);
        const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
        text = `${label} ${color ? paint(bar, 'cyan') : bar} ${done}/${knownTotal} ${String(Math.floor(ratio * 100)).padStart(3)}%`;
      } else {
        text = `${label} ${done}`;
      }
      if (note) text += `  ${note}`;
      stream.write(`\r\x1b[2K${text}`);
    };
    return {
      update: (done, note) => draw(done, note, knownTotal !== undefined && done >= knownTotal),
      setTotal: (value) => {
        knownTotal = value;
      },
      finish: () => {
        if (drawn) stream.write('\r\x1b[2K');
      },
    };
  }
}

function paint(text: string, style: Style): string {
  const [open, close] = STYLES[style];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}
