import type { Priority } from '../config/definitions.ts';
import type { CounterGroup } from '../domain/metrics.ts';
import type { QueueDepth } from '../ports/job-queue.ts';
import type { Dependencies } from './dependencies.ts';

export interface MetricsSnapshot {
  groups: CounterGroup[];
  queues: Record<Priority, QueueDepth>;
  takenAt: number;
}

/**
 * What a Prometheus scrape shows, read from the counter items (COUNTER_SHARDS queries) and the
 * queues' attributes (8 GetQueueAttributes): a fixed number of AWS calls per scrape, however many
 * jobs ran, and at most one read per `maxAgeMs` however often Prometheus scrapes.
 */
export function metricsCollector(deps: Pick<Dependencies, 'counters' | 'queue' | 'clock'>, maxAgeMs = 5_000) {
  let cached: Promise<MetricsSnapshot> | undefined;
  let cachedAt = 0;
  return async (): Promise<MetricsSnapshot> => {
    const now = deps.clock.now();
    if (!cached || now - cachedAt > maxAgeMs) {
      cachedAt = now;
      cached = Promise.all([deps.counters.read(), deps.queue.depths()]).then(([groups, queues]) => ({ groups, queues, takenAt: now }));
      // A failed read is not cached: the next scrape tries again.
      cached.catch(() => {
        cached = undefined;
      });
    }
    return cached;
  };
}
