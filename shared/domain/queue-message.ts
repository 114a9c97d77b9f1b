/** The bodies of SkyForge's SQS messages: a job id (claim check) or a schedule's firing. */
import type { FlowControl } from './flow-control.ts';
import { parseTraceparent } from './trace-context.ts';

/**
 * What a keyed job's message carries so the worker checks its limits without reading the job:
 * the limits (`f`), and the rate windows already reserved for it (`w`, key -> window start) when
 * a full window sent it to a later one.
 */
export interface MessageFlow {
  flowControl?: FlowControl;
  reservations?: Record<string, number>;
}

/**
 * A job's message: its id, and its timeout so the worker can hide the message for just the
 * attempt's lease as soon as it receives it (see messageVisibilitySeconds).
 */
/**
 * What a job's message carries besides its id: its limits (nothing for a job without flow
 * control) and its trace context (`tp`, so the worker's lines carry the trace id before the claim).
 */
export function messageFlowOf(
  job: { flowControl: FlowControl | null; traceparent?: string | null },
  reservations?: Record<string, number>,
): { flow?: MessageFlow; traceparent?: string } {
  const trace = job.traceparent ? { traceparent: job.traceparent } : {};
  if (!job.flowControl) return reservations ? { flow: { reservations }, ...trace } : trace;
  return { flow: { flowControl: job.flowControl, ...(reservations ? { reservations } : {}) }, ...trace };
}

export function encodeJobMessage(jobId: string, timeoutMs?: number, flow: MessageFlow = {}, traceparent?: string): string {
  const body: Record<string, unknown> = { v: 1, id: jobId };
  if (traceparent) body.tp = traceparent;
  if (timeoutMs !== undefined) body.t = timeoutMs;
  if (flow.flowControl) {
    const { key, parallelism, rate, periodSeconds } = flow.flowControl;
    body.f = { k: key, ...(parallelism !== undefined ? { p: parallelism } : {}), ...(rate !== undefined ? { r: rate } : {}), s: periodSeconds };
  }
  if (flow.reservations && Object.keys(flow.reservations).length > 0) body.w = flow.reservations;
  return JSON.stringify(body);
}

/**
 * The Input of a recurring schedule's target: EventBridge Scheduler substitutes the scheduled
 * time, so each firing names itself and the worker derives the job id from (schedule, time).
 */
export function encodeFiringMessageTemplate(scheduleName: string): string {
  return `{"v":1,"schedule":${JSON.stringify(scheduleName)},"at":"<aws.scheduler.scheduled-time>"}`;
}

export type QueueMessage =
  /** timeoutMs: the job's timeout when the message was sent (absent in older messages). */
  | ({ kind: 'job'; jobId: string; timeoutMs?: number; traceparent?: string } & MessageFlow)
  | { kind: 'firing'; scheduleName: string; scheduledAt: string };

/** What a message body asks for, or null when it is not a SkyForge message. */
export function decodeQueueMessage(body: string): QueueMessage | null {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; t?: unknown; f?: unknown; w?: unknown; tp?: unknown; schedule?: unknown; at?: unknown };
    if (typeof parsed.id === 'string' && parsed.id.length > 0) {
      const timeout = typeof parsed.t === 'number' && Number.isInteger(parsed.t) && parsed.t > 0 ? { timeoutMs: parsed.t } : {};
      const trace = typeof parsed.tp === 'string' && parseTraceparent(parsed.tp) ? { traceparent: parsed.tp } : {};
      return { kind: 'job', jobId: parsed.id, ...timeout, ...decodeFlow(parsed.f, parsed.w), ...trace };
    }
    if (typeof parsed.schedule === 'string' && typeof parsed.at === 'string' && !Number.isNaN(Date.parse(parsed.at))) {
      return { kind: 'firing', scheduleName: parsed.schedule, scheduledAt: new Date(Date.parse(parsed.at)).toISOString() };
    }
    return null;
  } catch {
    return null;
  }
}

const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** A message's flow control, or nothing when it carries none (or a malformed one: the claim's condition then catches it). */
function decodeFlow(f: unknown, w: unknown): MessageFlow {
  const { k, p, r, s } = (f && typeof f === 'object' ? f : {}) as Record<string, unknown>;
  const valid = typeof k === 'string' && k.length > 0 && positiveInt(s) && (positiveInt(p) || positiveInt(r));
  const flowControl: FlowControl | undefined = valid
    ? { key: k, periodSeconds: s, ...(positiveInt(p) ? { parallelism: p } : {}), ...(positiveInt(r) ? { rate: r } : {}) }
    : undefined;
  const reservations =
    w && typeof w === 'object'
      ? Object.fromEntries(Object.entries(w as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'))
      : {};
  return { ...(flowControl ? { flowControl } : {}), ...(Object.keys(reservations).length > 0 ? { reservations } : {}) };
}
