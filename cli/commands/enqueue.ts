import { PRIORITIES } from '../../shared/config/definitions.ts';
import type { BackoffPolicy, EnqueueOptions } from '../client/index.ts';
import { defineCommand, type Args, type CommandContext } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { parseChoice, parseDuration, parseInteger, parseInstant, parseJson, parseJsonObject } from '../flag-values.ts';
import { enqueueFile } from './enqueue-file.ts';
import { WAIT_FLAG_TIMEOUT_OPTION, waitFlagTimeoutMs, waitForJob } from './wait.ts';

/** The job options of the flags (also the defaults of every line of `--file`). */
function jobOptions(args: Args): EnqueueOptions {
  const options: EnqueueOptions = {};
  const priority = args.string('priority');
  if (priority !== undefined) options.priority = parseChoice(priority, '--priority', PRIORITIES);
  const maxAttempts = args.string('max-attempts');
  if (maxAttempts !== undefined) options.maxAttempts = parseInteger(maxAttempts, '--max-attempts');
  const timeout = args.string('timeout-ms');
  if (timeout !== undefined) options.timeoutMs = parseDuration(timeout, '--timeout-ms');
  const delay = args.string('delay-ms');
  const runAt = args.string('run-at');
  if (delay !== undefined && runAt !== undefined) throw new CliUsageError('give --delay-ms or --run-at, not both');
  if (delay !== undefined) options.delayMs = parseDuration(delay, '--delay-ms');
  if (runAt !== undefined) options.runAt = parseInstant(runAt, '--run-at');
  const key = args.string('idempotency-key');
  if (key !== undefined) options.idempotencyKey = key;
  const metadata = args.string('metadata');
  if (metadata !== undefined) options.metadata = parseJsonObject(metadata, '--metadata');
  const backoff = args.string('backoff');
  if (backoff !== undefined) options.backoff = parseJsonObject(backoff, '--backoff') as Partial<BackoffPolicy>;
  return options;
}

export const enqueueCommand = defineCommand({
  name: 'enqueue',
  summary: 'Submit a job, or every line of an NDJSON file.',
  usage: ['enqueue <type> [payload-json] [options] [--wait [--wait-timeout-ms <duration>]]', 'enqueue --file <jobs.ndjson | -> [options]'],
  description: [
    'With --file, each line is one POST /jobs body ({"type": ..., "payload": ..., "priority": ...});',
    'blank lines are skipped. Jobs go through /jobs/batch 100 at a time, with a progress bar on a',
    'terminal; the summary lists the lines that failed by number, and the exit code is 1 when any',
    'did. Flags given with --file are defaults that each line can override. "-" reads stdin.',
    '',
    'Durations (--delay-ms, --timeout-ms, --wait-timeout-ms) are milliseconds, or take a unit: 500ms, 30s, 5m, 1h.',
  ].join('\n'),
  options: {
    priority: { type: 'string', value: '<p>', description: `queue: ${PRIORITIES.join(', ')} (default: the type's, else normal)` },
    'max-attempts': { type: 'string', value: '<n>', description: 'attempts before the job is DEAD (default 3)' },
    'delay-ms': { type: 'string', value: '<duration>', description: 'first attempt no sooner than this from now' },
    'run-at': { type: 'string', value: '<instant>', description: 'first attempt at this ISO-8601 instant (not with --delay-ms)' },
    'timeout-ms': { type: 'string', value: '<duration>', description: "each attempt's time limit (default 30s)" },
    'idempotency-key': { type: 'string', value: '<key>', description: 'submit at most once: the same key answers the existing job' },
    metadata: { type: 'string', value: '<json>', description: 'a JSON object stored with the job' },
    backoff: { type: 'string', value: '<json>', description: 'e.g. {"type":"fixed","delayMs":500}' },
    wait: { type: 'boolean', description: 'wait for the job to finish; exit 1 unless it SUCCEEDED' },
    'wait-timeout-ms': WAIT_FLAG_TIMEOUT_OPTION,
    file: { type: 'string', short: 'f', value: '<path>', description: 'NDJSON file of job bodies, one per line ("-": stdin)' },
  },
  positionals: { min: 0, max: 2 },
  examples: [
    `skyforge enqueue demo.echo '{"hello":"world"}'`,
    `skyforge enqueue demo.sleep '{"ms":2000}' --priority high --wait`,
    'skyforge enqueue --file jobs.ndjson --priority low',
  ],
  run: async (ctx: CommandContext) => {
    const { args } = ctx;
    const file = args.string('file');
    const options = jobOptions(args);
    const waitTimeoutMs = waitFlagTimeoutMs(args);
    if (file !== undefined) {
      if (args.positionals.length) throw new CliUsageError('give a type and payload, or --file, not both');
      if (args.flag('wait')) throw new CliUsageError('--wait takes one job; it does not go with --file');
      if (options.idempotencyKey !== undefined) throw new CliUsageError('--idempotency-key names one job; put an idempotencyKey on each line instead');
      return enqueueFile(ctx, file, options);
    }
    const type = args.positional(0);
    if (type === undefined) throw new CliUsageError('enqueue needs a job type (or --file)');
    const payloadText = args.positional(1);
    const payload = payloadText === undefined ? undefined : parseJson(payloadText, 'the payload');

    const job = await ctx.client().enqueue(type, payload, options);
    if (args.flag('wait')) {
      if (!ctx.json) ctx.out.note(`enqueued ${job.id}`);
      return waitForJob(ctx, job.id, waitTimeoutMs);
    }
    if (ctx.json) ctx.out.json(job);
    else ctx.out.line(`enqueued ${job.id} (${job.type}, ${job.priority}): ${job.status}`);
    return EXIT.OK;
  },
});
