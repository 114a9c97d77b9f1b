import { limitsFor, parallelismRetryDelayMs, rateWindowStart, THROTTLE_REASON, type FlowControl, type ThrottleReason } from '../domain/flow-control.ts';
import { LIMITS } from '../domain/job-defaults.ts';
import type { Dependencies } from './dependencies.ts';
import type { ReceivedMessage } from './message-outcome.ts';

/** What the limits say before the claim. */
export type FlowGate =
  /** May start: `slots` are the keys whose parallelism slot this check took (freed if the claim is refused). */
  | { pass: true; slots: string[]; checked: boolean }
  /** Over a limit: defer until `untilMs`, carrying the rate windows already reserved. */
  | { pass: false; reason: ThrottleReason; untilMs: number; limit: FlowControl; reservations: Record<string, number> };

/**
 * Checks a message's job against its key's limits and its queue's rate limit, BEFORE the claim
 * (so a throttled job uses no attempt): parallelism slots first (a slot refused costs no rate),
 * then one start reserved in the current rate window or, when it is full, in the next free one
 * (the job then waits for that window with its reservation in its message).
 */
export async function checkFlowControl(message: ReceivedMessage, deps: Dependencies, now: number): Promise<FlowGate> {
  const own = message.flow?.flowControl ?? null;
  const limits = limitsFor(own, deps.config.queueRateLimits[message.priority], message.priority);
  if (limits.length === 0) return { pass: true, slots: [], checked: false };
  const slots: string[] = [];
  const release = () => Promise.all(slots.map((key) => deps.flowControl.releaseSlot(key, message.jobId)));
  const leaseUntil = now + (message.timeoutMs ?? deps.config.maxJobTimeoutMs) + LIMITS.leaseGraceMs;
  for (const limit of limits) {
    if (limit.parallelism === undefined) continue;
    const slot = await deps.flowControl.acquireSlot({ ...limit, parallelism: limit.parallelism }, message.jobId, leaseUntil, now);
    if (slot.acquired) slots.push(limit.key);
    else if (!slot.alreadyHeld) {
      await release();
      return { pass: false, reason: THROTTLE_REASON.parallelism, untilMs: now + parallelismRetryDelayMs(deps.random), limit, reservations: message.flow?.reservations ?? {} };
    }
  }
  const later: Record<string, number> = {};
  for (const limit of limits) {
    if (limit.rate === undefined) continue;
    const current = rateWindowStart(now, limit.periodSeconds);
    const held = message.flow?.reservations?.[limit.key];
    if (held === current) continue;
    if (held !== undefined && held > current) {
      later[limit.key] = held;
      continue;
    }
    const reservation = await deps.flowControl.reserveRate({ ...limit, rate: limit.rate }, now);
    if (!reservation.reserved) {
      await release();
      return { pass: false, reason: THROTTLE_REASON.rate, untilMs: reservation.retryAt, limit, reservations: later };
    }
    if (reservation.window > current) later[limit.key] = reservation.window;
  }
  const waits = Object.entries(later);
  if (waits.length > 0) {
    await release();
    const [key, untilMs] = waits.reduce((a, b) => (b[1] > a[1] ? b : a));
    const limit = limits.find((l) => l.key === key) as FlowControl;
    return { pass: false, reason: THROTTLE_REASON.rate, untilMs, limit, reservations: later };
  }
  return { pass: true, slots, checked: own !== null };
}
