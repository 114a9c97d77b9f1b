import * as z from 'zod/mini';
import '../config/zod-messages.ts';
import { LIMITS } from '../domain/job-defaults.ts';
import { MAX_MINUTES } from '../domain/minute-counts.ts';
import { deadListQuerySchema, replayManyBodySchema } from './schemas.ts';

/**
 * Requests of the routes the operator dashboard added: failure groups (API.md, Dead letters)
 * and per-minute counts for its charts (their answers: response-schemas.ts). zod/mini, as
 * schemas.ts says why.
 */
const fingerprintSchema = z.string().check(z.regex(/^[0-9a-f]{16}$/, { error: 'fingerprint must be 16 lower-case hex digits (see GET /dlq/groups)' }));

/** GET /dlq?type=&fingerprint=&limit=&cursor= */
export const deadListByGroupQuerySchema = z.extend(deadListQuerySchema, { fingerprint: z.optional(fingerprintSchema) });

/** GET /dlq/groups?type= */
export const failureGroupQuerySchema = z.pick(deadListQuerySchema, { type: true });

/** POST /dlq/groups/{fingerprint}/replay { limit? } */
// Strict as replayManyBodySchema is: z.pick keeps its catchall (classic wrote `.pick(...).strict()`).
export const groupReplayBodySchema = z.pick(replayManyBodySchema, { limit: true });

export const fingerprintParamSchema = fingerprintSchema;

/** GET /stats/minutes?minutes= (default 60, at most MAX_MINUTES) */
export const minutesQuerySchema = z.object({
  minutes: z.pipe(
    z.optional(z.string()),
    z.transform((raw, ctx) => {
      if (raw === undefined || raw === '') return 60;
      const n = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(n) || n < 1 || n > MAX_MINUTES) {
        // zod/mini's transform context has no addIssue (classic's adds one that does exactly this).
        ctx.issues.push({ code: 'custom', message: `minutes must be a whole number from 1 to ${MAX_MINUTES}`, input: raw });
        return z.NEVER;
      }
      return n;
    }),
  ),
});

export const replayLimitDefault = LIMITS.maxReplayLimit;
