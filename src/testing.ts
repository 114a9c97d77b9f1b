/**
 * `skyforge/testing`: the local cloud in your test process, with your job types, to test
 * handlers end to end (submit over HTTP, run by the worker from SQS, state in DynamoDB) with
 * vitest or jest. No Docker, no AWS account.
 *
 * @example
 * import { startLocalCloud } from 'skyforge/testing';
 * import { jobs } from '../src/jobs.ts';
 *
 * const cloud = await startLocalCloud({ jobs, memory: true, port: 0 });
 * const job = await cloud.client.enqueue('email.send', { to: 'ada@example.com' });
 * expect((await cloud.client.waitFor(job.id)).status).toBe('SUCCEEDED');
 * await cloud.stop();
 */
import { SkyForgeClient } from '../cli/client/skyforge-client.ts';
import { startLocalCloud as startCloud } from '../local/cloud.ts';
import type { JobDefinitions } from '../shared/jobs/registry.ts';

export interface StartLocalCloudOptions<D extends JobDefinitions> {
  /** Your registry module's `jobs`. */
  jobs: D;
  /** Keep everything in memory (default true); false keeps state in `dataDir`. */
  memory?: boolean;
  /** State folder when `memory` is false. Default `.skyforge/` in the working directory. */
  dataDir?: string;
  /** API port; default 0 (a free one). */
  port?: number;
  /** AWS edge port (DynamoDB, SQS, Scheduler); default 0 (a free one). */
  edgePort?: number;
  /** Register the demo.* types too. Default false. */
  demoJobs?: boolean;
  /** The worker's timeout (default 300 s); the longest job timeout is this less 15 s. */
  workerTimeoutSeconds?: number;
  /** More environment for the handlers, e.g. `{ SKYFORGE_CANCEL_POLL_MS: '100' }`. */
  env?: Record<string, string>;
  /** Print the local cloud's log lines (default: quiet, warnings only). */
  verbose?: boolean;
}

export interface LocalCloud<D extends JobDefinitions> {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:53121. */
  readonly url: string;
  /** The AWS endpoint (AWS_ENDPOINT_URL) of the emulated DynamoDB, SQS and Scheduler. */
  readonly edgeUrl: string;
  /** A client of the API, typed by your job types. */
  readonly client: SkyForgeClient<D>;
  /** Swaps the job definitions the handlers run; queues and table stay. */
  reloadJobs(jobs: D): void;
  /** Stops the pollers (running batches get up to 10 s), the API and the emulators. */
  stop(): Promise<void>;
}

/**
 * Starts the local cloud in this process with `jobs` and resolves once it answers.
 *
 * The handlers read their settings from `process.env` (set while the cloud runs, restored by
 * `stop()`), as a Lambda function reads its environment, so start clouds one after another in a
 * test file rather than in parallel.
 */
export async function startLocalCloud<D extends JobDefinitions>(options: StartLocalCloudOptions<D>): Promise<LocalCloud<D>> {
  // The AWS SDK's ten-line notice about Node < 22 concerns deployments, not a test run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const memory = options.memory ?? true;
  const cloud = await startCloud({
    jobs: options.jobs,
    demoJobs: options.demoJobs ?? false,
    port: options.port ?? 0,
    edgePort: options.edgePort ?? 0,
    ...(memory ? { memory: true } : { dataDir: options.dataDir ?? `${process.cwd()}/.skyforge` }),
    ...(options.workerTimeoutSeconds ? { workerTimeoutSeconds: options.workerTimeoutSeconds } : {}),
    ...(options.env ? { env: options.env } : {}),
    quiet: !options.verbose,
  });
  return {
    url: cloud.apiUrl,
    edgeUrl: cloud.edgeUrl,
    client: new SkyForgeClient<D>({ baseUrl: cloud.apiUrl }),
    reloadJobs: (jobs) => cloud.reloadJobs(jobs),
    stop: () => cloud.stop(),
  };
}
