import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIORITIES } from '../../shared/config/definitions.ts';
import { ENV } from '../../shared/config/env-names.ts';

/** A fresh process that fails to load a bundle in this long has hung, not started slowly. */
const PROBE_TIMEOUT_MS = 30_000;
const PROBE_MARKER = 'SKYFORGE_COLD_START_PROBE ';

/**
 * The probe each fresh process runs: it times `await import(bundle)` (module init: parse, link,
 * evaluate, which is where handlers build their clients and dependencies), in wall and CPU time,
 * and reports any socket
 * the import opened. The hooks are installed before the clock starts, for bundle and baseline alike.
 */
const PROBE_SOURCE = `import net from 'node:net';
import dgram from 'node:dgram';
import { pathToFileURL } from 'node:url';

const network = [];
const describe = (args) => {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') return \`tcp \${first.path ?? \`\${first.host ?? 'localhost'}:\${first.port}\`}\`;
  return \`tcp \${args[1] ?? 'localhost'}:\${first}\`;
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { network.push(describe(args)); return connect.apply(this, args); };
const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (...args) { network.push(\`udp \${args.find((a) => typeof a === 'string') ?? '?'}:\${args.find((a, i) => i > 0 && typeof a === 'number') ?? '?'}\`); return send.apply(this, args); };

const url = pathToFileURL(process.argv[2]).href;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const module = await import(url);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
// Let anything the import scheduled for the next turns (a socket opened from a timer) show up.
await new Promise((resolve) => setTimeout(resolve, 10));
process.stdout.write('${PROBE_MARKER}' + JSON.stringify({ ms, cpuMs, network, hasHandler: typeof module.handler === 'function' }) + '\\n');
process.exit(0);
`;

/** One timed import of a bundle in a fresh process. */
export interface ProbeRun {
  /** Wall time of the import: what a cold start waits for. */
  ms: number;
  /**
   * CPU time (user + system, all threads) the process spent in the import. Nearly the same as
   * `ms` on an idle machine; on a busy one (other builds on the same cores) wall time also
   * counts the waits for a core, which CPU time does not, so its ratios stay comparable.
   */
  cpuMs: number;
  /** Sockets opened during or right after the import ('tcp host:port', 'udp host:port'). */
  network: string[];
}

/** Writes the probe script into `dir` and returns its path. */
export async function writeProbe(dir: string): Promise<string> {
  const file = join(dir, 'probe.mjs');
  await writeFile(file, PROBE_SOURCE);
  return file;
}

/**
 * The environment a SkyForge handler needs at module load (loadConfig throws without it), with
 * dummy values: nothing is called at init, so no value has to be real. It is the whole
 * environment of the probe (nothing inherited from this process), like a Lambda sandbox:
 * the construct's house variables (source maps on, Powertools service and namespace), the
 * variables Lambda itself sets (Region, credentials, TZ), no AWS_LAMBDA_FUNCTION_NAME, so the
 * Powertools tracer stays off as it does outside Lambda.
 */
export function handlerEnvironment(): Record<string, string> {
  const byPriority = (value: (p: string) => string) => JSON.stringify(Object.fromEntries(PRIORITIES.map((p) => [p, value(p)])));
  const account = '123456789012';
  const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/${account}/${name}`;
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: ':UTC',
    // Set on every SkyForge function by infra/constructs/skyforge-function.ts.
    NODE_OPTIONS: '--enable-source-maps',
    [ENV.serviceName]: 'skyforge',
    [ENV.metricsNamespace]: 'SkyForge',
    [ENV.logLevel]: 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'true',
    [ENV.awsRegion]: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'cold-start-bench',
    [ENV.tableName]: 'skyforge-cold-start-bench',
    [ENV.queueUrls]: byPriority((p) => queueUrl(`skyforge-${p}`)),
    [ENV.deadLetterQueueUrls]: byPriority((p) => queueUrl(`skyforge-${p}-dlq`)),
    [ENV.queueArns]: byPriority((p) => `arn:aws:sqs:us-east-1:${account}:skyforge-${p}`),
    [ENV.scheduleGroup]: 'skyforge',
    [ENV.schedulerRoleArn]: `arn:aws:iam::${account}:role/skyforge-scheduler`,
    [ENV.scheduleDeadLetterArn]: `arn:aws:sqs:us-east-1:${account}:skyforge-schedule-dlq`,
  };
}

/**
 * Imports `bundle` once in a fresh `node` process running `probe` and returns the init time.
 *
 * @example
 * const { ms } = await probeInit(probe, '/tmp/x/api/index.mjs', handlerEnvironment());
 */
export function probeInit(probe: string, bundle: string, env: Record<string, string>): Promise<ProbeRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [probe, bundle], { env, timeout: PROBE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith(PROBE_MARKER));
      if (error || line === undefined) {
        const why = error ? error.message.split('\n')[0] : 'no result line';
        reject(new Error(`loading ${bundle} in a fresh node process failed (${why}): ${stderr.trim().slice(-2000) || stdout.trim().slice(-2000)}`));
        return;
      }
      const result = JSON.parse(line.slice(PROBE_MARKER.length)) as ProbeRun & { hasHandler: boolean };
      if (!result.hasHandler) {
        reject(new Error(`${bundle} loaded but exports no handler function`));
        return;
      }
      resolve({ ms: result.ms, cpuMs: result.cpuMs, network: result.network });
    });
  });
}

/** Init times of a bundle and its baseline, measured alternately. */
export interface PairedInit {
  bundle: ProbeRun[];
  baseline: ProbeRun[];
}

/**
 * Times `runs` fresh imports of each of two bundles, alternating between them (ABBA order, so
 * neither always goes first), so machine noise hits both alike. Both files were just written,
 * so they are in the page cache already; run one untimed probe before the first pair so the
 * node binary is too.
 */
export async function pairedInit(probe: string, bundle: string, baseline: string, runs: number, env: Record<string, string>): Promise<PairedInit> {
  const out: PairedInit = { bundle: [], baseline: [] };
  for (let i = 0; i < runs; i += 1) {
    const order = i % 2 === 0 ? (['bundle', 'baseline'] as const) : (['baseline', 'bundle'] as const);
    for (const which of order) out[which].push(await probeInit(probe, which === 'bundle' ? bundle : baseline, env));
  }
  return out;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
