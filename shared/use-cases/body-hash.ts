import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal bodies hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

/**
 * The id of a job submitted with an idempotency key is derived from the key, so the job item's
 * own "create if absent" condition is the idempotency lock: no separate key item, no extra write.
 */
export function jobIdForIdempotencyKey(key: string): string {
  return `k${sha256(`idempotency\u0000${key}`).slice(0, 25)}`;
}

/**
 * The id of the job a schedule firing creates, derived from the schedule and the scheduled time:
 * a firing delivered twice (Scheduler and SQS are both at-least-once) makes one job.
 */
export function jobIdForFiring(scheduleName: string, scheduledAt: string): string {
  return `s${sha256(`firing\u0000${scheduleName}\u0000${scheduledAt}`).slice(0, 25)}`;
}
