import type { Priority } from '../domain/job.ts';
import type { MessageFlow } from '../domain/queue-message.ts';

/** A message carries the job id only (claim check); the payload stays on the job item. */
export interface JobMessage {
  jobId: string;
  priority: Priority;
  /** 0..900 (SQS DelaySeconds). */
  delaySeconds: number;
  /** The job's timeout, carried so the worker can hide the message for just its lease. */
  timeoutMs?: number;
  /** A keyed job's limits and reserved rate windows; its key is also the message's MessageGroupId (SQS fair queues). */
  flow?: MessageFlow;
  /** The job's W3C traceparent (docs/tracing.md), so the worker's lines carry its trace id from the start. */
  traceparent?: string;
}

/** A received message to hide for `seconds` from now (ChangeMessageVisibility). */
export interface VisibilityChange {
  priority: Priority;
  receiptHandle: string;
  seconds: number;
}

export interface EnqueueFailure {
  jobId: string;
  reason: string;
  /**
   * The cause will not pass by itself (the queue does not exist, access is denied): retrying the
   * send is pointless. Otherwise (throttling, a 5xx, the network) a later send may work.
   */
  permanent: boolean;
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
  /** Hides many received messages (ChangeMessageVisibilityBatch, 10 per call); resolves with how many failed. */
  hide(changes: readonly VisibilityChange[]): Promise<number>;
  depths(): Promise<Record<Priority, QueueDepth>>;
  ping(): Promise<void>;
}
