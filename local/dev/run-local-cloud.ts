import { CliUsageError, parseCliOptions, type CliDefaults } from '../cli-options.ts';
import { ensureDashboardAssets } from '../../ui/build.ts';
import { STOP_GRACE_MS, startDevServer } from './dev-server.ts';

export interface RunLocalCloudOptions {
  /** The data folder and demo types unless flags say otherwise. */
  defaults?: CliDefaults;
  /** Printed for --help and after a usage error. */
  usage: string;
}

/** Past this the shutdown itself is stuck; leave rather than hang the terminal. */
const STOP_DEADLINE_MS = 25_000;

/** Errors whose message is the whole story: one line, no stack. */
const EXPECTED_ERRORS = new Set(['PortInUseError', 'DataDirInUseError', 'TableSchemaMismatchError', 'CliUsageError', 'JobRegistryModuleError', 'MissingCdkError', 'UnsupportedPolicyError', 'UnresolvableIntrinsicError']);

/**
 * The AWS SDK warns at length on Node < 22 about its releases after January 2027. The deployed
 * functions run nodejs24.x, so it only concerns this machine: one line instead of ten.
 */
function quietSdkNodeWarning(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22 && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    console.error(`note: Node ${process.versions.node} works; AWS SDK releases after January 2027 will need Node 22 or newer`);
  }
}

async function start(argv: readonly string[], how: RunLocalCloudOptions): Promise<boolean> {
  quietSdkNodeWarning();
  const options = parseCliOptions(argv, process.env, how.defaults);
  if (options.help) {
    console.log(how.usage);
    return false;
  }
  const server = await startDevServer({ options, cwd: process.cwd(), log: (line) => console.error(`[skyforge] ${line}`) });
  const { cloud } = server;
  console.log(server.banner);
  // Build the dashboard now (when ui/ changed) rather than on its first page view; a failure is
  // reported and the API runs on.
  ensureDashboardAssets().catch((error: unknown) => console.error(`[skyforge] the dashboard could not be built: ${(error as Error).message}`));

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`\n${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.error(`\n${signal}: stopping (running batches get up to ${STOP_GRACE_MS / 1000} s; ${signal === 'SIGINT' ? 'Ctrl-C again to quit at once' : 'SIGINT to quit at once'})`);
    setTimeout(() => {
      console.error('shutdown is taking too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    server.stop().then(
      () => {
        console.error(cloud.dataDir === null ? 'stopped' : `stopped; state saved in ${cloud.dataDir}`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return true;
}

/**
 * `npm start` and `skyforge dev`: starts the local cloud for this command line (see
 * dev-server.ts), prints where everything is, and runs until Ctrl-C or SIGTERM, which stop
 * polling, let running batches finish (up to 10 s), save state and exit 0; a second Ctrl-C
 * exits at once. Answers undefined once the cloud runs (the process exits from its signal
 * handlers), 0 after --help, and 1 (after one line on stderr) when the cloud cannot start.
 */
export async function runLocalCloud(argv: readonly string[], how: RunLocalCloudOptions): Promise<number | undefined> {
  try {
    return (await start(argv, how)) ? undefined : 0;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (EXPECTED_ERRORS.has(name)) {
      console.error(`skyforge: ${(error as Error).message}`);
      if (error instanceof CliUsageError) console.error(how.usage);
    } else {
      console.error('skyforge: the local cloud failed to start:', error);
    }
    return 1;
  }
}
