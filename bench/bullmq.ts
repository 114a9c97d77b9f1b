/**
 * The BullMQ column of the bench: the same jobs (an echo of a ~1 KB payload), the same counts,
 * on a redis-server the bench starts itself on a free loopback port with persistence off. If no
 * redis-server is installed the column is skipped with how to install it: never faked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { BenchJobTimeoutError, RedisServerExitedError, RedisServerStartError } from './bullmq/errors.ts';
import { summarize, type Summary } from './stats.ts';

export interface BullmqBenchOptions {
  jobs: number;
  latencySamples: number;
  payloadBytes: number;
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
  log: (line: string) => void;
}

export type BullmqBenchResult =
  | {
      status: 'ran';
      redisVersion: string;
      bullmqVersion: string;
      concurrency: number;
      latency: Summary;
      throughput: { jobs: number; seconds: number; jobsPerSecond: number; failed: number };
    }
  | { status: 'skipped'; reason: string; howToInstall: string };

const HOW_TO_INSTALL = 'sudo apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS), then run the bench again';
const JOB_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_MS = 5 * 60_000;
const CHUNK = 100;
const IN_FLIGHT = 4;

/** The redis-server binary: $REDIS_SERVER, else the first on PATH. */
export function findRedisServer(): string | undefined {
  const candidates = process.env.REDIS_SERVER
    ? [process.env.REDIS_SERVER]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'redis-server'));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface RedisProcess {
  port: number;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

async function startRedis(binary: string, dir: string): Promise<RedisProcess> {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const ping = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  ping.on('error', () => undefined); // refused until the server listens: retried below
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (child.exitCode !== null) throw new RedisServerStartError(binary, port, `exited with code ${child.exitCode}`, output);
      try {
        if (ping.status !== 'ready') await ping.connect();
        if ((await ping.ping()) === 'PONG') break;
      } catch {
        ping.disconnect();
      }
      if (attempt > 100) throw new RedisServerStartError(binary, port, 'no answer to PING within 5 s', output);
      await sleep(50);
    }
  } finally {
    ping.disconnect();
  }
  return {
    port,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function bullmqVersion(): string {
  try {
    const file = fileURLToPath(new URL('../node_modules/bullmq/package.json', import.meta.url));
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Runs the BullMQ column; see the module comment. */
export async function benchBullmq(options: BullmqBenchOptions): Promise<BullmqBenchResult> {
  const binary = findRedisServer();
  if (!binary) return { status: 'skipped', reason: 'redis-server is not installed (nor named by $REDIS_SERVER)', howToInstall: HOW_TO_INSTALL };
  const dir = await mkdtemp(join(tmpdir(), 'skyforge-bullmq-'));
  const redis = await startRedis(binary, dir);
  let died: RedisServerExitedError | undefined;
  redis.child.once('exit', (code, signal) => {
    died = new RedisServerExitedError(code, signal, redis.output());
  });
  const connection = { host: '127.0.0.1', port: redis.port };
  const name = `bench-${Date.now()}`;
  const payload = { data: 'x'.repeat(Math.max(0, options.payloadBytes - '{"data":""}'.length)) };
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  let completed = 0;
  let failed = 0;
  const worker = new Worker(name, async (job: Job) => job.data as unknown, {
    connection: { ...connection, maxRetriesPerRequest: null },
    concurrency: options.concurrency,
  });
  worker.on('completed', () => {
    completed += 1;
  });
  worker.on('failed', () => {
    failed += 1;
  });
  try {
    await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
    const admin = new Redis({ ...connection, maxRetriesPerRequest: 1 });
    const info = await admin.info('server').finally(() => admin.disconnect());
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';

    // Latency: one job at a time on an idle queue; add -> finishedOn (redis-side completion time).
    const latencies: number[] = [];
    const warmup = 10;
    for (let i = 0; i < warmup + options.latencySamples; i += 1) {
      const t0 = Date.now();
      const job = await queue.add('echo', payload);
      try {
        await job.waitUntilFinished(events, JOB_TIMEOUT_MS);
      } catch (error) {
        if (died) throw died;
        throw new BenchJobTimeoutError(job.id, JOB_TIMEOUT_MS);
      }
      const done = await queue.getJob(job.id ?? '');
      if (i >= warmup && done?.finishedOn) latencies.push(done.finishedOn - t0);
    }

    // Throughput: addBulk in chunks of 100, a few in flight, while the worker runs.
    const base = completed + failed;
    const started = performance.now();
    const chunks = Array.from({ length: Math.ceil(options.jobs / CHUNK) }, (_, i) => Math.min(CHUNK, options.jobs - i * CHUNK));
    let next = 0;
    const adding = Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < chunks.length) {
          const size = chunks[next] as number;
          next += 1;
          await queue.addBulk(Array.from({ length: size }, () => ({ name: 'echo', data: payload })));
        }
      }),
    );
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      const done = completed + failed - base;
      options.onProgress?.(Math.min(done, options.jobs), options.jobs);
      if (done >= options.jobs) break;
      if (died) throw died;
      if (Date.now() > deadline) break;
      await sleep(5);
    }
    const seconds = (performance.now() - started) / 1000;
    await adding;
    const finished = completed + failed - base;
    return {
      status: 'ran',
      redisVersion,
      bullmqVersion: bullmqVersion(),
      concurrency: options.concurrency,
      latency: summarize(latencies),
      throughput: { jobs: options.jobs, seconds, jobsPerSecond: finished / seconds, failed: failed + Math.max(0, options.jobs - finished) },
    };
  } finally {
    await worker.close().catch(() => undefined);
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const jobsAt = process.argv.indexOf('--jobs');
  const jobs = jobsAt > 0 ? Number(process.argv[jobsAt + 1]) : 10_000;
  const result = await benchBullmq({ jobs, latencySamples: 200, payloadBytes: 1024, concurrency: 40, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
