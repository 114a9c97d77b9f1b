import { StaleJobStateError } from '../domain/errors.ts';
import { deferral } from '../domain/flow-control.ts';
import { isTerminal, JOB_STATUS, type Job } from '../domain/job.ts';
import { LIMITS } from '../domain/job-defaults.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import { groupOf, throttledValue } from '../domain/metrics.ts';
import { messageFlowOf } from '../domain/queue-message.ts';
import { isoAt } from '../domain/time.ts';
import type { FlowGate } from './check-flow-control.ts';
import type { Dependencies } from './dependencies.ts';
import type { BatchContext, MessageOutcome, ReceivedMessage } from './message-outcome.ts';

/**
 * Defers a job over its limits: one write (THROTTLE: QUEUED with throttledUntil/throttleReason,
 * no attempt used), then its message sent again with a delay (a one-time schedule beyond 15
 * minutes) and the current one deleted. Never ChangeMessageVisibility: that raises the receive
 * count until SQS moves a healthy job to its DLQ.
 */
export async function throttleJob(
  message: ReceivedMessage,
  gate: Extract<FlowGate, { pass: false }>,
  deps: Dependencies,
  batch: BatchContext,
  now: number,
): Promise<MessageOutcome> {
  const follow = deferral(gate.untilMs, now, LIMITS.maxSqsDelayMs, { early: Object.keys(gate.reservations).length > 0 });
  const scheduleName = `job.${message.jobId}.t${gate.untilMs}`;
  let after: Job;
  try {
    const written = await deps.store.transition(
      message.jobId,
      {
        event: JOB_EVENT.THROTTLE,
        changes: {
          throttledUntil: isoAt(gate.untilMs),
          throttleReason: gate.reason,
          nextRunAt: isoAt(gate.untilMs),
          pendingSchedule: follow.kind === 'schedule' ? scheduleName : null,
        },
      },
      now,
    );
    after = written.after;
    batch.deltas.shift(groupOf(after), written.before, after);
    batch.deltas.add(groupOf(after), throttledValue(gate.reason));
  } catch (error) {
    if (!(error instanceof StaleJobStateError)) throw error;
    const current = error.current as Job | null;
    if (!current || isTerminal(current.status)) return { action: 'ack', note: 'job finished or gone while throttled' };
    return { action: 'keep', note: `job changed while throttled (now ${current.status}); will try again` };
  }
  try {
    await deps.flowControl.recordThrottle(gate.limit);
  } catch (error) {
    deps.logger.warn('could not count a throttled job', { jobId: message.jobId, error: String(error) });
  }
  const reservations = Object.keys(gate.reservations).length > 0 ? gate.reservations : undefined;
  if (follow.kind === 'schedule') {
    try {
      // The reserved windows ride along: without them the job would reserve again on arrival,
      // find its window full of its own reservation, and be put off once more.
      await deps.scheduler.scheduleJob(scheduleName, after.id, after.priority, follow.dueAt, after.timeoutMs, messageFlowOf(after, reservations).flow);
    } catch (error) {
      return { action: 'keep', note: `throttled; schedule not created (${String(error)}); message kept` };
    }
  } else {
    const [failure] = await deps.queue.enqueue([
      { jobId: after.id, priority: after.priority, delaySeconds: follow.delaySeconds, timeoutMs: after.timeoutMs, ...messageFlowOf(after, reservations) },
    ]);
    // Not sent: the current message comes back after its visibility and is checked again.
    if (failure) return { action: 'keep', note: `throttled; message not sent again (${failure.reason}); kept` };
  }
  return { action: 'ack', note: `throttled (${gate.reason}) until ${isoAt(gate.untilMs)}` };
}
