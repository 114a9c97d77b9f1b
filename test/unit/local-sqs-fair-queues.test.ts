import { describe, expect, it } from 'vitest';
import { NOISY_MIN_IN_FLIGHT, takeFairly } from '../../local/sqs/fair-queues.ts';
import { Queue, type StoredMessage } from '../../local/sqs/queue.ts';

const NOW = 1_000_000;

function newQueue(): Queue {
  return new Queue('q', { createdAt: 0, lastModifiedAt: 0, attributes: {}, tags: {} });
}

function message(id: string, groupId?: string, inFlight = false): StoredMessage {
  return {
    id,
    body: id,
    md5OfBody: '',
    attributes: {},
    systemAttributes: {},
    ...(groupId === undefined ? {} : { groupId }),
    sentAt: 0,
    visibleAt: inFlight ? NOW + 30_000 : NOW - 1,
    receiveCount: inFlight ? 1 : 0,
    ...(inFlight ? { receiptHandle: `rh-${id}` } : {}),
  };
}

describe('Queue.groupedCount', () => {
  it('counts the messages with a MessageGroupId through add, replace, remove and clear', () => {
    const queue = newQueue();
    queue.add(message('a', 'g'));
    queue.add(message('b'));
    queue.add(message('c', 'g'));
    expect(queue.groupedCount).toBe(2);
    queue.add(message('a')); // the same id again, now without a group
    expect(queue.groupedCount).toBe(1);
    queue.remove('c');
    queue.remove('c');
    expect(queue.groupedCount).toBe(0);
    queue.add(message('d', 'h'));
    queue.clear();
    expect(queue.groupedCount).toBe(0);
  });
});

describe('takeFairly', () => {
  it('serves the queue in order while too few grouped messages exist for a noisy tenant', () => {
    const queue = newQueue();
    for (let i = 0; i < NOISY_MIN_IN_FLIGHT - 1; i += 1) queue.add(message(`a${i}`, 'A', true));
    queue.add(message('v1', 'A'));
    queue.add(message('v2'));
    expect(takeFairly(queue, NOW, 10).map((m) => m.id)).toEqual(['v1', 'v2']);
  });

  it('still serves a quiet tenant first once a tenant is noisy', () => {
    const queue = newQueue();
    for (let i = 0; i < NOISY_MIN_IN_FLIGHT; i += 1) queue.add(message(`a${i}`, 'A', true));
    queue.add(message('v1', 'A'));
    queue.add(message('v2', 'B'));
    expect(takeFairly(queue, NOW, 1).map((m) => m.id)).toEqual(['v2']);
    expect(takeFairly(queue, NOW, 1).map((m) => m.id)).toEqual(['v1']);
  });
});
