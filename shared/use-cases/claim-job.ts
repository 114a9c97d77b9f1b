import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EARLY_ARRIVAL_MAX_MS, reservedWindow } from '../domain/flow-control.ts';
import { decideLostAttempt } from '../domain/attempt-decision.ts';
import { StaleJobStateError } from '../domain/errors.ts';
import { isTerminal, JOB_STATUS, type Job } from '../domain/job.ts';
import { LIMITS } from '../domain/job-defaults.ts';
import { messageVisibilitySeconds } from '../domain/lease.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { groupOf } from '../domain/metrics.ts';
import type { NewLease } from '../ports/job-store.ts';
import type { Dependencies } from './dependencies.ts';
import { checkFlowControl } from './check-flow-control.ts';
import { releaseFlowSlots } from './release-flow-slots.ts';
import { releaseDependents } from './release-dependents.ts';
import { throttleJob } from './throttle-job.ts';
import type { BatchContext, MessageOutcome, ReceivedMessage } from './message-outcome.ts';

/** A copy of a running job's message comes back this long after the attempt's lease ends. */
const LEASE_END_MARGIN_SECONDS = 2;

/** The job claimed for an attempt, or what to do with the message instead. */
export type ClaimOutcome = { claimed: true; job: Job; waitMs: number } | { claimed: false; outcome: MessageOutcome };

/**
 * Takes the job of a message for its next attempt with a lease (one conditional write, CLAIM).
 * A job that is finished, gone, running elsewhere or not yet due says what to do with the
 * message; a RUNNING job whose lease ran out is taken over (RECLAIM) or, with no attempts left,
 * ends DEAD, as the retry policy decides.
 */
export async function claimJob(message: ReceivedMessage, deps: Dependencies, batch: BatchContext): Promise<ClaimOutcome> {
  let now = deps.clock.now();
  const reserved = reservedWindow(message.flow?.reservations);
  if (reserved !== undefined && reserved > now && reserved - now <= EARLY_ARRIVAL_MAX_MS) {
    // Sent to arrive just before its reserved rate window (deferral's `early`): wait for it here.
    await sleep(reserved - now);
    now = deps.clock.now();
  }
  const newLease = { token: randomUUID(), graceMs: LIMITS.leaseGraceMs };
  // Limits first: a throttled job is deferred without using an attempt.
  const gate = await checkFlowControl(message, deps, now);
  if (!gate.pass) return { claimed: false, outcome: await throttleJob(message, gate, deps, batch, now) };
  const flowControlChecked = gate.checked;
  let outcome: ClaimOutcome;
  try {
    const { before, after } = await deps.store.transition(message.jobId, { event: JOB_EVENT.CLAIM, newLease, flowControlChecked }, now);
    batch.deltas.shift(groupOf(after), before, after);
    await hideForWholeLease(after, message, deps);
    return { claimed: true, job: after, waitMs: waitedSince(before, now) };
  } catch (error) {
    if (!(error instanceof StaleJobStateError)) throw error;
    const current = error.current as Job | null;
    if (current?.flowControl && !message.flow?.flowControl && !isTerminal(current.status)) {
      // The message did not carry the job's limits (a one-time schedule's, an older one): check them now.
      await releaseSlots(gate.slots, message.jobId, deps);
      return claimJob({ ...message, flow: { ...message.flow, flowControl: current.flowControl } }, deps, batch);
    }
    outcome = await explainRefusedClaim(current, message, newLease, flowControlChecked, deps, batch, now);
  }
  if (!outcome.claimed) await releaseSlots(gate.slots, message.jobId, deps);
  return outcome;
}

/** A slot taken for a claim that was refused is given back at once. */
async function releaseSlots(keys: readonly string[], jobId: string, deps: Dependencies): Promise<void> {
  for (const key of keys) {
    try {
      await deps.flowControl.releaseSlot(key, jobId);
    } catch (error) {
      deps.logger.warn('could not free a parallelism slot; it frees when its lease ends', { jobId, key, error: String(error) });
    }
  }
}

