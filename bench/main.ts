/**
 * `npm run bench [-- --quick]`: what a job costs on AWS, how fast the local cloud runs, how
 * SkyForge compares with BullMQ on the same machine, and what each Lambda bundle costs at cold
 * start, measured in one run. Prints tables and writes every figure to bench/results/latest.json.
 * See docs/benchmarks.md for the method.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem, platform, arch } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { maximumConcurrencyByPriority, WORKER_DEFAULTS } from '../shared/config/definitions.ts';
import { benchBullmq, type BullmqBenchResult } from './bullmq.ts';
import { benchColdStart, type ColdStartResult } from './cold-start.ts';
import { callsPerJob, estimateCost, floorCost, type CostEstimate } from './cost.ts';
import { FLOW_SHAPES, flowCostReport, runFlowCost, type FlowCost } from './flows.ts';
import { AWS_FACTS_FLOOR_PER_MILLION, PRICES, PRICES_AS_OF, PRICES_SOURCE, QSTASH_PER_MILLION } from './prices.ts';
import { progressBar } from './progress.ts';
import { dollars, gapToFloor, table } from './report.ts';
import {
  BenchCloud,
  runCalibration,
  runCostWorkload,
  runFairness,
  runLatency,
  runThroughput,
  type CostRun,
  type FairnessRun,
  type ThroughputRun,
  type UnloadedDurations,
} from './skyforge.ts';
import type { Summary } from './stats.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAYLOAD_BYTES = 1024;
/** The goals of issue 7, which the report checks every figure against. */
const GOALS = { costToFloor: 1.15, bundleBytes: 400 * 1024, initToBaseline: 1.2, jobsPerSecond: 1000, p50Ms: 20 } as const;

interface Settings {
  quick: boolean;
  costJobs: number;
  throughputJobs: number;
  latencySamples: number;
  skipBullmq: boolean;
  skipColdStart: boolean;
  /** The local cloud checks the functions' calls against their IAM policies (as npm start does). */
  iam: boolean;
  out: string;
}

function settings(): Settings {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      'throughput-jobs': { type: 'string' },
      'latency-samples': { type: 'string' },
      'skip-bullmq': { type: 'boolean', default: false },
      'skip-cold-start': { type: 'boolean', default: false },
      'no-iam': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'npm run bench [-- options]',
        '  --quick                 small runs (under a minute): a smoke test, not figures to publish',
        '  --jobs N                jobs per cost workload (default 2000; quick 200)',
        '  --throughput-jobs N     jobs of the throughput run (default 10000; quick 1000)',
        '  --latency-samples N     jobs sent one at a time for the latency percentiles (default 300; quick 30)',
        '  --skip-bullmq           no BullMQ column',
        '  --skip-cold-start       no bundle sizes and init times',
        '  --no-iam                run the local cloud without its IAM checks (to measure what they cost)',
        '  --out FILE              results JSON (default bench/results/latest.json)',
        '',
      ].join('\n'),
    );
    process.exit(0);
  }
  const count = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1, not ${raw}`);
    return n;
  };
  const quick = values.quick ?? false;
  return {
    quick,
    costJobs: count('jobs', values.jobs, quick ? 200 : 2000),
    throughputJobs: count('throughput-jobs', values['throughput-jobs'], quick ? 1000 : 10_000),
    latencySamples: count('latency-samples', values['latency-samples'], quick ? 30 : 300),
    skipBullmq: values['skip-bullmq'] ?? false,
    skipColdStart: values['skip-cold-start'] ?? false,
    iam: !(values['no-iam'] ?? false),
    out: values.out ?? join(ROOT, 'bench', 'results', 'latest.json'),
  };
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+uncommitted` : commit;
  } catch {
    return 'unknown';
  }
}

interface PricedRun extends CostRun {
  cost: CostEstimate;
  floor: CostEstimate;
  ratioToFloor: number;
}

