import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClientConfig } from '../local/aws-client-config.ts';
import { startLocalCloud, type LocalCloud, type LocalCloudUsage } from '../local/cloud.ts';
import { itemSizeBytes, type WireItem } from '../local/dynamodb-item-size.ts';
import { internalDynamoDbCall, markInternal } from '../local/internal-client.ts';
import { DynamoDbJobCounters } from '../shared/adapters/dynamodb/dynamodb-job-counters.ts';
import { DynamoDbJobStore } from '../shared/adapters/dynamodb/dynamodb-job-store.ts';
import { jobKey } from '../shared/adapters/dynamodb/job-item.ts';
import { COUNTERS } from '../shared/domain/metrics.ts';
import { total } from '../shared/domain/metrics.ts';
import { usageBetween } from './cost.ts';
import { summarize, type Summary } from './stats.ts';

/** A job body as POST /jobs takes it. */
export type JobBody = Record<string, unknown>;

const TERMINAL = ['SUCCEEDED', 'DEAD', 'CANCELLED'];
/** Requests in flight while submitting: a busy client, not a flood. */
const SINGLE_CONCURRENCY = 16;
const BATCH_CONCURRENCY = 4;
const BATCH_SIZE = 100;
const RUN_TIMEOUT_MS = 10 * 60_000;

/**
 * The local cloud as the benchmark drives it: started in this process with the functions'
 * EMF output on (and captured: what CloudWatch Logs would ingest), plus an internal view of the
 * table (job items and counters) that the edge neither counts nor meters, so watching a run
 * costs the run nothing.
 */
export class BenchCloud {
  readonly emf = { bytes: 0, documents: 0 };
  private restoreStdout: () => void = () => undefined;

  private constructor(
    readonly cloud: LocalCloud,
    private readonly store: DynamoDbJobStore,
    private readonly counters: DynamoDbJobCounters,
    private readonly client: DynamoDBClient,
  ) {}

  static async start(options: { iam?: boolean } = {}): Promise<BenchCloud> {
    const cloud = await startLocalCloud({
      port: 0,
      edgePort: 0,
      memory: true,
      quiet: true,
      iam: options.iam ?? true,
      env: { POWERTOOLS_METRICS_DISABLED: 'false' },
    });
    const client = markInternal(new DynamoDBClient(localClientConfig(cloud.edgeUrl)));
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const tableName = cloud.resources.tableName;
    const bench = new BenchCloud(
      cloud,
      new DynamoDbJobStore({ client: doc, tableName }),
      new DynamoDbJobCounters({ client: doc, tableName }),
      client,
    );
    bench.captureEmf();
    return bench;
  }

  /** Counts (and keeps off the terminal) the EMF documents the functions write to stdout. */
  private captureEmf(): void {
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (text.startsWith('{"_aws"')) {
        for (const line of text.split('\n')) {
          if (line.length === 0) continue;
          this.emf.bytes += Buffer.byteLength(line);
          this.emf.documents += 1;
        }
        return true;
      }
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    this.restoreStdout = () => {
      process.stdout.write = original;
    };
  }

  usage(): LocalCloudUsage {
    return this.cloud.usage();
  }

  /** Jobs that reached SUCCEEDED, DEAD or CANCELLED so far, from the counters. */
  async finishedCount(): Promise<{ succeeded: number; dead: number; cancelled: number }> {
    const groups = await this.counters.read();
    return { succeeded: total(groups, COUNTERS.succeeded), dead: total(groups, COUNTERS.dead), cancelled: total(groups, COUNTERS.cancelled) };
  }

  async job(id: string): Promise<{ status: string; finishedAt: string | null } | null> {
    return this.store.get(id, Date.now());
  }

  /** The size of a job's item by DynamoDB's rules. */
  async itemBytes(id: string): Promise<number> {
    const response = await internalDynamoDbCall(this.cloud.edgeUrl, 'GetItem', {
      TableName: this.cloud.resources.tableName,
      Key: { pk: { S: jobKey(id).pk }, sk: { S: jobKey(id).sk } },
      ConsistentRead: true,
    });
    const item = (JSON.parse(response.body) as { Item?: WireItem }).Item;
    if (!item) throw new Error(`job ${id} is not in the table`);
    return itemSizeBytes(item);
  }

