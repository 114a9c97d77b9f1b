import { config } from 'zod/mini';
import { en } from 'zod/locales';

/**
 * English messages for every zod schema, as `import 'zod'` sets them. zod/mini (env.ts, the demo
 * job types) leaves the locale to the application: without this, a bundle that holds no classic
 * zod (the worker, the dead-letter and metrics functions) would say "Invalid input" where the
 * api says "Too small: expected number to be >=1". Imported for its effect, by each mini user.
 */
config(en());
