import { createHash } from 'node:crypto';
import type { Job } from './job.ts';

/**
 * Failure groups (API.md, Dead letters): dead jobs that failed "the same way" share a
 * fingerprint, a short hash of the job type, the last error's name and its message with the
 * variable parts normalized away, as Sentry and Trigger.dev group errors. The order of the rules
 * matters: URLs and e-mail addresses before the ids and numbers inside them.
 */
const NORMALIZERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>)]+/gi, '<url>'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '<email>'],
  [/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '<value>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<id>'],
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, '<time>'],
  [/(?<![\w<])[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?/gi, '<n>'],
  [/\s+/g, ' '],
];

/** Longest message text looked at (a stack-like message differs only in its tail). */
const MAX_MESSAGE = 500;

/** The message with its variable parts replaced: `card 4242 declined for "o-1"` -> `card <n> declined for <value>`. */
export function normalizeFailureMessage(message: string): string {
  let text = message.slice(0, MAX_MESSAGE);
  for (const [pattern, replacement] of NORMALIZERS) text = text.replace(pattern, replacement);
  return text.trim();
}

/** What a dead job failed with: its last error, else (dead-lettered by hand or by SQS) its dead reason. */
export function failureOf(job: Pick<Job, 'lastError' | 'deadReason'>): { errorName: string; message: string } {
  if (job.lastError) return { errorName: job.lastError.name, message: job.lastError.message };
  return { errorName: 'DeadLettered', message: job.deadReason ?? '' };
}

/**
 * 16 hex digits (64 bits) of SHA-256 over type, error name and normalized message.
 *
 * @example
 * failureFingerprint({ type: 'email.send', lastError: { name: 'Error', message: 'timeout after 3000 ms', at }, deadReason: null })
 *   === failureFingerprint({ type: 'email.send', lastError: { name: 'Error', message: 'timeout after 5000 ms', at }, deadReason: null });
 */
export function failureFingerprint(job: Pick<Job, 'type' | 'lastError' | 'deadReason'>): string {
  const { errorName, message } = failureOf(job);
  return createHash('sha256').update(`${job.type}\n${errorName}\n${normalizeFailureMessage(message)}`).digest('hex').slice(0, 16);
}

/**
 * A DEAD job's fingerprint: the one its dead write stored (deadChanges), or for a job that died
 * before fingerprints were stored, the same computed from its fields. None for any other status.
 */
export function fingerprintOf(job: Pick<Job, 'status' | 'type' | 'lastError' | 'deadReason'> & { fingerprint?: string | null }): string | undefined {
  // 'DEAD' spelled out: job.ts imports this module for its view.
  return job.status === 'DEAD' ? (job.fingerprint ?? failureFingerprint(job)) : undefined;
}

export const FINGERPRINT = /^[0-9a-f]{16}$/;
