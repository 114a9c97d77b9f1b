import * as z from 'zod';
import { LIMITS } from '../domain/job-defaults.ts';
import { MAX_MINUTES } from '../domain/minute-counts.ts';
import { deadListQuerySchema, replayManyBodySchema } from './schemas.ts';

/**
 * Requests and answers of the routes the operator dashboard added: failure groups
 * (API.md, Dead letters) and per-minute counts for its charts.
 */
const fingerprintSchema = z.string().regex(/^[0-9a-f]{16}$/, { error: 'fingerprint must be 16 lower-case hex digits (see GET /dlq/groups)' });

/** GET /dlq?type=&fingerprint=&limit=&cursor= */
export const deadListByGroupQuerySchema = deadListQuerySchema.extend({ fingerprint: fingerprintSchema.optional() });

/** GET /dlq/groups?type= */
export const failureGroupQuerySchema = deadListQuerySchema.pick({ type: true });

/** POST /dlq/groups/{fingerprint}/replay { limit? } */
export const groupReplayBodySchema = replayManyBodySchema.pick({ limit: true }).strict();

export const fingerprintParamSchema = fingerprintSchema;

/** GET /stats/minutes?minutes= (default 60, at most MAX_MINUTES) */
export const minutesQuerySchema = z.object({
  minutes: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return 60;
      const n = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(n) || n < 1 || n > MAX_MINUTES) {
        ctx.addIssue({ code: 'custom', message: `minutes must be a whole number from 1 to ${MAX_MINUTES}` });
        return z.NEVER;
      }
      return n;
    }),
});

const isoTime = z.iso.datetime({ offset: true });

export const failureGroupsSchema = z.object({
  items: z.array(
    z.object({
      fingerprint: z.string(),
      type: z.string(),
      errorName: z.string(),
      message: z.string().describe('the last error message with its variable parts (numbers, ids, quoted values, URLs) normalized away'),
      count: z.number().int(),
      firstDeadAt: isoTime,
      lastDeadAt: isoTime,
      sampleJobIds: z.array(z.string()),
    }),
  ),
  scanned: z.number().int().describe('dead jobs read to build the groups'),
  truncated: z.boolean().describe('true when only the newest dead jobs were grouped'),
});

export const minuteStatsSchema = z.object({
  items: z.array(
    z.object({
      minute: z.string().describe('UTC minute, yyyy-mm-ddThh:mm'),
      succeeded: z.number().int(),
      failed: z.number().int().describe('failed attempts, retried or not'),
      retried: z.number().int(),
      dead: z.number().int(),
      cancelled: z.number().int(),
    }),
  ),
});

export const replayLimitDefault = LIMITS.maxReplayLimit;
