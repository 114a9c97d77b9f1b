/**
 * `npm start`: the whole SkyForge cloud in this process with the project's default registry and
 * the demo types (see local/dev/run-local-cloud.ts and local/cloud.ts).
 */
import { USAGE } from './cli-options.ts';
import { runLocalCloud } from './dev/run-local-cloud.ts';

const code = await runLocalCloud(process.argv.slice(2), { usage: USAGE });
// undefined: the cloud runs, and exits from its signal handlers.
if (code !== undefined) process.exit(code);
