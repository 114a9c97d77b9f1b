import { DEFAULT_DATA_DIR } from './cloud.ts';
import { PRIORITIES, type Priority } from '../shared/config/definitions.ts';

export interface CliOptions {
  port: number;
  edgePort: number;
  dataDir: string;
  memory: boolean;
  help: boolean;
  /** The worker function's timeout in seconds (env SKYFORGE_WORKER_TIMEOUT_SECONDS). */
  workerTimeoutSeconds: number | undefined;
  /** A job registry module to run instead of the project's default one (`skyforge dev --jobs`). */
  jobs: string | undefined;
  /** Register the demo.* types too: on for `npm start`, off for `skyforge dev` unless `--demo-jobs`. */
  demoJobs: boolean;
  /** Jobs per second each queue starts at most (`--queue-rate normal=50`). */
  queueRateLimits: Partial<Record<Priority, number>>;
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
  --queue-rate <q=n>  jobs per second a queue starts at most, e.g. normal=50,low=5 (a flow-control key per queue)
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
    help: false,
    workerTimeoutSeconds: secondsFrom(env['SKYFORGE_WORKER_TIMEOUT_SECONDS'], 'SKYFORGE_WORKER_TIMEOUT_SECONDS'),
    jobs: undefined,
    demoJobs: defaults.demoJobs,
    queueRateLimits: {},
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
      case '--queue-rate':
        options.queueRateLimits = { ...options.queueRateLimits, ...queueRatesFrom(value(), flag) };
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
