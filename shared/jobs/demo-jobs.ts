import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import '../config/zod-messages.ts';
import { PermanentError } from '../domain/errors.ts';
import { defineJob, defineJobs } from './registry.ts';

/**
 * The demo job types of API.md: registered by the local cloud and by default deployments so a
 * new user (and every test) can see the whole lifecycle before writing a handler. Written with
 * zod/mini, which every function bundles anyway (env.ts), so the demos bring no classic zod in.
 */

/** A whole number from `min` to `max`, as classic zod's `z.number().int().min(min).max(max)`. */
const wholeNumber = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
export const demoJobs = defineJobs({
  'demo.echo': defineJob({
    description: 'Succeeds; its result is the payload.',
    schema: z.unknown(),
    handler: (payload) => payload ?? null,
  }),
  'demo.sleep': defineJob({
    description: 'Waits `ms`, then succeeds; stops at once when its AbortSignal fires.',
    schema: z._default(z.strictObject({ ms: z._default(wholeNumber(0, 900_000), 2000) }), { ms: 2000 }),
    handler: async ({ ms }, ctx) => {
      await sleep(ms, undefined, { signal: ctx.signal });
      return { sleptMs: ms };
    },
  }),
  'demo.fail': defineJob({
    description: 'Throws on attempts 1..failTimes (every attempt when absent), then succeeds.',
    schema: z._default(
      z.strictObject({
        failTimes: z.optional(wholeNumber(0, 1000)),
        permanent: z._default(z.boolean(), false),
        message: z._default(z.string().check(z.maxLength(1000)), 'boom'),
      }),
      { permanent: false, message: 'boom' },
    ),
    handler: ({ failTimes, permanent, message }, ctx) => {
      if (failTimes === undefined || ctx.attempt <= failTimes) {
        if (permanent) throw new PermanentError(message);
        throw new Error(message);
      }
      return { succeededOnAttempt: ctx.attempt };
    },
  }),
  'demo.progress': defineJob({
    description: 'Reports progress 0..100 in `steps` steps of `stepMs`.',
    schema: z._default(z.strictObject({ steps: z._default(wholeNumber(1, 1000), 5), stepMs: z._default(wholeNumber(0, 60_000), 200) }), {
      steps: 5,
      stepMs: 200,
    }),
    handler: async ({ steps, stepMs }, ctx) => {
      ctx.progress(0);
      for (let step = 1; step <= steps; step += 1) {
        await sleep(stepMs, undefined, { signal: ctx.signal });
        ctx.progress(Math.round((step / steps) * 100));
      }
      return { steps };
    },
  }),
});

export const DEMO_TYPE_PREFIX = 'demo.';
