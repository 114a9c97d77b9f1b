import type { Priority } from '../domain/priority.ts';
import type { CounterDeltas } from '../domain/counter-deltas.ts';
import type { JobLogger } from '../jobs/registry.ts';
import type { MessageFlow } from '../domain/queue-message.ts';

/**
 * What to do with an SQS message afterwards. `ack`: delete it (the job is done with it).
 * `keep`: report it as a batch item failure so it comes back later.
 */
export type MessageOutcome = { action: 'ack'; note: string } | { action: 'keep'; note: string };

/** What the messages of one worker batch share: one counter write for the whole batch. */
export interface BatchContext {
  deltas: CounterDeltas;
  logger: JobLogger;
}

/** A worker's SQS message that names a job. */
export interface ReceivedMessage {
  jobId: string;
  priority: Priority;
  receiptHandle: string;
  /** How long the worker hid the message on receipt (from the timeout it carried, or the default). */
  visibilitySeconds: number;
  /** The job's timeout the message carried, if it did. */
  timeoutMs?: number;
  /** The job's limits and reserved rate windows the message carried, if it did. */
  flow?: MessageFlow;
  /** The job's trace context the message carried, if it did (the claimed job's own wins). */
  traceparent?: string;
}
