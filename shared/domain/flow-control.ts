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

/**
 * How long a job denied a parallelism slot waits before it is tried again: one second (the
 * finest SQS delay) plus up to one more drawn at random, so that the waiting jobs of a key do not
 * all come back in the same instant. A slot frees when an attempt ends; the shortest-lived one
 * decides, and the store does not know when that is.
 */
export function parallelismRetryDelayMs(random: () => number): number {
  return 1000 + Math.floor(random() * 1000);
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
 */
export function deferral(untilMs: number, nowMs: number, maxSqsDelayMs: number): { kind: 'message'; delaySeconds: number } | { kind: 'schedule'; dueAt: number } {
  const waitMs = Math.max(0, untilMs - nowMs);
  if (waitMs > maxSqsDelayMs) return { kind: 'schedule', dueAt: untilMs };
  return { kind: 'message', delaySeconds: Math.ceil(waitMs / 1000) };
}
