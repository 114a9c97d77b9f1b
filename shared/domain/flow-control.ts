/**
 * Flow control (API.md "Flow control"): at most `parallelism` jobs of one key run at once, at
 * most `rate` jobs of one key start in any window of `periodSeconds`. The limits are checked
 * before the claim, so a throttled job uses no attempt: it stays QUEUED with `throttledUntil`
 * and `throttleReason` and its message is sent again with a delay. Pure: the decisions here are
 * tested with tables; the table items live in adapters/dynamodb/dynamodb-flow-control-store.ts.
 */

export interface FlowControl {
  /** Who shares the limits: a tenant, a job type, a third-party API. */
  key: string;
  /** At most this many jobs of the key run at once. */
  parallelism?: number;
  /** At most this many jobs of the key start in any window of periodSeconds. */
  rate?: number;
  periodSeconds: number;
}

export const FLOW_CONTROL_LIMITS = {
  maxKeyLength: 128,
  maxParallelism: 1000,
  maxRate: 100_000,
  maxPeriodSeconds: 3600,
  defaultPeriodSeconds: 1,
} as const;

export const THROTTLE_REASON = { rate: 'rate', parallelism: 'parallelism' } as const;
export type ThrottleReason = (typeof THROTTLE_REASON)[keyof typeof THROTTLE_REASON];

/** Every job of a queue with a rate limit shares this key (TaskForge's RATE_LIMIT_PER_SEC). */
export function queueFlowKey(priority: string): string {
  return `queue:${priority}`;
}

/** Start (epoch ms) of the fixed window of `periodSeconds` that holds `nowMs`. Windows align to the epoch. */
export function rateWindowStart(nowMs: number, periodSeconds: number): number {
  const periodMs = periodSeconds * 1000;
  return Math.floor(nowMs / periodMs) * periodMs;
}

/** A job denied a parallelism slot comes back after 1..PARALLELISM_RETRY_SPREAD seconds. */
export const PARALLELISM_RETRY_SPREAD = 5;

/**
 * How long a job denied a parallelism slot waits before it is tried again: a whole number of
 * seconds (SQS delays are whole seconds), drawn uniformly from 1 to 5. A slot frees when an
 * attempt ends and the store does not know when that is; with one fixed delay every waiting job
 * of a key comes back in the same instant, `parallelism` of them start and the slots then stand
 * idle until the next wave (measured: 40 jobs of 400 ms at parallelism 3 took 25 s, 3 starts
 * every 2 s). Spread over five seconds, a fifth of the waiters comes back each second.
 */
export function parallelismRetryDelayMs(random: () => number): number {
  return 1000 * (1 + Math.min(PARALLELISM_RETRY_SPREAD - 1, Math.floor(random() * PARALLELISM_RETRY_SPREAD)));
}

/** What the limits say about starting a job now. */
export type FlowDecision =
  | { kind: 'start'; rateWindow: number | null; slot: boolean }
  | { kind: 'throttle'; reason: ThrottleReason; untilMs: number };

/**
 * The limits a job is checked against: its own flow control and its queue's rate limit (a key
 * every job of the queue shares). A queue limit is a rate per second.
 */
export function limitsFor(flowControl: FlowControl | null, queueRatePerSecond: number | undefined, priority: string): FlowControl[] {
  const limits: FlowControl[] = [];
  if (queueRatePerSecond !== undefined && queueRatePerSecond > 0) {
    limits.push({ key: queueFlowKey(priority), rate: queueRatePerSecond, periodSeconds: 1 });
  }
  if (flowControl) limits.push(flowControl);
  return limits;
}

/**
 * The delay of the message that brings a throttled job back, split as SQS allows it: whole
 * seconds up to 15 minutes, or a one-time schedule beyond (a rate period up to one hour).
 * `early`: a job with a start reserved in a later rate window comes back up to a second before
 * it and waits in the worker for the window to open (EARLY_ARRIVAL_MAX_MS); rounding up instead
 * would land it anywhere in the window's first second, and a little queueing lag then pushes it
 * into the next window, where its reservation no longer counts and the reserved start is lost.
 */
export function deferral(
  untilMs: number,
  nowMs: number,
  maxSqsDelayMs: number,
  options: { early?: boolean } = {},
): { kind: 'message'; delaySeconds: number } | { kind: 'schedule'; dueAt: number } {
  const waitMs = Math.max(0, untilMs - nowMs);
  if (waitMs > maxSqsDelayMs) return { kind: 'schedule', dueAt: untilMs };
  return { kind: 'message', delaySeconds: options.early ? Math.floor(waitMs / 1000) : Math.ceil(waitMs / 1000) };
}

/** A job that arrives at most this long before its reserved window waits for it in the worker. */
export const EARLY_ARRIVAL_MAX_MS = 1500;

/** The latest window a message holds a reservation in, if it holds any. */
export function reservedWindow(reservations: Readonly<Record<string, number>> | undefined): number | undefined {
  const windows = Object.values(reservations ?? {});
  return windows.length > 0 ? Math.max(...windows) : undefined;
}
