/** The bodies of SkyForge's SQS messages: a job id (claim check) or a schedule's firing. */

/**
 * A job's message: its id, and its timeout so the worker can hide the message for just the
 * attempt's lease as soon as it receives it (see messageVisibilitySeconds).
 */
export function encodeJobMessage(jobId: string, timeoutMs?: number): string {
  return JSON.stringify(timeoutMs === undefined ? { v: 1, id: jobId } : { v: 1, id: jobId, t: timeoutMs });
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
  | { kind: 'job'; jobId: string; timeoutMs?: number }
  | { kind: 'firing'; scheduleName: string; scheduledAt: string };

/** What a message body asks for, or null when it is not a SkyForge message. */
export function decodeQueueMessage(body: string): QueueMessage | null {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; t?: unknown; schedule?: unknown; at?: unknown };
    if (typeof parsed.id === 'string' && parsed.id.length > 0) {
      const timeout = typeof parsed.t === 'number' && Number.isInteger(parsed.t) && parsed.t > 0 ? { timeoutMs: parsed.t } : {};
      return { kind: 'job', jobId: parsed.id, ...timeout };
    }
    if (typeof parsed.schedule === 'string' && typeof parsed.at === 'string' && !Number.isNaN(Date.parse(parsed.at))) {
      return { kind: 'firing', scheduleName: parsed.schedule, scheduledAt: new Date(Date.parse(parsed.at)).toISOString() };
    }
    return null;
  } catch {
    return null;
  }
}

/** The job id in a message body, or null when the body does not name a job. */
export function decodeJobMessage(body: string): string | null {
  const message = decodeQueueMessage(body);
  return message?.kind === 'job' ? message.jobId : null;
}
