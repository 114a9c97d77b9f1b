import { z } from 'zod';
import { PRIORITIES, type Priority } from './definitions.ts';
import { ENV } from './env-names.ts';

const urlMap = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of queue URLs keyed by priority' });
      return z.NEVER;
    }
  })
  .pipe(z.object(Object.fromEntries(PRIORITIES.map((p) => [p, z.url()])) as Record<Priority, z.ZodURL>));

/** An empty variable counts as unset (so it gets the default), never as 0. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

const intFromEnv = (fallback: number, min: number, max: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).default(fallback));

const schema = z.object({
  [ENV.tableName]: z.string().min(3),
  [ENV.queueUrls]: urlMap,
  [ENV.deadLetterQueueUrls]: urlMap,
  [ENV.jobRetentionSeconds]: intFromEnv(7 * 24 * 3600, 60, 10 * 365 * 24 * 3600),
  [ENV.deadJobRetentionSeconds]: intFromEnv(30 * 24 * 3600, 60, 10 * 365 * 24 * 3600),
  [ENV.maxPayloadBytes]: intFromEnv(262_144, 1, 350_000),
  [ENV.maxResultBytes]: intFromEnv(65_536, 0, 32_768 * 4),
  [ENV.maxJobTimeoutMs]: intFromEnv(285_000, 1_000, 900_000),
  [ENV.cancelPollMs]: intFromEnv(1_000, 50, 60_000),
  [ENV.demoJobs]: z.preprocess(
    unsetIfEmpty,
    z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
  ),
  [ENV.apiToken]: z.preprocess(unsetIfEmpty, z.string().min(16, 'must be at least 16 characters').optional()),
});

export interface SkyForgeConfig {
  tableName: string;
  queueUrls: Record<Priority, string>;
  deadLetterQueueUrls: Record<Priority, string>;
  jobRetentionSeconds: number;
  deadJobRetentionSeconds: number;
  maxPayloadBytes: number;
  maxResultBytes: number;
  maxJobTimeoutMs: number;
  cancelPollMs: number;
  demoJobs: boolean;
  apiToken: string | undefined;
}

/** Parses the handlers' environment once, at cold start; a missing or bad name fails loudly. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SkyForgeConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`SkyForge configuration is invalid: ${problems}`);
  }
  const e = parsed.data;
  return {
    tableName: e[ENV.tableName],
    queueUrls: e[ENV.queueUrls],
    deadLetterQueueUrls: e[ENV.deadLetterQueueUrls],
    jobRetentionSeconds: e[ENV.jobRetentionSeconds],
    deadJobRetentionSeconds: e[ENV.deadJobRetentionSeconds],
    maxPayloadBytes: e[ENV.maxPayloadBytes],
    maxResultBytes: e[ENV.maxResultBytes],
    maxJobTimeoutMs: e[ENV.maxJobTimeoutMs],
    cancelPollMs: e[ENV.cancelPollMs],
    demoJobs: e[ENV.demoJobs],
    apiToken: e[ENV.apiToken],
  };
}
