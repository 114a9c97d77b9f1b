import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { PermanentError } from '../domain/errors.ts';
import { defineJob, defineJobs } from './registry.ts';

/**
 * The demo job types of API.md: registered by the local cloud and by default deployments so a
 * new user (and every test) can see the whole lifecycle before writing a handler.
 */
export const demoJobs = defineJobs({
  'demo.echo': defineJob({
    description: 'Succeeds; its result is the payload.',
    schema: z.unknown(),
    handler: (payload) => payload ?? null,
  }),
  'demo.sleep': defineJob({
    description: 'Waits `ms`, then succeeds; stops at once when its AbortSignal fires.',
    schema: z.object({ ms: z.number().int().min(0).max(900_000).default(2000) }).strict().default({ ms: 2000 }),
    handler: async ({ ms }, ctx) => {
      await sleep(ms, undefined, { signal: ctx.signal });
      return { sleptMs: ms };
    },
  }),
  'demo.fail': defineJob({
    description: 'Throws on attempts 1..failTimes (every attempt when absent), then succeeds.',
    schema: z
      .object({
        failTimes: z.number().int().min(0).max(1000).optional(),
        permanent: z.boolean().default(false),
        message: z.string().max(1000).default('boom'),
      })
      .strict()
      .default({ permanent: false, message: 'boom' }),
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
    schema: z
      .object({ steps: z.number().int().min(1).max(1000).default(5), stepMs: z.number().int().min(0).max(60_000).default(200) })
      .strict()
      .default({ steps: 5, stepMs: 200 }),
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
