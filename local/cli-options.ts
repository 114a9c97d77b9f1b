import { DEFAULT_DATA_DIR } from './cloud.ts';
import { PRIORITIES, type Priority } from '../shared/config/definitions.ts';

export interface CliOptions {
  port: number;
  edgePort: number;
  dataDir: string;
  memory: boolean;
  /** Enforce each function's synthesized IAM policy (default); `--no-iam` turns it off. */
  iam: boolean;
  help: boolean;
  /** The worker function's timeout in seconds (env SKYFORGE_WORKER_TIMEOUT_SECONDS). */
  workerTimeoutSeconds: number | undefined;
  /** A job registry module to run instead of the project's default one (`skyforge dev --jobs`). */
  jobs: string | undefined;
  /** Register the demo.* types too: on for `npm start`, off for `skyforge dev` unless `--demo-jobs`. */
  demoJobs: boolean;
  /** Share (0 to 0.5) of the functions' AWS calls that fail as AWS fails under stress (env SKYFORGE_FAULTS); 0: off. */
  faults: number;
  /** Seed of the fault draws (env SKYFORGE_FAULTS_SEED, default 1). */
  faultsSeed: number;
  /** Jobs per second each queue starts at most (`--queue-rate normal=50`). */
  queueRateLimits: Partial<Record<Priority, number>>;
  /** OTLP/HTTP collector the functions export spans to (`--otel-endpoint`, env OTEL_EXPORTER_OTLP_ENDPOINT); off when unset. */
  otelEndpoint: string | undefined;
}

/** What differs between `npm start` (the defaults) and `skyforge dev`. */
export interface CliDefaults {
  dataDir: string;
  demoJobs: boolean;
}

/** A flag or variable `npm start` cannot use; main prints the message and the usage. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly code = 'CLI_USAGE';
}

export const USAGE = `Usage: npm start -- [options]

  --port <n>          API port (env PORT, default 3000)
  --edge-port <n>     AWS edge port for DynamoDB and SQS (env EDGE_PORT, default 4566)
  --data-dir <path>   state folder (env SKYFORGE_DATA_DIR, default .skyforge/ in the project)
  --memory            keep everything in memory; nothing is saved
  --jobs <module>     your job registry module (exports \`jobs\`), reloaded when it or a file it imports changes
  --demo-jobs         register the demo.* types too (default for npm start; skyforge dev leaves them out)
  --no-iam            do not check the functions' AWS calls against their IAM policies
                      (by default every call is checked against the policy cdk synth gives
                      its role, and refused with AccessDeniedException as on AWS)
  --faults <rate>     fail this share (0 to 0.5) of the functions' AWS calls as AWS does under
                      stress: throttling and 5xx (env SKYFORGE_FAULTS, default 0: off)
  --faults-seed <n>   seed of the fault draws, to repeat a run (env SKYFORGE_FAULTS_SEED, default 1)
  --queue-rate <q=n>  jobs per second a queue starts at most, e.g. normal=50,low=5 (a flow-control key per queue)
  --otel-endpoint <url>  export OpenTelemetry spans (OTLP/HTTP JSON) to this collector, as tracing: 'otel'
                      does on AWS (env OTEL_EXPORTER_OTLP_ENDPOINT; default off)
  (env SKYFORGE_WORKER_TIMEOUT_SECONDS: the worker function's timeout, default 300; the
   queues' visibility timeout is 6x it and the longest job timeout follows it)
  --help              this text`;

/**
 * Reads `npm start` options: flags win over environment variables, which win over defaults.
 * Both `--port 3000` and `--port=3000` work.
 *
 * @example
 * parseCliOptions(['--port', '0', '--memory'], {}); // { port: 0, edgePort: 4566, memory: true, ... }
 */
export function parseCliOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaults: CliDefaults = { dataDir: DEFAULT_DATA_DIR, demoJobs: true },
): CliOptions {
  const options: CliOptions = {
    port: portFrom(env['PORT'], 'PORT') ?? 3000,
    edgePort: portFrom(env['EDGE_PORT'], 'EDGE_PORT') ?? 4566,
    dataDir: env['SKYFORGE_DATA_DIR'] || defaults.dataDir,
    memory: false,
    iam: true,
    help: false,
    workerTimeoutSeconds: secondsFrom(env['SKYFORGE_WORKER_TIMEOUT_SECONDS'], 'SKYFORGE_WORKER_TIMEOUT_SECONDS'),
    jobs: undefined,
    demoJobs: defaults.demoJobs,
    faults: rateFrom(env['SKYFORGE_FAULTS'], 'SKYFORGE_FAULTS') ?? 0,
    faultsSeed: seedFrom(env['SKYFORGE_FAULTS_SEED'], 'SKYFORGE_FAULTS_SEED') ?? 1,
    queueRateLimits: {},
    otelEndpoint: urlFrom(env['OTEL_EXPORTER_OTLP_ENDPOINT'], 'OTEL_EXPORTER_OTLP_ENDPOINT'),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
      i += 1;
      return next;
    };
    switch (flag) {
      case '--port':
        options.port = portFrom(value(), flag) ?? options.port;
        break;
      case '--edge-port':
        options.edgePort = portFrom(value(), flag) ?? options.edgePort;
        break;
      case '--data-dir':
        options.dataDir = value();
        break;
      case '--memory':
        options.memory = true;
        break;
      case '--jobs':
        options.jobs = value();
        break;
      case '--demo-jobs':
        options.demoJobs = true;
        break;
      case '--no-iam':
        options.iam = false;
        break;
      case '--faults':
        options.faults = rateFrom(value(), flag) ?? 0;
        break;
      case '--faults-seed':
        options.faultsSeed = seedFrom(value(), flag) ?? 1;
        break;
      case '--queue-rate':
        options.queueRateLimits = { ...options.queueRateLimits, ...queueRatesFrom(value(), flag) };
        break;
      case '--otel-endpoint':
        options.otelEndpoint = urlFrom(value(), flag);
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new CliUsageError(`unknown option ${arg}`);
    }
  }
  return options;
}

function urlFrom(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw new CliUsageError(`${name} must be an http(s) URL such as http://127.0.0.1:4318, got ${raw}`);
  return raw;
}

function portFrom(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliUsageError(`${name} must be a port number (0-65535), got ${raw}`);
  return port;
}

function secondsFrom(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 2 || seconds > 900) throw new CliUsageError(`${name} must be a whole number of seconds (2-900), got ${raw}`);
  return seconds;
}

function rateFrom(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate < 0 || rate > 0.5) throw new CliUsageError(`${name} must be a share of calls between 0 and 0.5, got ${raw}`);
  return rate;
}

function seedFrom(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0) throw new CliUsageError(`${name} must be a whole number, got ${raw}`);
  return seed;
}

/** `normal=50,low=5`: jobs per second per queue. */
function queueRatesFrom(raw: string, name: string): Partial<Record<Priority, number>> {
  const rates: Partial<Record<Priority, number>> = {};
  for (const part of raw.split(',').filter((p) => p.length > 0)) {
    const [queue, n] = part.split('=');
    const rate = Number(n);
    if (!PRIORITIES.includes(queue as Priority) || !Number.isInteger(rate) || rate < 1) {
      throw new CliUsageError(`${name} takes queue=jobs-per-second pairs such as normal=50 (queues: ${PRIORITIES.join(', ')}), got ${part}`);
    }
    rates[queue as Priority] = rate;
  }
  return rates;
}