/** The SkyForge half: cost workloads (metered), unloaded latency, throughput. */
async function benchSkyForge(
  s: Settings,
): Promise<{ runs: PricedRun[]; latency: Summary; throughput: ThroughputRun; durations: UnloadedDurations; fairness: FairnessRun; flows: FlowCost[] }> {
  log(`SkyForge local cloud (in this process; IAM ${s.iam ? 'enforced' : 'off'})`);
  const bench = await BenchCloud.start({ iam: s.iam });
  try {
    log(`  latency: ${s.latencySamples} jobs one at a time`);
    const { latency, apiSingleMs } = await runLatency(bench, { samples: s.latencySamples, payloadBytes: PAYLOAD_BYTES });
    log('  durations: batches of 100 one at a time (what a Lambda bills per invocation, unloaded)');
    const durations = await runCalibration(bench, { payloadBytes: PAYLOAD_BYTES, batches: s.quick ? 2 : 5, apiSingleMs });

    const runs: CostRun[] = [];
    for (const [name, mode, mix, flow] of [
      ['single', 'single', false, undefined],
      ['batch', 'batch', false, undefined],
      ['mix (batch)', 'batch', true, undefined],
      ['flow: 10 keys, limits not hit (batch)', 'batch', false, 'open'],
      ['flow: 1 key at 40/s (batch)', 'batch', false, 'rate'],
    ] as const) {
      const bar = progressBar(`cost: ${name}`);
      runs.push(
        await runCostWorkload(bench, { name, jobs: s.costJobs, mode, mix, ...(flow ? { flow } : {}), payloadBytes: PAYLOAD_BYTES, onProgress: bar }),
      );
      bar.done();
    }
    log(`  fairness: ${s.costJobs} jobs of key A, then 10 of key B`);
    const fairness = await runFairness(bench, { backlog: s.costJobs, quiet: 10, payloadBytes: PAYLOAD_BYTES });
    log(
      `  fairness: B's jobs started ${fairness.quietStartMs.median} ms (median), ${fairness.quietStartMs.max} ms (max) after their submit, ` +
        `with ${fairness.backlogLeftWhenQuietStarted} of A's jobs still waiting; A's backlog drained ${fairness.backlogDrainMs} ms after B's submit`,
    );

    // Flows (issue 17): about a quarter of a cost workload's jobs per shape.
    const flows: FlowCost[] = [];
    for (const shape of FLOW_SHAPES) {
      log(`  flows: ${shape.name}`);
      flows.push(await runFlowCost(bench, shape, Math.max(10, Math.round(s.costJobs / 4 / shape.jobs.length))));
    }

    const bar = progressBar('throughput');
    const throughput = await runThroughput(bench, { jobs: s.throughputJobs, payloadBytes: PAYLOAD_BYTES, onProgress: bar });
    bar.done();

    // One floor for all runs: one API invoke per job and a worker invoke per 10 jobs, at the
    // unloaded durations; item sizes from the single-submit run.
    const single = runs[0] as CostRun;
    const floor = floorCost({
      submittedItemBytes: single.submittedItemBytes,
      finalItemBytes: single.finalItemBytes,
      apiMsPerInvoke: durations.apiSingleMs,
      apiMemoryMb: single.usage.lambda['api']?.memoryMb ?? 512,
      workerMsPerInvoke: durations.workerMsPerMessage * 10,
      workerMemoryMb: single.usage.lambda['worker']?.memoryMb ?? 1024,
      emfBytesPerDocument: single.emfDocuments > 0 ? single.emfBytes / single.emfDocuments : 0,
    });
    const priced = runs.map((run) => {
      const billedMs = {
        api: (run.usage.lambda['api']?.invocations ?? 0) * (run.mode === 'single' ? durations.apiSingleMs : durations.apiBatchMs),
        worker: run.usage.sqs.messagesReceived * durations.workerMsPerMessage,
      };
      const cost = estimateCost({ jobs: run.jobs, usage: run.usage, emfBytes: run.emfBytes, emfDocuments: run.emfDocuments, billedMs });
      return { ...run, cost, floor, ratioToFloor: cost.perMillion / floor.perMillion };
    });
    return { runs: priced, latency, throughput, durations, fairness, flows };
  } finally {
    await bench.stop();
  }
}

