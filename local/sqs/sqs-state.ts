import type { Mutation } from './mutations.ts';
import { Queue, type QueueMetadata, type StoredMessage } from './queue.ts';

/** What a snapshot file holds: every queue with its messages, in enqueue order. */
export interface StateSnapshot {
  queues: Array<QueueMetadata & { messages: StoredMessage[] }>;
}

/**
 * All queues of one emulator, and the only code that changes them: `apply` performs a
 * Mutation, both when an operation commits it and when open() replays the journal.
 */
export class SqsState {
  readonly queues = new Map<string, Queue>();

  get(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  apply(mutation: Mutation): void {
    switch (mutation.type) {
      case 'createQueue':
        this.queues.set(
          mutation.name,
          new Queue(mutation.name, {
            createdAt: mutation.at,
            lastModifiedAt: mutation.at,
            attributes: { ...mutation.attributes },
            tags: { ...mutation.tags },
          }),
        );
        return;
      case 'setQueueAttributes': {
        const queue = this.queues.get(mutation.name);
        if (queue === undefined) return;
        for (const [name, value] of Object.entries(mutation.attributes)) {
          if (value === '') delete queue.attributes[name];
          else queue.attributes[name] = value;
        }
        queue.lastModifiedAt = mutation.at;
        return;
      }
      case 'deleteQueue':
        this.queues.delete(mutation.name);
        return;
      case 'tagQueue': {
        const queue = this.queues.get(mutation.name);
        if (queue !== undefined) Object.assign(queue.tags, mutation.tags);
        return;
      }
      case 'untagQueue': {
        const queue = this.queues.get(mutation.name);
        if (queue !== undefined) for (const key of mutation.keys) delete queue.tags[key];
        return;
      }
      case 'purgeQueue': {
        const queue = this.queues.get(mutation.name);
        if (queue === undefined) return;
        queue.clear();
        queue.lastPurgeAt = mutation.at;
        return;
      }
      case 'send': {
        const queue = this.queues.get(mutation.queue);
        if (queue === undefined) return;
        for (const message of mutation.messages) queue.add({ ...message, receiveCount: 0 });
        return;
      }
      case 'receive': {
        const queue = this.queues.get(mutation.queue);
        if (queue === undefined) return;
        for (const delivery of mutation.deliveries) {
          const message = queue.get(delivery.id);
          if (message === undefined) continue;
          message.receiveCount += 1;
          message.firstReceiveAt ??= mutation.at;
          message.receivedAt = mutation.at;
          message.receiptHandle = delivery.receiptHandle;
          queue.reschedule(message, delivery.visibleAt);
        }
        return;
      }
      case 'delete':
      case 'expire': {
        const queue = this.queues.get(mutation.queue);
        if (queue !== undefined) for (const id of mutation.ids) queue.remove(id);
        return;
      }
      case 'changeVisibility': {
        const queue = this.queues.get(mutation.queue);
        if (queue === undefined) return;
        for (const change of mutation.changes) {
          const message = queue.get(change.id);
          if (message !== undefined) queue.reschedule(message, change.visibleAt);
        }
        return;
      }
      case 'redrive': {
        const source = this.queues.get(mutation.queue);
        const target = this.queues.get(mutation.target);
        if (source === undefined || target === undefined) return;
        for (const id of mutation.ids) {
          const message = source.remove(id);
          if (message === undefined) continue;
          // The receive count travels with the message (a DLQ consumer sees how often it
          // failed); the old receipt handle dies with the move.
          delete message.receiptHandle;
          message.deadLetterSourceArn = mutation.sourceArn;
          message.visibleAt = mutation.at;
          target.add(message);
        }
        return;
      }
    }
  }

  snapshot(): StateSnapshot {
    return {
      queues: [...this.queues.values()].map((queue) => ({
        ...queue.metadata(),
        messages: [...queue.values()].sort((a, b) => a.visibleAt - b.visibleAt),
      })),
    };
  }

  restore(snapshot: StateSnapshot): void {
    this.queues.clear();
    for (const saved of snapshot.queues) {
      const { messages, name, ...metadata } = saved;
      const queue = new Queue(name, metadata);
      for (const message of messages) queue.add(message);
      this.queues.set(name, queue);
    }
  }
}
