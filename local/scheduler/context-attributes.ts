/** The values EventBridge Scheduler puts in place of its context attributes in a target's Input. */
export interface InvocationContext {
  scheduleArn: string;
  /** Epoch ms of the time the expression named (not the moment of invocation). */
  scheduledTime: number;
  executionId: string;
  attempt: number;
}

/**
 * Replaces `<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>`,
 * `<aws.scheduler.execution-id>` and `<aws.scheduler.attempt-number>` in a target's Input, as
 * Scheduler does on every invocation. The scheduled time is ISO-8601 UTC to the second
 * (`2022-03-22T18:59:43Z`, the documented example); other `<aws.scheduler.*>` words are left alone.
 *
 * @example
 * substituteContextAttributes('{"at":"<aws.scheduler.scheduled-time>"}', { scheduledTime: Date.UTC(2026, 10, 23, 12), ... });
 * // '{"at":"2026-11-23T12:00:00Z"}'
 */
export function substituteContextAttributes(input: string, context: InvocationContext): string {
  const values: Record<string, string> = {
    '<aws.scheduler.schedule-arn>': context.scheduleArn,
    '<aws.scheduler.scheduled-time>': scheduledTimeText(context.scheduledTime),
    '<aws.scheduler.execution-id>': context.executionId,
    '<aws.scheduler.attempt-number>': String(context.attempt),
  };
  return input.replace(/<aws\.scheduler\.[a-z-]+>/g, (word) => values[word] ?? word);
}

/** `2026-11-23T12:00:00Z`: seconds precision, no milliseconds. */
export function scheduledTimeText(epochMs: number): string {
  return `${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