function costReport(runs: PricedRun[]): string {
  const floor = runs[0]?.floor;
  if (!floor) return '';
  const out: string[] = [];
  out.push(`Cost per million ${PAYLOAD_BYTES} B jobs on AWS (prices ${PRICES_AS_OF})`);
  out.push(
    table([
      ['workload', 'jobs', '$/million', 'x floor', 'vs QStash $10', 'succeeded', 'dead', 'batch fill', 'seconds'],
      ...runs.map((r) => [
        r.name,
        r.jobs,
        dollars(r.cost.perMillion),
        r.ratioToFloor,
        `${Math.round((r.cost.perMillion / QSTASH_PER_MILLION) * 100)}%`,
        r.succeeded,
        r.dead,
        r.workerBatchFill,
        r.seconds,
      ]),
      ['floor (measured sizes)', '', dollars(floor.perMillion), 1, `${Math.round((floor.perMillion / QSTASH_PER_MILLION) * 100)}%`, '', '', 10, ''],
      ['floor (AWS-FACTS.md)', '', dollars(AWS_FACTS_FLOOR_PER_MILLION), AWS_FACTS_FLOOR_PER_MILLION / floor.perMillion, '', '', '', 10, ''],
      ['Upstash QStash', '', dollars(QSTASH_PER_MILLION), QSTASH_PER_MILLION / floor.perMillion, '100%', '', '', '', ''],
    ]),
  );
  out.push('');
  out.push('Bill per million jobs, line by line');
  const items = [...new Set([...runs.flatMap((r) => r.cost.lines.map((l) => l.item.replace(/ \(.*\)$/, ''))), ...floor.lines.map((l) => l.item)])];
  const find = (estimate: CostEstimate, item: string): string => {
    const line = estimate.lines.find((l) => l.item.replace(/ \(.*\)$/, '') === item);
    return line ? `${dollars(line.perMillion)} (${line.perJob.toFixed(line.perJob >= 100 ? 0 : 3)} ${line.unit.split(',')[0]})` : '-';
  };
  out.push(table([['line', ...runs.map((r) => r.name), 'floor'], ...items.map((item) => [item, ...runs.map((r) => find(r.cost, item)), find(floor, item)])]));
  out.push('');
  out.push('AWS calls per job, by operation');
  const operations = [...new Set(runs.flatMap((r) => Object.keys(r.usage.calls)))].sort();
  out.push(
    table([
      ['operation', ...runs.map((r) => r.name)],
      ...operations.map((op) => [op, ...runs.map((r) => callsPerJob(r.usage, r.jobs).find((c) => c.operation === op)?.perJob ?? 0)]),
    ]),
  );
  out.push('');
  out.push('DynamoDB write units per job, by operation and by table/index');
  const writeKeys = [
    ...new Set(runs.flatMap((r) => [...Object.keys(r.usage.dynamodb?.writeUnitsByOperation ?? {}), ...Object.keys(r.usage.dynamodb?.writeUnits ?? {})])),
  ];
  out.push(
    table([
      ['write', ...runs.map((r) => r.name)],
      ...writeKeys.map((k) => [
        k,
        ...runs.map((r) => ((r.usage.dynamodb?.writeUnitsByOperation[k] ?? r.usage.dynamodb?.writeUnits[k] ?? 0) as number) / r.jobs),
      ]),
    ]),
  );
  return out.join('\n');
}

function speedReport(latency: Summary, throughput: ThroughputRun, bullmq: BullmqBenchResult | undefined): string {
  const ran = bullmq?.status === 'ran' ? bullmq : undefined;
  const rows: Array<Array<string | number>> = [
    ['figure', 'SkyForge local cloud', ran ? `BullMQ ${ran.bullmqVersion} (redis ${ran.redisVersion})` : 'BullMQ'],
    ['latency p50 (ms)', latency.p50, ran ? ran.latency.p50 : '-'],
    ['latency p95 (ms)', latency.p95, ran ? ran.latency.p95 : '-'],
    ['latency p99 (ms)', latency.p99, ran ? ran.latency.p99 : '-'],
    ['latency samples', latency.samples, ran ? ran.latency.samples : '-'],
    ['throughput (jobs/s)', Math.round(throughput.jobsPerSecond), ran ? Math.round(ran.throughput.jobsPerSecond) : '-'],
    ['throughput jobs', throughput.jobs, ran ? ran.throughput.jobs : '-'],
    ['throughput seconds', throughput.seconds, ran ? ran.throughput.seconds : '-'],
  ];
  const lines = ['Local speed: submit -> SUCCEEDED, one job at a time; end-to-end jobs/s through /jobs/batch (BullMQ: addBulk)', table(rows)];
  if (bullmq?.status === 'skipped') lines.push(`BullMQ skipped: ${bullmq.reason}. Install: ${bullmq.howToInstall}`);
  return lines.join('\n');
}

