import { describe, expect, it } from 'vitest';
import {
  acceptedTracestate,
  childSpan,
  continueTrace,
  formatTraceparent,
  isSampled,
  newId,
  parseTraceparent,
  storedTrace,
  traceIdOf,
} from '../../shared/domain/trace-context.ts';
import { decodeQueueMessage, encodeJobMessage, messageFlowOf } from '../../shared/domain/queue-message.ts';
import { otlpSettings } from '../../shared/config/env.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

/** Hex digits from a fixed sequence, so ids are predictable: 8 bytes -> '1111111111111111', then '2222...'. */
function counterHex(): (bytes: number) => string {
  let n = 0;
  return (bytes) => {
    n += 1;
    return String(n % 10).repeat(bytes * 2);
  };
}

describe('parseTraceparent (W3C Trace Context, version 00)', () => {
  it.each([
    ['a valid sampled header', VALID, { traceId: TRACE, parentId: PARENT, flags: '01' }],
    ['a valid unsampled header', `00-${TRACE}-${PARENT}-00`, { traceId: TRACE, parentId: PARENT, flags: '00' }],
    ['surrounding spaces (OWS)', `  ${VALID} `, { traceId: TRACE, parentId: PARENT, flags: '01' }],
    ['a later version with more fields', `01-${TRACE}-${PARENT}-01-what-comes-next`, { traceId: TRACE, parentId: PARENT, flags: '01' }],
    ['a later version of exactly 55 characters', `cc-${TRACE}-${PARENT}-09`, { traceId: TRACE, parentId: PARENT, flags: '09' }],
  ])('accepts %s', (_, header, expected) => {
    expect(parseTraceparent(header)).toEqual(expected);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with a trailing field', `${VALID}-extra`],
    ['a later version followed by something that is not a dash', `01-${TRACE}-${PARENT}-01x`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['a non-hex flag', `00-${TRACE}-${PARENT}-0g`],
    ['underscores for dashes', `00_${TRACE}_${PARENT}_01`],
    ['a header injection attempt', `00-${TRACE}-${PARENT}-01\r\nx: y`],
  ])('refuses %s', (_, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe('acceptedTracestate', () => {
  it.each([
    ['one member', 'congo=t61rcWkgMzE', 'congo=t61rcWkgMzE'],
    ['two members, kept verbatim', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
    ['32 members', Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(','), Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(',')],
  ])('keeps %s', (_, header, expected) => {
    expect(acceptedTracestate(header)).toBe(expected);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', '  '],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['more than 512 characters', `a=${'x'.repeat(511)}`],
    ['a member without a value', 'rojo'],
    ['a line break', 'a=b\r\nx: y'],
  ])('drops %s', (_, header) => {
    expect(acceptedTracestate(header)).toBeUndefined();
  });
});

describe('continueTrace', () => {
  it('continues a valid parent: same trace, a new span whose parent is the caller, tracestate kept', () => {
    // Act
    const trace = continueTrace({ traceparent: VALID, tracestate: 'congo=t61rcWkgMzE' }, counterHex());
    // Assess
    expect(trace).toEqual({ traceId: TRACE, spanId: '1111111111111111', parentSpanId: PARENT, flags: '01', tracestate: 'congo=t61rcWkgMzE' });
    expect(formatTraceparent(trace)).toBe(`00-${TRACE}-1111111111111111-01`);
  });

  it('keeps only the sampled bit of the flags', () => {
    expect(continueTrace({ traceparent: `00-${TRACE}-${PARENT}-03` }).flags).toBe('01');
    expect(continueTrace({ traceparent: `00-${TRACE}-${PARENT}-02` }).flags).toBe('00');
  });

  it.each([
    ['no header', {}],
    ['an invalid header, with a tracestate that is then ignored', { traceparent: 'garbage', tracestate: 'congo=t61rcWkgMzE' }],
  ])('starts a new sampled trace for %s', (_, headers) => {
    // Act
    const trace = continueTrace(headers, counterHex());
    // Assess
    expect(trace).toEqual({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), flags: '01' });
  });

  it('draws fresh ids with node:crypto: 32 and 16 hex digits, different each time', () => {
    const a = continueTrace({});
    const b = continueTrace({});
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.traceId).not.toBe(b.traceId);
  });

  it('never returns an all-zero id', () => {
    const draws = ['0000000000000000', '0000000000000000', 'abcdef0123456789'];
    expect(newId(8, () => draws.shift() as string)).toBe('abcdef0123456789');
  });
});

describe('stored trace context', () => {
  it('a stored traceparent is the parent of the next spans; children keep the trace, flags and tracestate', () => {
    // Act
    const parent = storedTrace(VALID, 'congo=t61rcWkgMzE');
    const child = childSpan(parent ?? { traceId: '', spanId: '', flags: '' }, counterHex());
    // Assess
    expect(parent).toEqual({ traceId: TRACE, spanId: PARENT, flags: '01', tracestate: 'congo=t61rcWkgMzE' });
    expect(child).toEqual({ traceId: TRACE, spanId: '1111111111111111', parentSpanId: PARENT, flags: '01', tracestate: 'congo=t61rcWkgMzE' });
  });

  it.each([null, undefined, '', 'not-a-traceparent'])('%s is no trace', (value) => {
    expect(storedTrace(value)).toBeNull();
    expect(traceIdOf(value)).toBeNull();
  });

  it.each([
    ['01', true],
    ['00', false],
    ['03', true],
  ])('flags %s sampled: %s', (flags, sampled) => {
    expect(isSampled({ flags })).toBe(sampled);
  });
});

describe('a job message carries its traceparent (tp)', () => {
  it('round-trips, and a job without one sends none', () => {
    // Arrange
    const carried = messageFlowOf({ flowControl: null, traceparent: VALID });
    // Act
    const body = encodeJobMessage('job-1', 30_000, carried.flow, carried.traceparent);
    // Assess
    expect(JSON.parse(body)).toEqual({ v: 1, id: 'job-1', tp: VALID, t: 30_000 });
    expect(decodeQueueMessage(body)).toEqual({ kind: 'job', jobId: 'job-1', timeoutMs: 30_000, traceparent: VALID });
    expect(messageFlowOf({ flowControl: null, traceparent: null })).toEqual({});
  });

  it('a malformed tp is ignored, not fatal: the job still runs', () => {
    expect(decodeQueueMessage('{"v":1,"id":"job-1","tp":"00-bad"}')).toEqual({ kind: 'job', jobId: 'job-1' });
  });
});

describe('otlpSettings (OpenTelemetry exporter variables)', () => {
  it.each([
    ['a base endpoint gets /v1/traces', undefined, 'http://collector:4318/', undefined, { tracesUrl: 'http://collector:4318/v1/traces', headers: {} }],
    ['the traces endpoint wins, as is', 'http://c:4318/custom', 'http://other:4318', undefined, { tracesUrl: 'http://c:4318/custom', headers: {} }],
    ['headers are decoded', undefined, 'http://c:4318', 'api-key=a%20b, x-team = core ,broken', { tracesUrl: 'http://c:4318/v1/traces', headers: { 'api-key': 'a b', 'x-team': 'core' } }],
    ['nothing set: no export', undefined, undefined, 'a=b', undefined],
  ])('%s', (_, traces, endpoint, headers, expected) => {
    expect(otlpSettings(traces, endpoint, headers)).toEqual(expected);
  });
});
