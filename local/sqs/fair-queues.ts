import type { Queue, StoredMessage } from './queue.ts';

/**
 * SQS fair queues on standard queues (AWS docs, "How Amazon SQS fair queues work"): tenants are
 * the messages' MessageGroupId (a message without one is a tenant of its own). A tenant is a noisy
 * neighbour while it holds more than 10 % of the queue's in-flight messages and at least 30 of
 * them. While a quiet tenant's message is receivable, a receive returns it before any noisy
 * tenant's; among noisy tenants, the one with the fewest messages in flight goes first. Noisy
 * tenants' messages are never dropped or throttled, only served later.
 *
 * Not modelled: the "processing time share" measure (a tenant with few but slow messages), and
 * the 5-minute memory of a noisy tenant that stopped sending; this emulator judges from the
 * messages in flight at each receive.
 */
export const NOISY_SHARE = 0.1;
export const NOISY_MIN_IN_FLIGHT = 30;

/** In-flight messages (received and not yet visible again) per group, and in all. */
export function inFlightByGroup(queue: Queue, now: number): { byGroup: Map<string, number>; total: number } {
  const byGroup = new Map<string, number>();
  let total = 0;
  for (const message of queue.values()) {
    if (message.receiptHandle === undefined || message.visibleAt <= now) continue;
    total += 1;
    if (message.groupId !== undefined) byGroup.set(message.groupId, (byGroup.get(message.groupId) ?? 0) + 1);
  }
  return { byGroup, total };
}

/** The groups that are noisy neighbours, given every group's in-flight count and the queue's total in flight. */
export function noisyGroups(inFlight: ReadonlyMap<string, number>, totalInFlight: number): Set<string> {
  const noisy = new Set<string>();
  for (const [group, count] of inFlight) {
    if (count >= NOISY_MIN_IN_FLIGHT && count > NOISY_SHARE * totalInFlight) noisy.add(group);
  }
  return noisy;
}

/**
 * Takes up to `max` receivable messages, quiet tenants first. Scans at most `scanLimit` visible
 * messages past the noisy ones; the noisy tenants' messages it passed over go back on the
 * schedule at their own visible time, so their order among themselves is kept.
 */
export function takeFairly(queue: Queue, now: number, max: number, scanLimit = 10_000): StoredMessage[] {
  // Fewer grouped messages than a noisy tenant needs in flight: no tenant can be noisy, and the
  // count (a walk over every message of the queue, ~1% of the local cloud's main thread) is skipped.
  const few = queue.groupedCount < NOISY_MIN_IN_FLIGHT;
  const { byGroup: inFlight, total } = few ? { byGroup: new Map<string, number>(), total: 0 } : inFlightByGroup(queue, now);
  const noisy = few ? new Set<string>() : noisyGroups(inFlight, total);
  const taken: StoredMessage[] = [];
  if (noisy.size === 0) {
    while (taken.length < max) {
      const message = queue.takeVisible(now);
      if (message === undefined) break;
      taken.push(message);
    }
    return taken;
  }
  const passed: StoredMessage[] = [];
  for (let scanned = 0; taken.length < max && scanned < scanLimit; scanned += 1) {
    const message = queue.takeVisible(now);
    if (message === undefined) break;
    if (message.groupId !== undefined && noisy.has(message.groupId)) passed.push(message);
    else taken.push(message);
  }
  if (taken.length < max && passed.length > 0) {
    // No quiet tenant waits: serve the noisy ones, the one with the fewest in flight first.
    const order = [...passed].sort((a, b) => (inFlight.get(a.groupId as string) ?? 0) - (inFlight.get(b.groupId as string) ?? 0));
    for (const message of order) {
      if (taken.length >= max) break;
      taken.push(message);
    }
  }
  const takenIds = new Set(taken.map((m) => m.id));
  for (const message of passed) if (!takenIds.has(message.id)) queue.reschedule(message, message.visibleAt);
  return taken;
}