function coldStartReport(results: ColdStartResult[]): string {
  return [
    `Cold start: bundle size and module init (median of fresh Node processes), against a bundle of only the SDK clients each function needs`,
    table([
      ['function', 'bundle KB', 'init ms', 'baseline KB', 'baseline init ms', 'init x baseline', 'CPU x baseline', 'biggest parts'],
      ...results.map((r) => [
        r.function,
        r.bundle.bytes / 1024,
        r.bundle.initMsMedian,
        r.baseline.bytes / 1024,
        r.baseline.initMsMedian,
        r.initRatio,
        r.initCpuRatio,
        r.topModules
          .slice(0, 3)
          .map((m) => `${m.name} ${Math.round(m.bytes / 1024)}K`)
          .join(', '),
      ]),
    ]),
    `(bundles from ${results[0]?.source ?? '-'})`,
  ].join('\n');
}

interface Goal {
  goal: string;
  target: string;
  value: string;
  met: boolean;
}

function goals(runs: PricedRun[], latency: Summary, throughput: ThroughputRun, cold: ColdStartResult[]): Goal[] {
  const out: Goal[] = [];
  // The goal is issue 18's, for plain submits; the mix and the flow-control workloads are priced
  // (their extra writes buy retries, limits), not held to the floor.
  for (const run of runs.filter((r) => r.name === 'single' || r.name === 'batch')) {
    out.push({ goal: `cost, ${run.name} submit`, target: `<= ${GOALS.costToFloor} x floor`, value: `${run.ratioToFloor.toFixed(2)} x`, met: run.ratioToFloor <= GOALS.costToFloor });
  }
  out.push({ goal: 'local throughput', target: `>= ${GOALS.jobsPerSecond} jobs/s`, value: `${Math.round(throughput.jobsPerSecond)} jobs/s`, met: throughput.jobsPerSecond >= GOALS.jobsPerSecond });
  out.push({ goal: 'local unloaded p50', target: `<= ${GOALS.p50Ms} ms`, value: `${latency.p50} ms`, met: latency.p50 <= GOALS.p50Ms });
  for (const r of cold) {
    out.push({ goal: `${r.function} bundle`, target: `<= ${GOALS.bundleBytes / 1024} KB`, value: `${Math.round(r.bundle.bytes / 1024)} KB`, met: r.bundle.bytes <= GOALS.bundleBytes });
    out.push({ goal: `${r.function} init`, target: `<= ${GOALS.initToBaseline} x baseline`, value: `${r.initRatio.toFixed(2)} x`, met: r.initRatio <= GOALS.initToBaseline });
  }
  return out;
}

