import type { StoredMessage } from './queue.ts';

/**
 * Every change to the emulator's state, as data. Operations decide (validate, pick messages,
 * draw ids, receipt handles and timestamps) and describe the outcome as a Mutation; the journal
 * writes it and SqsState.apply performs it. Replaying the journal runs the very same apply, so a
 * restarted emulator cannot drift from the one that answered. Times are absolute epoch ms, which
 * is what lets in-flight messages reappear on time after a restart.
 */
export type Mutation =
  | { type: 'createQueue'; name: string; attributes: Record<string, string>; tags: Record<string, string>; at: number }
  /** Attribute values of '' remove the attribute (RedrivePolicy, Policy ...). */
  | { type: 'setQueueAttributes'; name: string; attributes: Record<string, string>; at: number }
  | { type: 'deleteQueue'; name: string }
  | { type: 'tagQueue'; name: string; tags: Record<string, string> }
  | { type: 'untagQueue'; name: string; keys: string[] }
  | { type: 'purgeQueue'; name: string; at: number }
  | { type: 'send'; queue: string; messages: NewMessage[] }
  /** Each delivery bumps the receive count and installs a new receipt handle and visibility. */
  | { type: 'receive'; queue: string; at: number; deliveries: Delivery[] }
  | { type: 'delete'; queue: string; ids: string[] }
  | { type: 'changeVisibility'; queue: string; changes: VisibilityChange[] }
  /** Moves messages that exceeded maxReceiveCount to the dead-letter queue `target`. */
  | { type: 'redrive'; queue: string; target: string; sourceArn: string; ids: string[]; at: number }
  /** Drops messages older than the queue's MessageRetentionPeriod. */
  | { type: 'expire'; queue: string; ids: string[] };

/** A message as sent: the stored form before any receive. */
export type NewMessage = Pick<
  StoredMessage,
  'id' | 'body' | 'md5OfBody' | 'attributes' | 'systemAttributes' | 'groupId' | 'sentAt' | 'visibleAt'
>;

export interface Delivery {
  id: string;
  receiptHandle: string;
  visibleAt: number;
}

export interface VisibilityChange {
  id: string;
  visibleAt: number;
}
