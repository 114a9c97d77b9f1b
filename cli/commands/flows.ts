import { FlowWaitTimeoutError, type FlowCreateInput, type FlowView, type UntypedJobs } from '../client/index.ts';
import { defineCommand, type CommandContext } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { parseJson } from '../flag-values.ts';
import { flowFailure, printFlow } from '../flow-views.ts';
import { formatDuration } from '../output.ts';
import { readSource } from './enqueue-file.ts';
import { WAIT_FLAG_TIMEOUT_OPTION, WAIT_TIMEOUT_OPTION, waitFlagTimeoutMs, waitTimeoutMs } from './wait.ts';

const POLL_MS = 250;

/** The flow of a file: the POST /flows body `{ jobs, idempotencyKey? }`, or just the array of jobs. */
export function flowFromText(text: string, path: string): FlowCreateInput<UntypedJobs> {
  const document = parseJson(text, path);
  const body = Array.isArray(document) ? { jobs: document } : document;
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { jobs?: unknown }).jobs)) {
    throw new CliUsageError(`${path}: expected a flow, {"jobs": [{"ref": ..., "type": ..., "dependsOn": [...]}, ...]} (see examples/flow.json)`);
  }
  return body as FlowCreateInput<UntypedJobs>;
}

function report(ctx: CommandContext, flow: FlowView): void {
  if (ctx.json) ctx.out.json(flow);
  else printFlow(ctx.out, flow);
}

/**
 * Waits for a flow to finish and reports it like `waitForJob` does a job: the flow on stdout, and
 * unless it SUCCEEDED one stderr line naming the jobs that did not. 0 for SUCCEEDED, 1 otherwise
 * (FAILED, CANCELLED, or still running at the timeout: then the last state seen is printed).
 */
export async function waitForFlow(ctx: CommandContext, id: string, timeoutMs: number): Promise<number> {
  if (!ctx.json && ctx.out.stderr.isTTY) ctx.out.note(`waiting for flow ${id} (up to ${formatDuration(timeoutMs)}; Ctrl-C stops waiting, not the flow)...`);
  let flow: FlowView;
  try {
    flow = await ctx.client().flows.wait(id, { timeoutMs, pollMs: POLL_MS });
  } catch (error) {
    if (error instanceof FlowWaitTimeoutError && error.flow) report(ctx, error.flow);
    throw error;
  }
  report(ctx, flow);
  if (flow.status === 'SUCCEEDED') return EXIT.OK;
  const why = flowFailure(flow);
  ctx.out.error(`flow ${flow.id} ended ${flow.status}${why ? `: ${why}` : ''}`, [`FLOW_${flow.status}`]);
  return EXIT.FAILED;
}

export const flowsCreateCommand = defineCommand({
  name: 'flows create',
  summary: 'Create a flow, jobs that depend on jobs, from a JSON file; --wait waits for all of them.',
  usage: ['flows create --file <flow.json | -> [--idempotency-key <key>] [--wait [--wait-timeout-ms <duration>]]'],
  description: [
    'The file is the body of POST /flows: {"jobs": [...], "idempotencyKey"?: "..."} (a bare array of jobs works too).',
    'Each job is a POST /jobs body plus "ref" (unique in the flow), "dependsOn" (refs) and',
    '"onDependencyFailure": "cancel" (default) or "run". A job starts once all its dependencies SUCCEEDED;',
    'at most 100 jobs, no cycles. See examples/flow.json and docs/flows-guide.md.',
    'With --wait the exit code is 0 when every job SUCCEEDED, 1 when the flow ended FAILED or CANCELLED',
    '(stderr names the jobs) or was still running at the timeout.',
  ].join('\n'),
  options: {
    file: { type: 'string', short: 'f', value: '<path>', description: 'the flow as JSON ("-": stdin)' },
    'idempotency-key': { type: 'string', value: '<key>', description: "the flow's key (overrides the file's); the same key again answers the same flow" },
    wait: { type: 'boolean', description: 'wait for the flow to finish; exit 1 unless it SUCCEEDED' },
    'wait-timeout-ms': WAIT_FLAG_TIMEOUT_OPTION,
  },
  positionals: { min: 0, max: 0 },
  examples: ['skyforge flows create --file examples/flow.json --wait', 'skyforge flows create -f flow.json --idempotency-key order-42 --json | jq -r .id'],
  run: async (ctx) => {
    const { args } = ctx;
    const path = args.string('file');
    if (path === undefined || path === '') throw new CliUsageError('flows create needs --file <flow.json> ("-" reads stdin)');
    const timeoutMs = waitFlagTimeoutMs(args);
    const input = flowFromText(await readSource(ctx, path), path);
    const key = args.string('idempotency-key');
    const flow = await ctx.client().flows.create(input, key === undefined ? {} : { idempotencyKey: key });
    if (!args.flag('wait')) {
      report(ctx, flow);
      return EXIT.OK;
    }
    if (!ctx.json) ctx.out.note(`created flow ${flow.id} (${Object.keys(flow.jobs).length} jobs)`);
    return waitForFlow(ctx, flow.id, timeoutMs);
  },
});

export const flowsStatusCommand = defineCommand({
  name: 'flows status',
  summary: "Show a flow: its status and each job's ref, type, status, dependencies and attempts.",
  usage: ['flows status <id>'],
  description: 'Jobs are listed dependencies first. `skyforge status <job id>` shows one of them in full.',
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    report(ctx, await ctx.client().flows.get(ctx.args.positional(0) as string));
    return EXIT.OK;
  },
});

export const flowsWaitCommand = defineCommand({
  name: 'flows wait',
  summary: 'Wait for a flow to finish: exit 0 if every job SUCCEEDED, 1 if it FAILED, was CANCELLED or still runs at the timeout.',
  usage: ['flows wait <id> [--timeout-ms <duration>]'],
  options: { 'timeout-ms': WAIT_TIMEOUT_OPTION },
  positionals: { min: 1, max: 1 },
  examples: ['skyforge flows retry 01KC... && skyforge flows wait 01KC... --timeout-ms 5m'],
  run: async (ctx) => waitForFlow(ctx, ctx.args.positional(0) as string, waitTimeoutMs(ctx.args)),
});

export const flowsCancelCommand = defineCommand({
  name: 'flows cancel',
  summary: 'Cancel every unfinished job of a flow (running handlers see their AbortSignal fire).',
  usage: ['flows cancel <id> [--reason <text>]'],
  options: { reason: { type: 'string', value: '<text>', description: "kept on each cancelled job as its cancelReason" } },
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    report(ctx, await ctx.client().flows.cancel(ctx.args.positional(0) as string, ctx.args.string('reason')));
    return EXIT.OK;
  },
});

export const flowsRetryCommand = defineCommand({
  name: 'flows retry',
  summary: 'Replay the DEAD jobs of a flow; the jobs they cancelled wait for them again (BLOCKED).',
  usage: ['flows retry <id>'],
  options: {},
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    report(ctx, await ctx.client().flows.retry(ctx.args.positional(0) as string));
    return EXIT.OK;
  },
});
