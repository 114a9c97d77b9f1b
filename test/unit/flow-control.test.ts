import { describe, expect, it } from 'vitest';
import { deferral, limitsFor, parallelismRetryDelayMs, queueFlowKey, rateWindowStart } from '../../shared/domain/flow-control.ts';
import { decodeQueueMessage, encodeJobMessage, messageFlowOf, type MessageFlow } from '../../shared/domain/queue-message.ts';
import { jobRequestSchema, jobTemplateSchema } from '../../shared/http/schemas.ts';

/** Flow control's pure parts: windows, deferrals, the limits a job is checked against, messages, validation. */

const T = Date.parse('2026-12-05T00:00:00.000Z');

describe('rateWindowStart', () => {
  it.each([
    { name: 'start of a 1 s window', now: T, period: 1, expected: T },
    { name: 'inside a 1 s window', now: T + 999, period: 1, expected: T },
    { name: 'next 1 s window', now: T + 1000, period: 1, expected: T + 1000 },
    { name: 'inside a 60 s window', now: T + 59_999, period: 60, expected: T },
    { name: 'an hour window', now: T + 3_599_000, period: 3600, expected: T },
  ])('$name', ({ now, period, expected }) => {
    expect(rateWindowStart(now, period)).toBe(expected);
  });
});

describe('deferral of a throttled job', () => {
  it.each([
    { name: 'due now: no delay', until: T, expected: { kind: 'message', delaySeconds: 0 } },
    { name: 'part of a second rounds up (never early)', until: T + 1, expected: { kind: 'message', delaySeconds: 1 } },
    { name: '15 minutes exactly: still SQS', until: T + 900_000, expected: { kind: 'message', delaySeconds: 900 } },
    { name: 'beyond 15 minutes: a one-time schedule', until: T + 900_001, expected: { kind: 'schedule', dueAt: T + 900_001 } },
  ])('$name', ({ until, expected }) => {
    expect(deferral(until, T, 900_000)).toEqual(expected);
  });

  it.each([
    { name: 'a reserved window 2.4 s out: back 0.4 s early, then waits in the worker', until: T + 2400, expected: { kind: 'message', delaySeconds: 2 } },
    { name: 'a reserved window 0.5 s out: at once', until: T + 500, expected: { kind: 'message', delaySeconds: 0 } },
    { name: 'a reserved window exactly 3 s out', until: T + 3000, expected: { kind: 'message', delaySeconds: 3 } },
  ])('early: $name', ({ until, expected }) => {
    expect(deferral(until, T, 900_000, { early: true })).toEqual(expected);
  });

  it.each([
    { random: 0, ms: 1000 },
    { random: 0.199, ms: 1000 },
    { random: 0.2, ms: 2000 },
    { random: 0.5, ms: 3000 },
    { random: 0.999, ms: 5000 },
  ])('a parallelism retry waits whole seconds, 1 to 5 (random $random -> $ms ms)', ({ random, ms }) => {
    expect(parallelismRetryDelayMs(() => random)).toBe(ms);
  });
});

describe('limitsFor', () => {
  const own = { key: 'tenant-42', parallelism: 2, periodSeconds: 1 };
  it.each([
    { name: 'no limits', flow: null, queueRate: undefined, expected: [] },
    { name: 'the job’s own', flow: own, queueRate: undefined, expected: [own] },
    { name: 'the queue’s rate, a key every job of the queue shares', flow: null, queueRate: 50, expected: [{ key: queueFlowKey('normal'), rate: 50, periodSeconds: 1 }] },
    { name: 'both, queue first', flow: own, queueRate: 50, expected: [{ key: 'queue:normal', rate: 50, periodSeconds: 1 }, own] },
  ])('$name', ({ flow, queueRate, expected }) => {
    expect(limitsFor(flow, queueRate, 'normal')).toEqual(expected);
  });
});

describe('a keyed job’s message', () => {
  const flowControl = { key: 'k1', rate: 20, periodSeconds: 1 };
  it.each([
    { name: 'no flow control', flow: {}, decoded: {} },
    { name: 'limits', flow: { flowControl }, decoded: { flowControl } },
    { name: 'limits and a reserved window', flow: { flowControl, reservations: { k1: T } }, decoded: { flowControl, reservations: { k1: T } } },
    { name: 'a queue key’s reservation alone', flow: { reservations: { 'queue:normal': T } }, decoded: { reservations: { 'queue:normal': T } } },
  ] as { name: string; flow: MessageFlow; decoded: MessageFlow }[])('round-trips: $name', ({ flow, decoded }) => {
    const body = encodeJobMessage('job-1', 30_000, flow);
    expect(decodeQueueMessage(body)).toEqual({ kind: 'job', jobId: 'job-1', timeoutMs: 30_000, ...decoded });
  });

  it.each([
    { name: 'no key', f: { r: 2, s: 1 } },
    { name: 'no limit', f: { k: 'a', s: 1 } },
    { name: 'a bad period', f: { k: 'a', r: 2, s: 0 } },
  ])('ignores malformed limits ($name): the claim’s condition then checks the job’s own', ({ f }) => {
    expect(decodeQueueMessage(JSON.stringify({ v: 1, id: 'j', f }))).toEqual({ kind: 'job', jobId: 'j' });
  });

  it('stays small: limits and a reservation add well under 100 bytes', () => {
    const plain = encodeJobMessage('01KBN6Y3A9C5R3C0ZB4QNBP0E4', 30_000).length;
    const keyed = encodeJobMessage('01KBN6Y3A9C5R3C0ZB4QNBP0E4', 30_000, messageFlowOf({ flowControl: { ...flowControl, parallelism: 3 } }, { k1: T }).flow).length;
    expect(keyed - plain).toBeLessThan(100);
  });
});

describe('flowControl validation', () => {
  const body = (flowControl: unknown) => ({ type: 'demo.echo', flowControl });
  it.each([
    { name: 'rate only', fc: { key: 'k', rate: 10 } },
    { name: 'parallelism only', fc: { key: 'k', parallelism: 2 } },
    { name: 'both, with a period', fc: { key: 'tenant-42', parallelism: 2, rate: 10, periodSeconds: 3600 } },
  ])('accepts $name', ({ fc }) => {
    expect(jobRequestSchema.safeParse(body(fc)).success).toBe(true);
    expect(jobTemplateSchema.safeParse(body(fc)).success).toBe(true);
  });

  it.each([
    { name: 'no limit', fc: { key: 'k' }, message: 'flowControl needs at least one of parallelism and rate' },
    { name: 'no key', fc: { rate: 1 }, message: 'flowControl.key is required and must be a string' },
    { name: 'empty key', fc: { key: '', rate: 1 }, message: 'flowControl.key must not be empty' },
    { name: 'zero parallelism', fc: { key: 'k', parallelism: 0 }, message: 'flowControl.parallelism must be between 1 and 1000' },
    { name: 'fractional rate', fc: { key: 'k', rate: 1.5 }, message: 'flowControl.rate must be a whole number' },
    { name: 'period over an hour', fc: { key: 'k', rate: 1, periodSeconds: 3601 }, message: 'flowControl.periodSeconds must be between 1 and 3600' },
    { name: 'an unknown field', fc: { key: 'k', rate: 1, burst: 3 }, message: 'burst' },
    { name: 'not an object', fc: 'k', message: 'flowControl must be an object' },
  ])('refuses $name with a clear message', ({ fc, message }) => {
    const parsed = jobRequestSchema.safeParse(body(fc));
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });
});
