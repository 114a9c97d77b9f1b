import { describe, expect, it } from 'vitest';
import { failureFingerprint, fingerprintOf, normalizeFailureMessage } from '../../shared/domain/failure-fingerprint.ts';
import { deadChanges, requeueChanges } from '../../shared/domain/job-changes.ts';

const at = '2026-11-23T12:00:00.000Z';
const dead = (type: string, name: string, message: string) => ({ type, lastError: { name, message, at }, deadReason: 'x' });

describe('failure fingerprints', () => {
  it.each([
    ['card 4242 declined', 'card <n> declined'],
    ['timeout after 3000 ms (attempt 2/5)', 'timeout after <n> ms (attempt <n>/<n>)'],
    ['GET https://api.example.com/v1/orders/42?x=1 failed: 503', 'GET <url> failed: <n>'],
    ['user "alice" not found', 'user <value> not found'],
    ["key 'k-17' missing", 'key <value> missing'],
    ['job 01K9Z3Q8M4N5P6R7S8T9V0W1X2 is gone', 'job <id> is gone'],
    ['row 3f2b1c9e-8a7d-4e6f-9b0a-1c2d3e4f5a6b locked', 'row <id> locked'],
    ['commit deadbeef42cafe not found', 'commit <id> not found'],
    ['mail to bob@example.com bounced', 'mail to <email> bounced'],
    ['due 2026-11-23T12:00:00Z passed', 'due <time> passed'],
    ['  too   many\n spaces ', 'too many spaces'],
    ['no variable parts', 'no variable parts'],
    ['a deadline is not an id', 'a deadline is not an id'],
  ])('normalizes %j to %j', (message, normalized) => {
    expect(normalizeFailureMessage(message)).toBe(normalized);
  });

  it('gives failures that differ only in their variable parts one fingerprint of 16 hex digits', () => {
    const a = failureFingerprint(dead('email.send', 'Error', 'SMTP 550 for "a@b.com" after 3000 ms'));
    const b = failureFingerprint(dead('email.send', 'Error', 'SMTP 421 for "c@d.org" after 12 ms'));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(b).toBe(a);
  });

  it.each([
    ['another type', dead('sms.send', 'Error', 'SMTP 550')],
    ['another error name', dead('email.send', 'TypeError', 'SMTP 550')],
    ['another message', dead('email.send', 'Error', 'mailbox full')],
  ])('tells groups apart by %s', (_, other) => {
    expect(failureFingerprint(other)).not.toBe(failureFingerprint(dead('email.send', 'Error', 'SMTP 550')));
  });

  it('groups jobs dead-lettered without an error by their dead reason', () => {
    const manual = (reason: string) => ({ type: 't', lastError: null, deadReason: reason });
    expect(failureFingerprint(manual('moved by request: order 12'))).toBe(failureFingerprint(manual('moved by request: order 13')));
  });

  it('fingerprints DEAD jobs only', () => {
    expect(fingerprintOf({ ...dead('t', 'Error', 'boom'), status: 'DEAD' })).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf({ ...dead('t', 'Error', 'boom'), status: 'RETRYING' })).toBeUndefined();
  });

  it('is stored by the write that makes a job DEAD, from the error that ended it, and cleared by a replay', () => {
    const job = { idempotencyKey: null, type: 'email.send', lastError: { name: 'Error', message: 'old 1', at } };
    const ending = { at: Date.parse(at), retention: { jobRetentionSeconds: 60, deadJobRetentionSeconds: 60 }, releasesLease: true, reason: 'r' };
    const lastError = { name: 'TypeError', message: 'x is 42', at };
    expect(deadChanges(job, { ...ending, lastError }).fingerprint).toBe(failureFingerprint({ type: 'email.send', lastError, deadReason: 'r' }));
    expect(deadChanges(job, ending).fingerprint).toBe(failureFingerprint({ type: 'email.send', lastError: job.lastError, deadReason: 'r' }));
    expect(requeueChanges(true).fingerprint).toBeNull();
  });

  it('prefers the stored fingerprint, and computes one for a job that died before they were stored', () => {
    const job = { ...dead('t', 'Error', 'boom'), status: 'DEAD' as const };
    expect(fingerprintOf({ ...job, fingerprint: 'feedfacefeedface' })).toBe('feedfacefeedface');
    expect(fingerprintOf({ ...job, fingerprint: null })).toBe(failureFingerprint(job));
  });
});
