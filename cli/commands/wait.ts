import { WaitTimeoutError, type JobView } from '../client/index.ts';
import { defineCommand, type Args, type CommandContext, type OptionSpec } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { parseDuration } from '../flag-values.ts';
import { printJob } from '../job-views.ts';
import { formatDuration } from '../output.ts';

/** How long `wait` and `enqueue --wait` wait unless told otherwise. */
export const CLI_WAIT_TIMEOUT_MS = 600_000;
const POLL_MS = 250;

/** `--timeout-ms` of `wait` and `flows wait`. */
export const WAIT_TIMEOUT_OPTION: OptionSpec = {
  type: 'string',
  value: '<duration>',
  description: `how long to wait: 30000, 30s, 5m (default ${formatDuration(CLI_WAIT_TIMEOUT_MS)})`,
};

/** `--wait-timeout-ms` of the commands that take `--wait` (enqueue, flows create). */
export const WAIT_FLAG_TIMEOUT_OPTION: OptionSpec = { type: 'string', value: '<duration>', description: `how long --wait waits (default ${formatDuration(CLI_WAIT_TIMEOUT_MS)})` };

/** `wait`'s and `flows wait`'s `--timeout-ms`, or the default. */
export function waitTimeoutMs(args: Args): number {
  const raw = args.string('timeout-ms');
  return raw === undefined ? CLI_WAIT_TIMEOUT_MS : parseDuration(raw, '--timeout-ms');
}

/**
 * `--wait-timeout-ms`, or the default; refused without `--wait`. Parse it before submitting
 * anything: a typo must not leave a job behind.
 */
export function waitFlagTimeoutMs(args: Args): number {
  const raw = args.string('wait-timeout-ms');
  if (raw !== undefined && !args.flag('wait')) throw new CliUsageError('--wait-timeout-ms goes with --wait');
  return raw === undefined ? CLI_WAIT_TIMEOUT_MS : parseDuration(raw, '--wait-timeout-ms');
}

/**
 * Waits for a job to finish and reports it: the job on stdout (the detail view, or the JSON
 * document), and for DEAD or CANCELLED also one line on stderr. Answers 0 for SUCCEEDED and 1
 * otherwise, including a timeout (then the last state seen is printed when there is one).
 */
export async function waitForJob(ctx: CommandContext, id: string, timeoutMs: number): Promise<number> {
  if (!ctx.json && ctx.out.stderr.isTTY) ctx.out.note(`waiting for job ${id} (up to ${formatDuration(timeoutMs)}; Ctrl-C stops waiting, not the job)...`);
  let job: JobView;
  try {
    job = await ctx.client().waitFor(id, { timeoutMs, pollMs: POLL_MS });
  } catch (error) {
    if (error instanceof WaitTimeoutError && error.job) report(ctx, error.job);
    throw error;
  }
  report(ctx, job);
  if (job.status === 'SUCCEEDED') return EXIT.OK;
  const why = job.status === 'DEAD' ? (job.deadReason ?? job.lastError?.message) : job.cancelReason;
  ctx.out.error(`job ${job.id} ended ${job.status}${why ? `: ${why}` : ''}`, [`JOB_${job.status}`]);
  return EXIT.FAILED;
}

function report(ctx: CommandContext, job: JobView): void {
  if (ctx.json) ctx.out.json(job);
  else printJob(ctx.out, job, ctx.now());
}

export const waitCommand = defineCommand({
  name: 'wait',
  summary: 'Wait for a job to finish: exit 0 if it SUCCEEDED, 1 if DEAD, CANCELLED or still running at the timeout.',
  usage: ['wait <id> [--timeout-ms <duration>]'],
  options: { 'timeout-ms': WAIT_TIMEOUT_OPTION },
  positionals: { min: 1, max: 1 },
  examples: ['skyforge wait 01JV3Z... --timeout-ms 2m && echo done'],
  run: async (ctx) => waitForJob(ctx, ctx.args.positional(0) as string, waitTimeoutMs(ctx.args)),
});
