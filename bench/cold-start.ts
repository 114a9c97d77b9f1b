/**
 * Cold start, part of `npm run bench`: for each Lambda bundle `cdk synth` produces, its minified
 * size and the median time a fresh Node process takes to import it (module init), next to a
 * baseline bundle that only builds the AWS SDK clients that function needs.
 *
 * Alone: `npx tsx bench/cold-start.ts [--quick] [--tracing off|xray|otel]` prints the table.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleHandler, bundleSource, type BuiltBundle, type ProjectLayout } from './cold-start/bundle.ts';
import { handlerEnvironment, median, pairedInit, probeInit, writeProbe, type ProbeRun } from './cold-start/init-time.ts';
import { baselineSource, FUNCTION_NAMES, sdkClientPackages, type FunctionName } from './cold-start/sdk-clients.ts';
import { synthBundles } from './cold-start/synth-bundles.ts';
import { topModules } from './cold-start/top-modules.ts';
import { table } from './report.ts';
import type { TracingMode } from '../infra/bundling.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The construct's default jobRegistryEntry (infra/constructs/resolve-skyforge-config.ts). */
const DEFAULT_JOB_REGISTRY = join(ROOT, 'shared', 'jobs', 'default-registry.ts');
/** Fresh processes per bundle (and per baseline): full runs for figures, quick ones for a smoke test. */
const RUNS = { full: 15, quick: 5 } as const;
const TOP_MODULES = 8;
/** esbuild and synth bundle the same input with the same settings; more than this apart means they no longer do. */
const SIZE_TOLERANCE = 0.01;

export interface ColdStartOptions {
  /** Bundle with esbuild's API only (no `cdk synth`) and time fewer runs: about 15 s instead of a minute or two. */
  quick: boolean;
  /** Progress and warnings, one line each. */
  log: (line: string) => void;
  /** Bundle the handlers as the construct's `tracing` would (docs/tracing.md). Default 'off'; other modes use esbuild only. */
  tracing?: TracingMode;
}

/** Size and init time of one bundle. */
export interface BundleFigures {
  /** Size of the minified index.mjs (its .map not counted). */
  bytes: number;
  initMsMedian: number;
  /** Every timed import, in the order they ran. */
  initMsRuns: number[];
  /** The same imports in CPU time (see ProbeRun.cpuMs). */
  initCpuMsMedian: number;
  initCpuMsRuns: number[];
}

/** The cold-start figures of one Lambda function. */
export interface ColdStartResult {
  function: FunctionName;
  /** Where the measured bundle came from. */
  source: 'cdk synth' | 'esbuild (synth settings)';
  bundle: BundleFigures;
  /** A bundle of only the SDK clients the function needs, e.g. ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']. */
  baseline: BundleFigures & { sdkClients: string[] };
  /** bundle.initMsMedian / baseline.initMsMedian: the figure the goal is judged by. */
  initRatio: number;
  /** bundle.initCpuMsMedian / baseline.initCpuMsMedian: the same, steadier on a busy machine. */
  initCpuRatio: number;
  /** Biggest contributors by npm package (or 'project code'), from esbuild's metafile. */
  topModules: { name: string; bytes: number }[];
  /** Sockets the bundle opened while loading ('tcp host:port'); module init should open none. */
  networkAtInit: string[];
}

/**
 * Measures every SkyForge Lambda bundle against its SDK-only baseline. Full mode measures the
 * bundles `cdk synth` writes (falling back to esbuild with the synth settings if synth fails);
 * quick mode bundles with esbuild's API only. Temp files go under os.tmpdir() and are removed.
 *
 * @example
 * const results = await benchColdStart({ quick: true, log: console.error });
 * results.filter((r) => r.bundle.bytes > 400 * 1024); // over the size goal
 */
