/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): parsing and writing `traceparent`
 * and `tracestate`, and the ids of new traces and spans. Pure but for the ids' randomness, which
 * callers may inject.
 */
import { randomFillSync } from 'node:crypto';

/** Where a piece of work sits in a trace: its own span, and the span it continues (if any). */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zero. */
  traceId: string;
  /** This span's id: 16 lowercase hex digits, never all zero. */
  spanId: string;
  /** The span this one continues (the caller's), when there is one. */
  parentSpanId?: string;
  /** Trace flags, 2 hex digits; bit 0 is "sampled". */
  flags: string;
  /** The caller's vendor data, kept verbatim (see acceptedTracestate). */
  tracestate?: string;
}

/** A parsed `traceparent`: the caller's trace and span. */
export interface TraceParent {
  traceId: string;
  parentId: string;
  flags: string;
}

/** n random bytes as lowercase hex. */
export type RandomHex = (bytes: number) => string;

/**
 * Random bytes from a 4 KB pool refilled by one randomFillSync, as crypto.randomUUID pools its
 * entropy: a request or an attempt takes several ids, and a randomBytes call each was 1-2% of
 * the local cloud's main thread under load.
 */
const pool = Buffer.alloc(4096);
let pooled = 0;
const cryptoHex: RandomHex = (bytes) => {
  if (pooled < bytes) {
    randomFillSync(pool);
    pooled = pool.length;
  }
  pooled -= bytes;
  return pool.toString('hex', pooled, pooled + bytes);
};

const HEX = /^[0-9a-f]+$/;
const allZero = (hex: string): boolean => /^0+$/.test(hex);

/**
 * The `traceparent` header, or null when it is not one this version of the spec accepts:
 * `version-traceId-parentId-flags`, lowercase hex, neither id all zeros, version ff forbidden.
 * A later version may append fields after a dash; version 00 is exactly 55 characters.
 */
export function parseTraceparent(header: string | undefined): TraceParent | null {
  if (header === undefined) return null;
  const value = header.trim();
  if (value.length < 55) return null;
  const version = value.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return null;
  if (version === '00' ? value.length !== 55 : value.length > 55 && value[55] !== '-') return null;
  const [, traceId = '', parentId = '', flags = ''] = value.slice(0, 55).split('-');
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return null;
  if (traceId.length !== 32 || parentId.length !== 16 || flags.length !== 2) return null;
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return null;
  if (allZero(traceId) || allZero(parentId)) return null;
  return { traceId, parentId, flags };
}

/** W3C's limits: at most 32 list members; 512 characters is what every vendor must pass on. */
export const TRACESTATE_LIMITS = { maxMembers: 32, maxLength: 512 } as const;

/**
 * The `tracestate` header as sent when it is within the limits and of printable ASCII, else
 * undefined: it is passed on verbatim, never edited, so a header we cannot pass whole is dropped.
 */
export function acceptedTracestate(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value.length === 0 || value.length > TRACESTATE_LIMITS.maxLength) return undefined;
  if (!/^[\x20-\x7e]+$/.test(value)) return undefined;
  const members = value.split(',').filter((m) => m.trim().length > 0);
  if (members.length > TRACESTATE_LIMITS.maxMembers || members.some((m) => !m.includes('='))) return undefined;
  return value;
}

/** A new span id (or trace id with bytes = 16), never all zeros. */
export function newId(bytes: 8 | 16, random: RandomHex = cryptoHex): string {
  for (;;) {
    const id = random(bytes);
    if (!allZero(id)) return id;
  }
}

/** A new trace: a fresh trace id and root span, sampled. */
export function newTrace(random: RandomHex = cryptoHex): TraceContext {
  return { traceId: newId(16, random), spanId: newId(8, random), flags: '01' };
}

/**
 * The span of work asked for with these headers: it continues the caller's trace when the
 * `traceparent` is valid (its `tracestate` kept), else starts a new one (and, as the spec says,
 * ignores the `tracestate` that came with an invalid parent). Only the sampled bit of the
 * caller's flags is passed on, since it is the only one whose meaning version 00 fixes.
 */
export function continueTrace(headers: { traceparent?: string | undefined; tracestate?: string | undefined }, random: RandomHex = cryptoHex): TraceContext {
  const parent = parseTraceparent(headers.traceparent);
  if (!parent) return newTrace(random);
  const tracestate = acceptedTracestate(headers.tracestate);
  const flags = (Number.parseInt(parent.flags, 16) & 1) === 1 ? '01' : '00';
  return { traceId: parent.traceId, spanId: newId(8, random), parentSpanId: parent.parentId, flags, ...(tracestate ? { tracestate } : {}) };
}

/** A child span of `parent`: same trace, flags and tracestate, a new span id. */
export function childSpan(parent: TraceContext, random: RandomHex = cryptoHex): TraceContext {
  return { ...parent, spanId: newId(8, random), parentSpanId: parent.spanId };
}

/** The `traceparent` header naming this span as the parent of what it calls. */
export function formatTraceparent(context: Pick<TraceContext, 'traceId' | 'spanId' | 'flags'>): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`;
}

/** Whether the trace's flags ask for it to be recorded. */
export function isSampled(context: Pick<TraceContext, 'flags'>): boolean {
  return (Number.parseInt(context.flags, 16) & 1) === 1;
}

/**
 * The context a stored `traceparent` (and `tracestate`) names, as the parent of what runs next:
 * its span becomes the parent; the new span's id comes from childSpan. Null for a missing or
 * malformed value (a job stored before traces existed).
 */
export function storedTrace(traceparent: string | null | undefined, tracestate?: string | null): TraceContext | null {
  const parent = parseTraceparent(traceparent ?? undefined);
  if (!parent) return null;
  return { traceId: parent.traceId, spanId: parent.parentId, flags: parent.flags, ...(tracestate ? { tracestate } : {}) };
}

/** The trace id of a stored `traceparent`, or null. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  return parseTraceparent(traceparent ?? undefined)?.traceId ?? null;
}
