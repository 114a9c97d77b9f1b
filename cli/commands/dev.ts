import { join } from 'node:path';
import { defineCommand, type CommandContext } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { LOCAL_CLOUD_FLAGS } from '../../local/local-cloud-flags.ts';

/** The local cloud's flags, passed on as `npm start` takes them (local/cli-options.ts). */
function localCloudArgv(ctx: CommandContext): string[] {
  return Object.keys(LOCAL_CLOUD_FLAGS).flatMap((name) => {
    if (!ctx.args.has(name)) return [];
    const value = ctx.args.string(name);
    return value === undefined ? [`--${name}`] : [`--${name}`, value];
  });
}

export const devCommand = defineCommand({
  name: 'dev',
  summary: 'Run the local cloud with your job types; reloads them when their files change.',
  usage: ['dev --jobs <module> [--port <n>] [--edge-port <n>] [--data-dir <path>] [--memory] [--demo-jobs] [--queue-rate <queue=n,...>]'],
  description: [
    'The whole SkyForge cloud in this process, as `npm start` runs it in the SkyForge repository: the',
    'API, the worker and the dead-letter consumer against DynamoDB (dynalite), SQS and EventBridge',
    'Scheduler emulators on one AWS edge port. --jobs names your registry module (TypeScript or',
    'JavaScript, exporting `jobs`); when it or a file it imports changes, the handlers reload without',
    'a restart: queues, table and schedules stay, running attempts finish on the code they started',
    'with, and a module that fails to load keeps the previous code. Ctrl-C stops (running batches get',
    'up to 10 s) and saves state in .skyforge/ (unless --memory).',
  ].join('\n'),
  options: LOCAL_CLOUD_FLAGS,
  positionals: { min: 0, max: 0 },
  examples: ['skyforge dev --jobs src/jobs.ts', 'skyforge dev --jobs src/jobs.ts --port 0 --memory'],
  run: async (ctx) => {
    if (!ctx.args.has('jobs') && !ctx.args.flag('demo-jobs')) {
      throw new CliUsageError('dev needs --jobs <module> (your job registry; or --demo-jobs to try the demo types)', 'dev');
    }
    // Loaded only here: the local cloud (dynalite, emulators, esbuild) is no cost for other commands.
    const { runLocalCloud } = await import('../../local/dev/run-local-cloud.ts');
    const { USAGE } = await import('../../local/cli-options.ts');
    const usage = USAGE.replace('Usage: npm start -- [options]', 'Usage: skyforge dev --jobs <module> [options]');
    const code = await runLocalCloud(localCloudArgv(ctx), { usage, defaults: { dataDir: join(ctx.cwd, '.skyforge'), demoJobs: false } });
    if (code !== undefined) return code === 0 ? EXIT.OK : EXIT.ERROR;
    // Running: the local cloud's signal handlers end the process.
    return new Promise<number>(() => undefined);
  },
});