  async submitOne(body: JobBody): Promise<string> {
    const response = await fetch(`${this.cloud.apiUrl}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { id?: string };
    if (response.status !== 201 || !answer.id) throw new Error(`POST /jobs answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer.id;
  }

  async submitBatch(bodies: JobBody[]): Promise<string[]> {
    const response = await fetch(`${this.cloud.apiUrl}/jobs/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobs: bodies }),
    });
    const answer = (await response.json()) as { results?: Array<{ status: number; job?: { id: string }; error?: unknown }> };
    const ids = (answer.results ?? []).map((r) => r.job?.id);
    if (response.status !== 200 || ids.length !== bodies.length || ids.some((id) => !id)) {
      throw new Error(`POST /jobs/batch answered ${response.status}: ${JSON.stringify(answer).slice(0, 500)}`);
    }
    return ids as string[];
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.cloud.stop();
    this.restoreStdout();
  }
}

/** A 1 KB-ish payload: `{ data: 'xxx...' }` whose JSON is `bytes` long. */
export function payloadOf(bytes: number): { data: string } {
  return { data: 'x'.repeat(Math.max(0, bytes - '{"data":""}'.length)) };
}

/**
 * The jobs of a workload. `mix`: 10% fail once and succeed on their retry, 2% fail every attempt
 * and end DEAD (dead-lettered); their payload is padded to the same size. Retries wait 1 s.
 */
export function workloadBodies(jobs: number, payloadBytes: number, mix: boolean, flow?: FlowWorkload): JobBody[] {
  const echo = { type: 'demo.echo', payload: payloadOf(payloadBytes) };
  if (flow !== undefined) return Array.from({ length: jobs }, (_, i) => ({ ...echo, flowControl: flowControlOf(flow, i) }));
  const message = 'x'.repeat(Math.max(1, Math.min(1000, payloadBytes - 60)));
  const retry = { type: 'fixed', delayMs: 1000 };
  return Array.from({ length: jobs }, (_, i) => {
    if (!mix) return echo;
    if (i % 50 === 7) return { type: 'demo.fail', payload: { message }, maxAttempts: 2, backoff: retry };
    if (i % 10 === 3) return { type: 'demo.fail', payload: { failTimes: 1, message }, maxAttempts: 3, backoff: retry };
    return echo;
  });
}

/**
 * Flow-control workloads (docs/flow-control.md): `open`: 10 tenant keys with parallelism 100 and
 * rate 1000/s, limits that are checked for every job but never hit (the price of checking);
 * `rate`: one key at 40 starts per second for a shared third-party API, below what the local
 * cloud runs, so most jobs wait for a later window (the price of throttling).
 */
export type FlowWorkload = 'open' | 'rate';

function flowControlOf(flow: FlowWorkload, i: number): Record<string, unknown> {
  return flow === 'open' ? { key: `tenant-${i % 10}`, parallelism: 100, rate: 1000 } : { key: 'third-party-api', rate: 40 };
}

/** Runs `task` over `items` with at most `concurrency` at once, in order of start. */
async function forEachLimited<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  });
  await Promise.all(lanes);
}

/** Submits the bodies one POST /jobs each, or through /jobs/batch in hundreds. */
async function submitAll(bench: BenchCloud, bodies: JobBody[], mode: 'single' | 'batch', ids: string[]): Promise<void> {
  if (mode === 'single') {
    await forEachLimited(bodies, SINGLE_CONCURRENCY, async (body) => {
      ids.push(await bench.submitOne(body));
    });
    return;
  }
  const chunks: JobBody[][] = [];
  for (let i = 0; i < bodies.length; i += BATCH_SIZE) chunks.push(bodies.slice(i, i + BATCH_SIZE));
  await forEachLimited(chunks, BATCH_CONCURRENCY, async (chunk) => {
    ids.push(...(await bench.submitBatch(chunk)));
  });
}

/** Waits until `expected` more jobs than `base` have finished, reporting progress. */
async function waitFinished(
  bench: BenchCloud,
  base: number,
  expected: number,
  onProgress?: (done: number, total: number) => void,
  pollMs = 250,
): Promise<{ succeeded: number; dead: number }> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const counts = await bench.finishedCount();
    const done = counts.succeeded + counts.dead + counts.cancelled - base;
    onProgress?.(Math.min(done, expected), expected);
    if (done >= expected) return counts;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${expected} jobs finished within ${RUN_TIMEOUT_MS / 1000} s`);
    await sleep(pollMs);
  }
}

async function finishedTotal(bench: BenchCloud): Promise<{ all: number; succeeded: number; dead: number }> {
  const c = await bench.finishedCount();
  return { all: c.succeeded + c.dead + c.cancelled, succeeded: c.succeeded, dead: c.dead };
}

export interface CostRun {
  name: string;
  jobs: number;
  mode: 'single' | 'batch';
  mix: boolean;
  seconds: number;
  succeeded: number;
  dead: number;
  usage: LocalCloudUsage;
  emfBytes: number;
  emfDocuments: number;
  /** Mean size of the job items as created (PutItem), and of one echo job's item when it ended. */
  submittedItemBytes: number;
  finalItemBytes: number;
  /** Messages per worker invocation: how full the batches were. */
  workerBatchFill: number;
}

/** One metered workload: every AWS call and capacity unit between its first submit and its last job's end. */
export async function runCostWorkload(
  bench: BenchCloud,
  options: {
    name: string;
    jobs: number;
    mode: 'single' | 'batch';
    mix: boolean;
    flow?: FlowWorkload;
    payloadBytes: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<CostRun> {
  const bodies = workloadBodies(options.jobs, options.payloadBytes, options.mix, options.flow);
  const base = await finishedTotal(bench);
  bench.cloud.setCapacityMetering(true);
  const before = bench.usage();
  const emfBefore = { ...bench.emf };
  const started = performance.now();
  const ids: string[] = [];
  await submitAll(bench, bodies, options.mode, ids);
  const counts = await waitFinished(bench, base.all, options.jobs, options.onProgress);
  const seconds = (performance.now() - started) / 1000;
  // The last batch's messages are deleted after its counters are written: let it land.
  await sleep(500);
  const usage = usageBetween(before, bench.usage());
  bench.cloud.setCapacityMetering(false);
  const puts = usage.dynamodb?.itemsWritten['PutItem'];
  const echoIndex = bodies.findIndex((b) => b['type'] === 'demo.echo');
  const worker = usage.lambda['worker'];
  return {
    name: options.name,
    jobs: options.jobs,
    mode: options.mode,
    mix: options.mix,
    seconds,
    succeeded: counts.succeeded - base.succeeded,
    dead: counts.dead - base.dead,
    usage,
    emfBytes: bench.emf.bytes - emfBefore.bytes,
    emfDocuments: bench.emf.documents - emfBefore.documents,
    submittedItemBytes: puts && puts.count > 0 ? puts.bytes / puts.count : 0,
    finalItemBytes: echoIndex >= 0 ? await bench.itemBytes(ids[echoIndex] ?? '') : 0,
    workerBatchFill: worker && worker.invocations > 0 ? usage.sqs.messagesReceived / worker.invocations : 0,
  };
}

/** Billed ms per invocation, measured unloaded (one request or batch at a time). */
export interface UnloadedDurations {
  /** One POST /jobs. */
  apiSingleMs: number;
  /** One POST /jobs/batch of 100. */
  apiBatchMs: number;
  /** Worker, per message, from batches of (up to) 10 sent one at a time. */
  workerMsPerMessage: number;
  /** Messages per worker invocation in the calibration (how full its batches were). */
  workerCalibrationFill: number;
}

function meanBilledMs(before: LocalCloudUsage, after: LocalCloudUsage, fn: string): { ms: number; invocations: number } {
  const usage = usageBetween(before, after).lambda[fn];
  return { ms: usage && usage.invocations > 0 ? usage.billedMs / usage.invocations : 0, invocations: usage?.invocations ?? 0 };
}

/**
 * What each function bills per invocation when the machine is not busy with anything else: the
 * latency run's POST /jobs, batches of 100 sent one at a time (the api's batch duration), then
 * batches of 10 sent one at a time (the worker's duration per message, one batch at a time).
 */
export async function runCalibration(bench: BenchCloud, options: { payloadBytes: number; batches: number; apiSingleMs: number }): Promise<UnloadedDurations> {
  const bodies = workloadBodies(BATCH_SIZE, options.payloadBytes, false);
  let apiMs = 0;
  let workerMs = 0;
  let workerInvocations = 0;
  let messages = 0;
  for (let i = 0; i < options.batches; i += 1) {
    const base = await finishedTotal(bench);
    const before = bench.usage();
    await bench.submitBatch(bodies);
    const afterSubmit = bench.usage();
    await waitFinished(bench, base.all, bodies.length, undefined, 50);
    apiMs += meanBilledMs(before, afterSubmit, 'api').ms;
  }
  // The worker alone: one batch of 10 at a time, so no other batch shares the event loop.
  const ten = bodies.slice(0, 10);
  for (let i = 0; i < options.batches * 4; i += 1) {
    const base = await finishedTotal(bench);
    // From before the submit: the worker may take the messages before the answer arrives.
    const before = bench.usage();
    await bench.submitBatch(ten);
    await waitFinished(bench, base.all, ten.length, undefined, 20);
    await sleep(100);
    const worker = usageBetween(before, bench.usage());
    workerMs += worker.lambda['worker']?.billedMs ?? 0;
    workerInvocations += worker.lambda['worker']?.invocations ?? 0;
    messages += worker.sqs.messagesReceived;
  }
  return {
    apiSingleMs: options.apiSingleMs,
    apiBatchMs: apiMs / options.batches,
    workerMsPerMessage: messages > 0 ? workerMs / messages : 0,
    workerCalibrationFill: workerInvocations > 0 ? messages / workerInvocations : 0,
  };
}

export interface LatencyRun {
  latency: Summary;
  /** Mean billed ms of one POST /jobs, unloaded. */
  apiSingleMs: number;
}

/** Submit -> SUCCEEDED of jobs sent one at a time (each after the previous finished): the unloaded latency. */
export async function runLatency(bench: BenchCloud, options: { samples: number; payloadBytes: number; warmup?: number }): Promise<LatencyRun> {
  const body = { type: 'demo.echo', payload: payloadOf(options.payloadBytes) };
  const latencies: number[] = [];
  let before = bench.usage();
  for (let i = 0; i < (options.warmup ?? 10) + options.samples; i += 1) {
    if (i === (options.warmup ?? 10)) before = bench.usage();
    const t0 = Date.now();
    const id = await bench.submitOne(body);
    let job = await bench.job(id);
    while (!job || !TERMINAL.includes(job.status)) {
      await sleep(1);
      job = await bench.job(id);
    }
    if (job.status !== 'SUCCEEDED' || !job.finishedAt) throw new Error(`latency job ${id} ended ${job.status}`);
    // The job's own finish time (the worker's clock, the same machine): no polling delay in it.
    if (i >= (options.warmup ?? 10)) latencies.push(Date.parse(job.finishedAt) - t0);
  }
  return { latency: summarize(latencies), apiSingleMs: meanBilledMs(before, bench.usage(), 'api').ms };
}

export interface ThroughputRun {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  /** Seconds until the last job was accepted by the API. */
  submitSeconds: number;
  succeeded: number;
}

/** End-to-end jobs/s: `jobs` echo jobs through /jobs/batch, from the first request to the last job's end. */
export async function runThroughput(
  bench: BenchCloud,
  options: { jobs: number; payloadBytes: number; onProgress?: (done: number, total: number) => void },
): Promise<ThroughputRun> {
  const bodies = workloadBodies(options.jobs, options.payloadBytes, false);
  const base = await finishedTotal(bench);
  const started = performance.now();
  let submitSeconds = 0;
  const submitting = submitAll(bench, bodies, 'batch', []).then(() => {
    submitSeconds = (performance.now() - started) / 1000;
  });
  // A failed submit ends the run at once instead of leaving it waiting for jobs that never came.
  const never = new Promise<never>(() => undefined);
  // Progress from the SQS deletes the event source mapping makes after each successful batch
  // (counted in process: watching costs the run nothing), checked against the counters at the end.
  const deletedBefore = bench.usage().sqs.messagesDeleted;
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  const finished = (async (): Promise<void> => {
    for (;;) {
      const done = bench.usage().sqs.messagesDeleted - deletedBefore;
      options.onProgress?.(Math.min(done, options.jobs), options.jobs);
      if (done >= options.jobs) return;
      if (Date.now() > deadline) throw new Error(`only ${done} of ${options.jobs} jobs finished within ${RUN_TIMEOUT_MS / 1000} s`);
      await sleep(5);
    }
  })();
  await Promise.race([finished, submitting.then(() => never)]);
  const seconds = (performance.now() - started) / 1000;
  await submitting;
  const counts = await waitFinished(bench, base.all, options.jobs, undefined, 250);
  return {
    jobs: options.jobs,
    seconds,
    jobsPerSecond: options.jobs / seconds,
    submitSeconds,
    succeeded: counts.succeeded - base.succeeded,
  };
}

export interface FairnessRun {
  backlogJobs: number;
  quietJobs: number;
  /** ms from the quiet key's submit to each of its jobs' claim: median and max. */
  quietStartMs: { median: number; max: number };
  /** Jobs of the backlog still QUEUED when the quiet key's last job started. */
  backlogLeftWhenQuietStarted: number;
  /** ms the backlog took from the quiet key's submit until it drained: what first-in-first-out would have made the quiet key wait. */
  backlogDrainMs: number;
}

/**
 * Fairness (SQS fair queues): `backlog` jobs of key A, then `quiet` jobs of key B on the same
 * queue. Keys carry limits that never bind (rate 100,000/s), so the figure is the queue's
 * fairness, not flow control's throttling.
 */
export async function runFairness(bench: BenchCloud, options: { backlog: number; quiet: number; payloadBytes: number }): Promise<FairnessRun> {
  const body = (key: string) => ({ type: 'demo.echo', payload: payloadOf(options.payloadBytes), flowControl: { key, rate: 100_000 } });
  const base = await finishedTotal(bench);
  await submitAll(bench, Array.from({ length: options.backlog }, () => body('A')), 'batch', []);
  // Let the workers get going on A, as a backlog that is being worked off.
  await sleep(500);
  const quietAt = Date.now();
  const quietIds = await bench.submitBatch(Array.from({ length: options.quiet }, () => body('B')));
  const started: number[] = [];
  let leftWhenQuietStarted = 0;
  for (const id of quietIds) {
    for (;;) {
      const job = (await bench.job(id)) as { startedAt: string | null } | null;
      if (job?.startedAt) {
        started.push(Date.parse(job.startedAt) - quietAt);
        break;
      }
      await sleep(10);
    }
  }
  const finishedNow = (await finishedTotal(bench)).all - base.all;
  leftWhenQuietStarted = Math.max(0, options.backlog + options.quiet - finishedNow);
  await waitFinished(bench, base.all, options.backlog + options.quiet);
  const backlogDrainMs = Date.now() - quietAt;
  const sorted = [...started].sort((a, b) => a - b);
  return {
    backlogJobs: options.backlog,
    quietJobs: options.quiet,
    quietStartMs: { median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
    backlogLeftWhenQuietStarted: leftWhenQuietStarted,
    backlogDrainMs,
  };
}