async function main(): Promise<void> {
  const s = settings();
  const started = performance.now();
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${platform()} ${arch()}`,
  };
  const commit = gitCommit();
  log(`SkyForge bench${s.quick ? ' (quick)' : ''}: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, commit ${commit.slice(0, 12)}`);

  const skyforge = await benchSkyForge(s);

  const normalConcurrency = maximumConcurrencyByPriority(WORKER_DEFAULTS.totalMaximumConcurrency).normal * WORKER_DEFAULTS.batchSize;
  let bullmq: BullmqBenchResult | undefined;
  if (!s.skipBullmq) {
    log(`BullMQ on a local redis-server (worker concurrency ${normalConcurrency}, as SkyForge's normal queue: batches x batch size)`);
    const bar = progressBar('throughput (BullMQ)');
    bullmq = await benchBullmq({
      jobs: s.throughputJobs,
      latencySamples: s.latencySamples,
      payloadBytes: PAYLOAD_BYTES,
      concurrency: normalConcurrency,
      onProgress: bar,
      log,
    });
    bar.done();
  }

  let cold: ColdStartResult[] = [];
  if (!s.skipColdStart) {
    log('Cold start: bundling the Lambda functions');
    cold = await benchColdStart({ quick: s.quick, log });
  }

  const report = [
    '',
    costReport(skyforge.runs),
    '',
    speedReport(skyforge.latency, skyforge.throughput, bullmq),
    '',
    `Fairness (SQS fair queues, MessageGroupId = key): ${skyforge.fairness.backlogJobs} jobs of key A, then ${skyforge.fairness.quietJobs} of key B on the same queue:`,
    `  B's jobs started ${skyforge.fairness.quietStartMs.median} ms (median) / ${skyforge.fairness.quietStartMs.max} ms (max) after their submit, with ${skyforge.fairness.backlogLeftWhenQuietStarted} jobs of A still waiting;`,
    `  first-in-first-out would have made them wait for A's backlog, drained ${skyforge.fairness.backlogDrainMs} ms after B's submit.`,
    '',
    'Flows: what a flow job and a dependency edge cost (writes are single-item write calls; per edge: the difference to the edge-free flow of the same jobs):',
    flowCostReport(skyforge.flows),
    ...(cold.length > 0 ? ['', coldStartReport(cold)] : []),
  ];
  const goalList = goals(skyforge.runs, skyforge.latency, skyforge.throughput, cold);
  report.push('', 'Goals', table([['goal', 'target', 'measured', 'met'], ...goalList.map((g) => [g.goal, g.target, g.value, g.met ? 'yes' : 'NO'])]));
  const gaps = skyforge.runs
    .filter((r) => !r.mix)
    .map((r) => `  ${r.name}: ${gapToFloor(r.cost, r.floor).filter((g) => Math.abs(g.perMillion) >= 0.005).map((g) => `${g.category} ${g.perMillion >= 0 ? '+' : ''}${g.perMillion.toFixed(3)}`).join(', ')}`);
  report.push('', 'Gap to the floor, $/million by line (+ above, - below):', ...gaps);
  const seconds = (performance.now() - started) / 1000;
  report.push('', `${s.quick ? 'Quick run (smoke test: figures not for publishing), ' : ''}${seconds.toFixed(0)} s in all.`);
  process.stdout.write(`${report.join('\n')}\n`);

  const results = {
    schema: 1,
    date: new Date().toISOString(),
    command: `npm run bench${s.quick ? ' -- --quick' : ''}`,
    quick: s.quick,
    machine,
    commit,
    settings: { ...s, out: relative(ROOT, s.out), payloadBytes: PAYLOAD_BYTES },
    prices: { asOf: PRICES_AS_OF, source: PRICES_SOURCE, perUnit: PRICES, awsFactsFloorPerMillion: AWS_FACTS_FLOOR_PER_MILLION, qstashPerMillion: QSTASH_PER_MILLION },
    cost: skyforge.runs.map((r) => ({
      name: r.name,
      jobs: r.jobs,
      mode: r.mode,
      mix: r.mix,
      seconds: r.seconds,
      succeeded: r.succeeded,
      dead: r.dead,
      perMillion: r.cost.perMillion,
      ratioToFloor: r.ratioToFloor,
      lines: r.cost.lines,
      floor: r.floor,
      gapToFloor: gapToFloor(r.cost, r.floor),
      callsPerJob: callsPerJob(r.usage, r.jobs),
      workerBatchFill: r.workerBatchFill,
      submittedItemBytes: r.submittedItemBytes,
      finalItemBytes: r.finalItemBytes,
      emf: { bytes: r.emfBytes, documents: r.emfDocuments },
      usage: r.usage,
    })),
    flows: skyforge.flows,
    local: { latencyMs: skyforge.latency, throughput: skyforge.throughput, unloadedDurationsMs: skyforge.durations, fairness: skyforge.fairness },
    bullmq: bullmq ?? { status: 'skipped', reason: '--skip-bullmq' },
    coldStart: cold,
    goals: goalList,
    seconds,
  };
  await mkdir(dirname(s.out), { recursive: true });
  await writeFile(s.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`Results: ${relative(process.cwd(), s.out)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
