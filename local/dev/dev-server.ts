import { relative } from 'node:path';
import { renderBanner } from '../banner.ts';
import type { CliOptions } from '../cli-options.ts';
import { startLocalCloud, type LocalCloud } from '../cloud.ts';
import { watchFiles, type FileWatcher } from './file-watcher.ts';
import { loadJobRegistry, registryOutDir, type LoadedJobRegistry } from './job-registry-module.ts';

/** Grace for running batches when the server stops (Ctrl-C). */
export const STOP_GRACE_MS = 10_000;

export interface DevServerOptions {
  options: Pick<CliOptions, 'port' | 'edgePort' | 'dataDir' | 'memory' | 'workerTimeoutSeconds' | 'jobs' | 'demoJobs'> & Partial<Pick<CliOptions, 'iam' | 'faults' | 'faultsSeed' | 'queueRateLimits' | 'otelEndpoint'>>;
  /** Relative paths in log lines are relative to it. */
  cwd: string;
  /** One line for the terminal: reloads and reload failures. */
  log: (line: string) => void;
}

export interface DevServer {
  readonly cloud: LocalCloud;
  /** What to print once the server is up. */
  readonly banner: string;
  /** Stops watching, then the local cloud (running batches get STOP_GRACE_MS). */
  stop(): Promise<void>;
}

/**
 * The local cloud of `npm start` and `skyforge dev`: with `options.jobs`, it runs that registry
 * module (built by esbuild, so TypeScript works without a build step) and reloads it whenever
 * the module or a file of the project it imports changes. A reload swaps the handlers only:
 * table, queues and schedules stay, and attempts already running finish on the code they
 * started with. A module that fails to build or load leaves the running code in place and the
 * terminal says why.
 *
 * @example
 * const server = await startDevServer({ options: { ...parsed, jobs: 'src/jobs.ts' }, cwd, log: console.error });
 * console.log(server.banner);
 */
export async function startDevServer({ options, cwd, log }: DevServerOptions): Promise<DevServer> {
  const module = options.jobs;
  const outDir = module === undefined ? '' : registryOutDir(module);
  let generation = 0;
  const load = async (entry: string): Promise<LoadedJobRegistry> => {
    generation += 1;
    return loadJobRegistry(entry, { outDir, generation });
  };
  const first = module === undefined ? undefined : await load(module);

  const cloud = await startLocalCloud({
    port: options.port,
    edgePort: options.edgePort,
    ...(options.memory ? { memory: true } : { dataDir: options.dataDir }),
    stopTimeoutMs: STOP_GRACE_MS,
    ...(options.workerTimeoutSeconds ? { workerTimeoutSeconds: options.workerTimeoutSeconds } : {}),
    ...(first ? { jobs: first.jobs } : {}),
    demoJobs: options.demoJobs,
    // The local IAM is on unless --no-iam said otherwise.
    ...(options.iam === false ? { iam: false } : {}),
    ...(options.faults ? { faults: { rate: options.faults, seed: options.faultsSeed ?? 1 } } : {}),
    ...(options.queueRateLimits ? { queueRateLimits: options.queueRateLimits } : {}),
    ...(options.otelEndpoint ? { otelEndpoint: options.otelEndpoint } : {}),
  });

  let watcher: FileWatcher | undefined;
  if (module !== undefined && first !== undefined) {
    const name = relative(cwd, module) || module;
    // One reload at a time; changes during a reload make one more afterwards.
    let reloading: Promise<void> | undefined;
    let again: string[] | undefined;
    const reload = async (changed: string[]): Promise<void> => {
      const started = performance.now();
      const files = changed.map((file) => relative(cwd, file)).join(', ');
      try {
        const next = await load(module);
        cloud.reloadJobs(next.jobs);
        watcher?.update(next.inputs);
        const ms = Math.round(performance.now() - started);
        log(`reloaded ${name} in ${ms} ms (changed: ${files}); job types: ${cloud.jobTypes().join(', ') || '(none)'}`);
      } catch (error) {
        log(`reload of ${name} failed, still running the previous code: ${(error as Error).message}`);
      }
    };
    const onChange = (changed: string[]): void => {
      if (reloading) {
        again = [...(again ?? []), ...changed];
        return;
      }
      reloading = reload(changed).finally(() => {
        reloading = undefined;
        if (again) {
          const next = again;
          again = undefined;
          onChange(next);
        }
      });
    };
    watcher = watchFiles(first.inputs, onChange);
  }

  return {
    cloud,
    banner: renderBanner({
      apiUrl: cloud.apiUrl,
      edgeUrl: cloud.edgeUrl,
      dataDir: cloud.dataDir,
      jobTypes: cloud.jobTypes(),
      iam: cloud.iam !== null,
      ...(options.faults ? { faults: { rate: options.faults, seed: options.faultsSeed ?? 1 } } : {}),
      ...(options.otelEndpoint ? { otelEndpoint: options.otelEndpoint.replace(/\/+$/, '') } : {}),
      ...(module !== undefined ? { jobsModule: relative(cwd, module) || module } : {}),
    }),
    stop: async () => {
      watcher?.close();
      await cloud.stop();
    },
  };
}
