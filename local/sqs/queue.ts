import type { MessageAttributeMap } from './message-attributes.ts';
import { MinHeap } from './min-heap.ts';

/** One message as the emulator keeps it (and as snapshots store it). Times are epoch ms. */
export interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: MessageAttributeMap;
  /** AWSTraceHeader, the one system attribute a sender may set. */
  systemAttributes: MessageAttributeMap;
  groupId?: string;
  /** Never changes, not even on redrive: retention counts from it (as SQS does for standard queues). */
  sentAt: number;
  /** When the message can next be received: after its delay, or when its visibility timeout ends. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Time of the latest receive; the 12-hour visibility limit counts from it. */
  receivedAt?: number;
  /** Only the latest receipt handle may delete the message or change its visibility. */
  receiptHandle?: string;
  /** Set when a redrive moved the message here from its source queue. */
  deadLetterSourceArn?: string;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface QueueMetadata {
  name: string;
  createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt?: number;
  /** Normalised attribute strings (queue-attributes.ts), defaults included. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

interface ScheduleEntry {
  at: number;
  order: number;
  message: StoredMessage;
}

/**
 * One queue's messages. A Map holds them by id; a min-heap ordered by (visibleAt, enqueue order)
 * says which one can be received next. The heap is lazy: changing or deleting a message leaves
 * its old entry behind, and an entry counts only while it is the message's current one.
 */
export class Queue implements QueueMetadata {
  createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt?: number;
  attributes: Record<string, string>;
  tags: Record<string, string>;

  private readonly messages = new Map<string, StoredMessage>();
  private readonly current = new Map<string, ScheduleEntry>();
  private readonly schedule = new MinHeap<ScheduleEntry>((a, b) => a.at - b.at || a.order - b.order);
  private nextOrder = 0;
  private grouped = 0;

  constructor(
    readonly name: string,
    metadata: Omit<QueueMetadata, 'name'>,
  ) {
    this.createdAt = metadata.createdAt;
    this.lastModifiedAt = metadata.lastModifiedAt;
    if (metadata.lastPurgeAt !== undefined) this.lastPurgeAt = metadata.lastPurgeAt;
    this.attributes = metadata.attributes;
    this.tags = metadata.tags;
  }

  get size(): number {
    return this.messages.size;
  }

  /** Messages with a MessageGroupId (fair queues' tenants): a receive skips the tenant count while too few for a noisy one. */
  get groupedCount(): number {
    return this.grouped;
  }

  /** An integer attribute (they are stored as strings, like SQS returns them). */
  numberAttribute(name: string): number {
    return Number(this.attributes[name] ?? 0);
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.get(id);
  }

  values(): IterableIterator<StoredMessage> {
    return this.messages.values();
  }

  add(message: StoredMessage): void {
    const previous = this.messages.get(message.id);
    if (previous?.groupId !== undefined) this.grouped -= 1;
    if (message.groupId !== undefined) this.grouped += 1;
    this.messages.set(message.id, message);
    this.reschedule(message, message.visibleAt);
  }

  remove(id: string): StoredMessage | undefined {
    const message = this.messages.get(id);
    if (message === undefined) return undefined;
    this.messages.delete(id);
    this.current.delete(id);
    if (message.groupId !== undefined) this.grouped -= 1;
    return message;
  }

  /** Moves a message's next-visible time; its previous heap entry goes stale. */
  reschedule(message: StoredMessage, visibleAt: number): void {
    message.visibleAt = visibleAt;
    const entry: ScheduleEntry = { at: visibleAt, order: this.nextOrder++, message };
    this.current.set(message.id, entry);
    this.schedule.push(entry);
    // Heartbeating consumers leave many stale entries; rebuild before they dominate the heap.
    if (this.schedule.size > 4 * this.messages.size + 1024) this.rebuildSchedule();
  }

  /**
   * Takes the next message that is receivable at `now` off the schedule. The caller must
   * reschedule, remove or move it: until then it is not on the schedule.
   */
  takeVisible(now: number): StoredMessage | undefined {
    for (;;) {
      const top = this.schedule.peek();
      if (top === undefined || top.at > now) return undefined;
      this.schedule.pop();
      if (this.current.get(top.message.id) === top) {
        this.current.delete(top.message.id);
        return top.message;
      }
    }
  }

  /** When the earliest not-yet-visible message becomes visible, if any (for wake-up timers). */
  nextVisibleAt(): number | undefined {
    for (;;) {
      const top = this.schedule.peek();
      if (top === undefined) return undefined;
      if (this.current.get(top.message.id) === top) return top.at;
      this.schedule.pop();
    }
  }

  clear(): void {
    this.grouped = 0;
    this.messages.clear();
    this.current.clear();
    this.schedule.clear();
  }

  /** Counts for GetQueueAttributes; messages past their retention no longer count. */
  counts(now: number): QueueCounts {
    const retentionMs = this.numberAttribute('MessageRetentionPeriod') * 1000;
    const counts: QueueCounts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.messages.values()) {
      if (message.sentAt + retentionMs <= now) continue;
      if (message.visibleAt <= now) counts.visible += 1;
      else if (message.receiptHandle !== undefined) counts.inFlight += 1;
      else counts.delayed += 1;
    }
    return counts;
  }

  metadata(): QueueMetadata {
    return {
      name: this.name,
      createdAt: this.createdAt,
      lastModifiedAt: this.lastModifiedAt,
      ...(this.lastPurgeAt === undefined ? {} : { lastPurgeAt: this.lastPurgeAt }),
      attributes: this.attributes,
      tags: this.tags,
    };
  }

  private rebuildSchedule(): void {
    this.schedule.clear();
    for (const entry of this.current.values()) this.schedule.push(entry);
  }
}
