/**
 * Cold start of each Lambda function: the size of the bundle `cdk synth` produces and the median
 * time to import it in a fresh Node process (module init), next to a baseline bundle that imports
 * and builds only the AWS SDK clients the function needs, bundled with the same esbuild settings
 * (infra/bundling.ts). `--quick` bundles with esbuild directly instead of running synth.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleHandler, bundleSource, type ProjectLayout } from './cold-start/bundle.ts';
import { handlerEnvironment, median, pairedInit, writeProbe } from './cold-start/init-time.ts';
import { FUNCTION_NAMES, HANDLER_ENTRY, baselineSource, sdkClientPackages, type FunctionName } from './cold-start/sdk-clients.ts';
import { synthBundles } from './cold-start/synth-bundles.ts';
import { topModules } from './cold-start/top-modules.ts';

export interface ColdStartOptions {
  quick: boolean;
  log: (line: string) => void;
}
export interface BundleFigures {
  bytes: number;
  initMsMedian: number;
  initMsRuns: number[];
}
export interface ColdStartResult {
  function: FunctionName;
  source: 'cdk synth' | 'esbuild (synth settings)';
  bundle: BundleFigures;
  baseline: BundleFigures & { sdkClients: string[] };
  initRatio: number;
  topModules: { name: string; bytes: number }[];
  /** Sockets a bundle opened while loading (should be none). */
  networkAtInit: string[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function benchColdStart(options: ColdStartOptions): Promise<ColdStartResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'skyforge-cold-start-'));
  const layout: ProjectLayout = { projectRoot: ROOT, jobRegistryEntry: join(ROOT, 'shared', 'jobs', 'default-registry.ts') };
  const runs = options.quick ? 5 : 15;
  try {
    let synthesized: Record<FunctionName, string> | undefined;
    if (!options.quick) {
      options.log('  cdk synth (bundles as deployed)');
      try {
        synthesized = await synthBundles(ROOT, join(dir, 'synth'));
      } catch (error) {
        options.log(`  cdk synth failed, bundling with esbuild and the same settings instead: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const probe = await writeProbe(dir);
    const env = handlerEnvironment();
    const results: ColdStartResult[] = [];
    for (const fn of FUNCTION_NAMES) {
      // The esbuild build gives the metafile (what is in the bundle) and, in quick mode, the bundle.
      const built = await bundleHandler(join(ROOT, HANDLER_ENTRY[fn]), layout, join(dir, 'esbuild', fn));
      const file = synthesized?.[fn] ?? built.file;
      const bytes = synthesized ? (await stat(file)).size : built.bytes;
      if (synthesized && Math.abs(bytes - built.bytes) > bytes * 0.01) {
        options.log(`  warning: ${fn}: synth bundle ${bytes} B, esbuild with the same settings ${built.bytes} B`);
      }
      const baseline = await bundleSource(baselineSource(fn), join(dir, 'baseline', `${fn}.mjs`), layout, join(dir, 'baseline', fn));
      options.log(`  ${fn}: ${runs} fresh imports of the bundle and of its baseline, alternating`);
      const timed = await pairedInit(probe, file, baseline.file, runs, env);
      const bundleMs = timed.bundle.map((r) => r.ms);
      const baselineMs = timed.baseline.map((r) => r.ms);
      results.push({
        function: fn,
        source: synthesized ? 'cdk synth' : 'esbuild (synth settings)',
        bundle: { bytes, initMsMedian: median(bundleMs), initMsRuns: bundleMs },
        baseline: { bytes: baseline.bytes, initMsMedian: median(baselineMs), initMsRuns: baselineMs, sdkClients: sdkClientPackages(fn) },
        initRatio: median(bundleMs) / median(baselineMs),
        topModules: topModules(built.metafile, 8),
        networkAtInit: [...new Set(timed.bundle.flatMap((r) => r.network))],
      });
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await benchColdStart({ quick: process.argv.includes('--quick'), log: (l) => process.stderr.write(`${l}\n`) });
  for (const r of results) {
    process.stdout.write(
      `${r.function}: ${Math.round(r.bundle.bytes / 1024)} KB, init ${r.bundle.initMsMedian.toFixed(1)} ms; baseline ${Math.round(r.baseline.bytes / 1024)} KB, ${r.baseline.initMsMedian.toFixed(1)} ms; x${r.initRatio.toFixed(2)}; ${r.topModules.map((m) => `${m.name} ${Math.round(m.bytes / 1024)}K`).join(', ')}\n`,
    );
  }
}