async function explainRefusedClaim(
  current: Job | null,
  message: ReceivedMessage,
  newLease: NewLease,
  flowControlChecked: boolean,
  deps: Dependencies,
  batch: BatchContext,
  now: number,
): Promise<ClaimOutcome> {
  const skip = (action: MessageOutcome['action'], note: string): ClaimOutcome => ({ claimed: false, outcome: { action, note } });
  if (!current) return skip('ack', 'job no longer exists (deleted or expired)');
  if (isTerminal(current.status)) {
    // A flow job's message that comes back after its end: its dependents' release may have been
    // cut short by a crash, so it runs again (idempotent; nothing for other jobs).
    await releaseDependents(current, deps, batch.deltas, { redelivered: true });
    return skip('ack', `duplicate delivery: job is already ${current.status}`);
  }
  if (current.status === JOB_STATUS.BLOCKED) return skip('ack', 'job is BLOCKED: it gets its own message once its dependencies finish');
  if (current.status === JOB_STATUS.RUNNING) {
    const leaseUntil = current.leaseUntil ?? 0;
    if (leaseUntil >= now) {
      // Another delivery holds a live lease. Keep this copy, hidden until just after that lease
      // ends: if that worker died, this copy takes the job over then (RECLAIM).
      await deps.queue.defer(message.priority, message.receiptHandle, (leaseUntil - now) / 1000 + LEASE_END_MARGIN_SECONDS);
      return skip('keep', 'duplicate delivery while the job runs elsewhere; back when its lease ends');
    }
    return reclaimLostJob(current, message, newLease, flowControlChecked, deps, batch, now);
  }
  const dueAt = current.nextRunAt ? Date.parse(current.nextRunAt) : now;
  if (dueAt > now) {
    await deps.queue.defer(message.priority, message.receiptHandle, (dueAt - now) / 1000);
    return skip('keep', `not due until ${current.nextRunAt}; message hidden until then`);
  }
  return skip('keep', `job changed during the claim (now ${current.status}); will try again`);
}

/** The lease of a RUNNING job ran out: its worker crashed or its Lambda timed out. */
async function reclaimLostJob(
  current: Job,
  message: ReceivedMessage,
  newLease: NewLease,
  flowControlChecked: boolean,
  deps: Dependencies,
  batch: BatchContext,
  now: number,
): Promise<ClaimOutcome> {
  const decision = decideLostAttempt(current, now, deps.config, deps.random);
  const leaseToken = current.leaseToken ?? '';
  try {
    if (decision.event === JOB_EVENT.FAIL) {
      await deps.store.transition(current.id, { event: JOB_EVENT.FAIL, leaseToken, changes: decision.changes }, now);
      batch.deltas.merge(decision.deltas);
      await releaseFlowSlots(current, deps);
      await releaseDependents({ ...current, status: JOB_STATUS.DEAD }, deps, batch.deltas, { redelivered: true });
      return { claimed: false, outcome: { action: 'ack', note: 'lost attempt was the last one: job is DEAD' } };
    }
    const { after } = await deps.store.transition(current.id, { event: JOB_EVENT.RECLAIM, leaseToken, newLease, flowControlChecked, changes: decision.changes }, now);
    batch.deltas.merge(decision.deltas);
    await hideForWholeLease(after, message, deps);
    return { claimed: true, job: after, waitMs: Math.max(0, now - (current.leaseUntil ?? now)) };
  } catch (error) {
    if (error instanceof StaleJobStateError) return { claimed: false, outcome: { action: 'keep', note: 'another worker took the lost job first' } };
    throw error;
  }
}

/**
 * The message was hidden on receipt for the timeout it carried (or the default); a job whose
 * timeout is longer (an older message, a schedule's firing) keeps it hidden for its whole lease,
 * so it does not come back while the attempt runs.
 */
async function hideForWholeLease(job: Job, message: ReceivedMessage, deps: Dependencies): Promise<void> {
  const needed = messageVisibilitySeconds(job.timeoutMs);
  if (needed <= message.visibilitySeconds) return;
  try {
    await deps.queue.defer(message.priority, message.receiptHandle, needed);
  } catch (error) {
    deps.logger.warn('could not extend the message to the attempt’s lease; it may come back while the attempt runs', { jobId: job.id, error: String(error) });
  }
}

/** ms between the job becoming due (its delay or backoff ended, or it was queued) and now. */
function waitedSince(before: Job, now: number): number {
  const dueAt = Date.parse(before.nextRunAt ?? before.updatedAt);
  return Number.isNaN(dueAt) ? 0 : Math.max(0, now - dueAt);
}
