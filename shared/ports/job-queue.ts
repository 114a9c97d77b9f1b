import type { Priority } from '../domain/job.ts';

/** A message carries the job id only (claim check); the payload stays on the job item. */
export interface JobMessage {
  jobId: string;
  priority: Priority;
  /** 0..900 (SQS DelaySeconds). */
  delaySeconds: number;
}

export interface EnqueueFailure {
  jobId: string;
  reason: string;
}

export interface QueueDepth {
  ready: number;
  inFlight: number;
  delayed: number;
  deadLetters: number;
}

export interface JobQueue {
  /**
   * Sends messages, grouped by queue in batches of 10. Never throws for a failed send: resolves
   * with the jobs whose message could not be sent (empty when all went out), so the caller can
   * record each of them; no job is dropped silently.
   */
  enqueue(messages: readonly JobMessage[]): Promise<EnqueueFailure[]>;
  /** Hide a received message for `seconds` more (it comes back when its job is due). */
  defer(priority: Priority, receiptHandle: string, seconds: number): Promise<void>;
  depths(): Promise<Record<Priority, QueueDepth>>;
  ping(): Promise<void>;
}

export function encodeJobMessage(jobId: string): string {
  return JSON.stringify({ v: 1, id: jobId });
}

/**
 * The Input of a recurring schedule's target: EventBridge Scheduler substitutes the scheduled
 * time, so each firing names itself and the worker derives the job id from (schedule, time).
 */
export function encodeFiringMessageTemplate(scheduleName: string): string {
  return `{"v":1,"schedule":${JSON.stringify(scheduleName)},"at":"<aws.scheduler.scheduled-time>"}`;
}

export type QueueMessage =
  | { kind: 'job'; jobId: string }
  | { kind: 'firing'; scheduleName: string; scheduledAt: string };

/** What a message body asks for, or null when it is not a SkyForge message. */
export function decodeQueueMessage(body: string): QueueMessage | null {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; schedule?: unknown; at?: unknown };
    if (typeof parsed.id === 'string' && parsed.id.length > 0) return { kind: 'job', jobId: parsed.id };
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