export async function benchColdStart(options: ColdStartOptions): Promise<ColdStartResult[]> {
  const { quick, log } = options;
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), 'skyforge-cold-start-'));
  try {
    const tracing = options.tracing ?? 'off';
    const layout: ProjectLayout = { projectRoot: ROOT, jobRegistryEntry: DEFAULT_JOB_REGISTRY, tracing };
    // The app in cdk.json synthesizes the default (tracing off): other modes are bundled by esbuild alone.
    const measured = await measuredBundles(layout, work, quick || tracing !== 'off', log);
    const baselines = await bundleBaselines(layout, work);
    log(`  bundles and baselines ready after ${seconds(started)} s`);
    const probe = await writeProbe(work);
    const env = handlerEnvironment();
    const runs = quick ? RUNS.quick : RUNS.full;
    // Untimed: the first node process after a while pays for reading the node binary from disk.
    await probeInit(probe, baselines.api.file, env);
    const results: ColdStartResult[] = [];
    for (const fn of FUNCTION_NAMES) {
      const { file, source, breakdown } = measured[fn];
      const baseline = baselines[fn];
      log(`  ${fn}: timing ${runs} fresh imports of the bundle and of its baseline, alternately`);
      const init = await pairedInit(probe, file, baseline.file, runs, env);
      reportNetwork(fn, init.bundle, init.baseline, log);
      const bundle = figures((await stat(file)).size, init.bundle);
      const base = figures(baseline.bytes, init.baseline);
      results.push({
        function: fn,
        source,
        bundle,
        baseline: { ...base, sdkClients: sdkClientPackages(fn) },
        initRatio: bundle.initMsMedian / base.initMsMedian,
        initCpuRatio: bundle.initCpuMsMedian / base.initCpuMsMedian,
        topModules: topModules(breakdown.metafile, TOP_MODULES),
        networkAtInit: [...new Set(init.bundle.flatMap((r) => r.network))],
      });
    }
    log(`  cold start measured in ${seconds(started)} s`);
    return results;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface MeasuredBundle {
  /** The index.mjs whose size and init time are reported. */
  file: string;
  source: ColdStartResult['source'];
  /** The esbuild build with the same settings, for its metafile. */
  breakdown: BuiltBundle;
}

/**
 * The bundles to measure: esbuild's (always, for the metafile) and, in full mode, synth's, which
 * replace them as the measured files when synth succeeds.
 */
async function measuredBundles(layout: ProjectLayout, work: string, quick: boolean, log: (line: string) => void): Promise<Record<FunctionName, MeasuredBundle>> {
  let synthFiles: Record<FunctionName, string> | undefined;
  if (!quick) {
    log('  cdk synth --quiet (the app in cdk.json) into a temp assembly');
    try {
      synthFiles = await synthBundles(layout.projectRoot, join(work, 'synth'));
    } catch (error) {
      log(`  WARNING: cdk synth failed, measuring esbuild bundles with the synth settings instead: ${(error as Error).message}`);
    }
  }
  log(`  esbuild with the synth settings (infra/bundling.ts)${synthFiles ? ', for the size breakdown' : ''}`);
  const built = await Promise.all(
    FUNCTION_NAMES.map((fn) => bundleHandler(fn, layout, join(work, 'esbuild', fn))),
  );
  const out = {} as Record<FunctionName, MeasuredBundle>;
  for (const [index, fn] of FUNCTION_NAMES.entries()) {
    const breakdown = built[index] as BuiltBundle;
    const synthFile = synthFiles?.[fn];
    if (synthFile === undefined) {
      out[fn] = { file: breakdown.file, source: 'esbuild (synth settings)', breakdown };
      continue;
    }
    await warnIfSizesDiffer(fn, synthFile, breakdown.bytes, log);
    out[fn] = { file: synthFile, source: 'cdk synth', breakdown };
  }
  return out;
}

async function warnIfSizesDiffer(fn: FunctionName, synthFile: string, esbuildBytes: number, log: (line: string) => void): Promise<void> {
  const synthBytes = (await stat(synthFile)).size;
  if (Math.abs(synthBytes - esbuildBytes) > SIZE_TOLERANCE * synthBytes) {
    log(
      `  WARNING: ${fn}: synth's bundle is ${synthBytes} bytes, esbuild's with the same settings ${esbuildBytes}: ` +
        'the size breakdown may not describe the synth bundle (do infra/bundling.ts and bench/cold-start/esbuild-options.ts still agree?)',
    );
  }
}

/** One baseline bundle per distinct set of SDK clients (api and worker share theirs). */
async function bundleBaselines(layout: ProjectLayout, work: string): Promise<Record<FunctionName, BuiltBundle>> {
  const dir = join(work, 'baseline');
  await mkdir(dir, { recursive: true });
  const bySource = new Map<string, Promise<BuiltBundle>>();
  const out = {} as Record<FunctionName, BuiltBundle>;
  for (const fn of FUNCTION_NAMES) {
    const source = baselineSource(fn).replace(/^\/\/.*\n/, '');
    if (!bySource.has(source)) {
      bySource.set(source, bundleSource(source, join(dir, `${fn}.mjs`), layout, join(dir, fn)));
    }
    out[fn] = await (bySource.get(source) as Promise<BuiltBundle>);
  }
  return out;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function figures(bytes: number, runs: readonly ProbeRun[]): BundleFigures {
  const initMsRuns = runs.map((r) => Math.round(r.ms * 100) / 100);
  const initCpuMsRuns = runs.map((r) => Math.round(r.cpuMs * 100) / 100);
  return { bytes, initMsMedian: median(initMsRuns), initMsRuns, initCpuMsMedian: median(initCpuMsRuns), initCpuMsRuns };
}

/** Module init must not touch the network; if it does, say so loudly (the figures then include it). */
function reportNetwork(fn: FunctionName, bundle: readonly ProbeRun[], baseline: readonly ProbeRun[], log: (line: string) => void): void {
  for (const [what, runs] of [
    ['bundle', bundle],
    ['baseline', baseline],
  ] as const) {
    const targets = [...new Set(runs.flatMap((r) => r.network))];
    if (targets.length > 0) log(`  WARNING: ${fn} ${what}: module init opened sockets: ${targets.join(', ')}`);
  }
}

/** The results as the text table the CLI prints. */
export function coldStartTable(results: readonly ColdStartResult[]): string {
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  const summary = table([
    ['function', 'bundle KB', 'init ms', 'baseline KB', 'baseline init ms', 'init x baseline', 'CPU ms', 'baseline CPU ms', 'CPU x baseline', 'baseline clients'],
    ...results.map((r) => [
      r.function,
      kb(r.bundle.bytes),
      r.bundle.initMsMedian,
      kb(r.baseline.bytes),
      r.baseline.initMsMedian,
      r.initRatio,
      r.bundle.initCpuMsMedian,
      r.baseline.initCpuMsMedian,
      r.initCpuRatio,
      r.baseline.sdkClients.map((c) => c.replace('@aws-sdk/', '')).join(' '),
    ]),
  ]);
  const parts = results.map((r) => `  ${r.function}: ${r.topModules.map((m) => `${m.name} ${kb(m.bytes)}K`).join(', ')}`);
  return [summary, '', `Biggest parts (KB in the minified bundle, by npm package):`, ...parts, '', `(bundles from ${results[0]?.source ?? '-'})`].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, tracing: { type: 'string', default: 'off' } } });
  const tracing = values.tracing as TracingMode;
  if (!['off', 'xray', 'otel'].includes(tracing)) throw new Error(`--tracing must be off, xray or otel (got ${tracing})`);
  const started = performance.now();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const results = await benchColdStart({ quick: values.quick ?? false, log, tracing });
  log(`tracing: ${tracing}`);
  process.stdout.write(`${coldStartTable(results)}\n`);
  log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`cold-start bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
