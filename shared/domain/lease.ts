import { JOB_DEFAULTS, LIMITS } from './job-defaults.ts';

/**
 * Slack past an attempt's lease before its message comes back: time for the finishing write and
 * for the batch's messages to be deleted once the batch returns.
 */
const RECOVERY_SLACK_SECONDS = 20;

/**
 * How long the worker hides a job's message once received: the attempt's lease (timeout + grace)
 * plus slack. When the worker dies mid-attempt (crash, out of memory, function timeout), the
 * message comes back then instead of after the queue's visibility timeout (6 x the worker
 * function's timeout: 30 minutes by default), and the redelivery reclaims the job because its
 * lease has run out. A healthy attempt always ends before: the runner aborts it at its timeout.
 */
export function messageVisibilitySeconds(timeoutMs: number = JOB_DEFAULTS.timeoutMs): number {
  return Math.ceil((timeoutMs + LIMITS.leaseGraceMs) / 1000) + RECOVERY_SLACK_SECONDS;
}
