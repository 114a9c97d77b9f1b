/**
 * `npm start`: the whole SkyForge cloud in this process (see docs in local/cloud.ts).
 * Ctrl-C or SIGTERM stops polling, lets running batches finish (up to 10 s), saves state and
 * exits 0; a second Ctrl-C exits at once.
 */
import { renderBanner } from './banner.ts';
import { CliUsageError, USAGE, parseCliOptions } from './cli-options.ts';
import { startLocalCloud, type LocalCloud } from './cloud.ts';

const STOP_GRACE_MS = 10_000;
/** Past this the shutdown itself is stuck; leave rather than hang the terminal. */
const STOP_DEADLINE_MS = 25_000;

/** Errors whose message is the whole story: one line, no stack. */
const EXPECTED_ERRORS = new Set(['PortInUseError', 'DataDirInUseError', 'TableSchemaMismatchError', 'CliUsageError']);

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

async function main(): Promise<void> {
  quietSdkNodeWarning();
  const options = parseCliOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const cloud: LocalCloud = await startLocalCloud({
    port: options.port,
    edgePort: options.edgePort,
    ...(options.memory ? { memory: true } : { dataDir: options.dataDir }),
    stopTimeoutMs: STOP_GRACE_MS,
    ...(options.workerTimeoutSeconds ? { workerTimeoutSeconds: options.workerTimeoutSeconds } : {}),
  });
  console.log(
    renderBanner({ apiUrl: cloud.apiUrl, edgeUrl: cloud.edgeUrl, dataDir: cloud.dataDir, jobTypes: cloud.jobTypes() }),
  );

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
    cloud.stop().then(
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
}

main().catch((error: unknown) => {
  const name = error instanceof Error ? error.name : '';
  if (EXPECTED_ERRORS.has(name)) {
    console.error(`skyforge: ${(error as Error).message}`);
    if (error instanceof CliUsageError) console.error(USAGE);
  } else {
    console.error('skyforge: the local cloud failed to start:', error);
  }
  process.exit(1);
});
