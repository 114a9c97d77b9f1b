import { setTimeout as sleep } from 'node:timers/promises';
import { ServerError, RateLimitedError, NetworkError, type Stats } from '../client/index.ts';
import { defineCommand, type CommandContext } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { parseDuration } from '../flag-values.ts';
import { formatDuration, truncate, visibleWidth } from '../output.ts';
import { statsLines } from './stats.ts';

export const DEFAULT_INTERVAL_MS = 2000;
const MIN_INTERVAL_MS = 200;

const CURSOR_HIDE = '\x1b[?25l';
const CURSOR_SHOW = '\x1b[?25h';

/** Failures a live view rides out (shown in the frame, retried next tick); anything else ends it. */
function isTransient(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof ServerError || error instanceof RateLimitedError;
}

export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'A live table of queue depths and job counts, refreshed every --interval; Ctrl-C exits 0.',
  usage: ['watch [--interval <duration>] [--once]'],
  description: [
    'On a terminal the table is redrawn in place; otherwise each refresh is appended. With --json,',
    'each refresh is one line of JSON ({"at", "queues", "jobs"}); with --once, one document.',
    'Network and 5xx errors are shown and retried; other API errors (such as auth) end it with exit 3.',
  ].join('\n'),
  options: {
    interval: { type: 'string', short: 'n', value: '<duration>', description: `time between refreshes: 2s, 500ms, 1m; a bare number is seconds (default ${formatDuration(DEFAULT_INTERVAL_MS)})` },
    once: { type: 'boolean', description: 'draw one frame and exit (scripts, tests)' },
  },
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const raw = ctx.args.string('interval');
    const intervalMs = raw === undefined ? DEFAULT_INTERVAL_MS : parseDuration(raw, '--interval', 's');
    if (intervalMs < MIN_INTERVAL_MS) throw new CliUsageError(`--interval must be at least ${MIN_INTERVAL_MS}ms`);
    return ctx.args.flag('once') ? watchOnce(ctx) : watchLoop(ctx, intervalMs);
  },
});

async function watchOnce(ctx: CommandContext): Promise<number> {
  const stats = await ctx.client().stats();
  if (ctx.json) ctx.out.json(frameDocument(ctx, stats));
  else for (const line of frame(ctx, stats, undefined, undefined, undefined)) ctx.out.line(line);
  return EXIT.OK;
}

async function watchLoop(ctx: CommandContext, intervalMs: number): Promise<number> {
  const { out } = ctx;
  const signal = ctx.interrupted();
  const interrupted = new Promise<'interrupted'>((resolve) => {
    if (signal.aborted) resolve('interrupted');
    signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
  const live = out.stdout.isTTY === true && !ctx.json;
  let drawnLines = 0;
  let previous: Stats | undefined;
  let current: Stats | undefined;
  if (live) out.stdout.write(CURSOR_HIDE);
  try {
    while (!signal.aborted) {
      let problem: string | undefined;
      const answer = await Promise.race([ctx.client().stats().then((s) => ({ stats: s }), (error: unknown) => ({ error })), interrupted]);
      if (answer === 'interrupted') break;
      if ('error' in answer) {
        if (!isTransient(answer.error)) throw answer.error;
        problem = (answer.error as Error).message;
      } else {
        previous = current;
        current = answer.stats;
      }

      if (ctx.json) {
        out.stdout.write(`${JSON.stringify(current ? { ...frameDocument(ctx, current), ...(problem ? { error: problem } : {}) } : { at: new Date(ctx.now()).toISOString(), error: problem })}\n`);
      } else {
        const lines = current ? frame(ctx, current, previous, intervalMs, problem) : [header(ctx, intervalMs, problem)];
        if (live) {
          const width = out.stdout.columns ?? 0;
          const fitted = width > 0 ? lines.map((l) => (visibleWidth(l) > width ? truncate(l.replace(/\x1b\[[0-9;]*m/g, ''), width) : l)) : lines;
          // Back to the top of the previous frame, clear to the end of the screen, draw again.
          out.stdout.write(`${drawnLines ? `\x1b[${drawnLines}A\r\x1b[J` : ''}${fitted.join('\n')}\n`);
          drawnLines = fitted.length;
        } else {
          for (const line of lines) out.line(line);
          out.line();
        }
      }
      try {
        await sleep(intervalMs, undefined, { signal });
      } catch {
        break; // Ctrl-C
      }
    }
  } finally {
    if (live) out.stdout.write(CURSOR_SHOW);
  }
  return EXIT.OK;
}

function frameDocument(ctx: CommandContext, stats: Stats): { at: string } & Stats {
  return { at: new Date(ctx.now()).toISOString(), ...stats };
}

function header(ctx: CommandContext, intervalMs: number | undefined, problem: string | undefined): string {
  const { out } = ctx;
  const parts = [out.paint('SkyForge', 'bold'), ctx.connection().baseUrl, new Date(ctx.now()).toISOString().replace('T', ' ').slice(0, 19) + 'Z'];
  if (intervalMs !== undefined) parts.push(out.paint(`every ${formatDuration(intervalMs)}, Ctrl-C to quit`, 'dim'));
  const line = parts.join('  ');
  return problem ? `${line}\n${out.paint(`! ${problem} (retrying)`, 'yellow')}` : line;
}

function frame(ctx: CommandContext, stats: Stats, previous: Stats | undefined, intervalMs: number | undefined, problem: string | undefined): string[] {
  return [...header(ctx, intervalMs, problem).split('\n'), '', ...statsLines(ctx.out, stats, previous)];
}
