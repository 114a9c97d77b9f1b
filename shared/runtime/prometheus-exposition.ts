import { PRIORITIES, type Priority } from '../config/definitions.ts';
import { THROTTLE_REASON } from '../domain/flow-control.ts';
import { bucketValue, COUNTERS, HISTOGRAM_BUCKETS_SECONDS, HISTOGRAMS, statusValue, throttledValue, type HistogramName } from '../domain/metrics.ts';
import { jobsByStatus, total } from '../domain/metrics.ts';
import type { MetricsSnapshot } from '../use-cases/collect-metrics.ts';
import { PrometheusTextRegistry, type PrometheusSample } from './prometheus-registry.ts';

type Sample = PrometheusSample;

/** A metric whose values were computed elsewhere (summed from DynamoDB), as the registry renders it. */
class Precomputed {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    private readonly samples: Sample[],
  ) {}

  get(): { name: string; help: string; type: string; values: Sample[]; aggregator: 'sum' } {
    return { name: this.name, help: this.help, type: this.type, values: this.samples, aggregator: 'sum' };
  }
}

const COUNTER_HELP: Record<string, string> = {
  [COUNTERS.submitted]: 'Jobs created (submitted, or by a schedule firing)',
  [COUNTERS.succeeded]: 'Jobs that succeeded',
  [COUNTERS.failed]: 'Attempts that failed (each failed attempt counts, retried or not)',
  [COUNTERS.retried]: 'Failed attempts followed by a retry',
  [COUNTERS.dead]: 'Jobs that went to the dead-letter list',
  [COUNTERS.cancelled]: 'Jobs cancelled',
};

const HISTOGRAM_META: Record<HistogramName, { name: string; help: string }> = {
  [HISTOGRAMS.duration]: { name: 'skyforge_job_duration_seconds', help: 'How long attempts ran' },
  [HISTOGRAMS.wait]: { name: 'skyforge_job_wait_seconds', help: 'Time from a job becoming due to its attempt starting' },
};

/** Prometheus text exposition (version 0.0.4) of a metrics snapshot. */
export async function renderPrometheus(
  snapshot: MetricsSnapshot,
  workerCapacity?: Record<Priority, number>,
): Promise<{ contentType: string; body: string }> {
  const registry = new PrometheusTextRegistry();
  const labelsOf = (g: { queue: string; type: string }) => ({ queue: g.queue, type: g.type });
  for (const counter of Object.values(COUNTERS)) {
    registry.registerMetric(
      new Precomputed(
        `skyforge_jobs_${counter}_total`,
        COUNTER_HELP[counter] ?? counter,
        'counter',
        snapshot.groups.map((g) => ({ labels: labelsOf(g), value: g.values[counter] ?? 0 })),
      ),
    );
  }
  for (const histogram of Object.values(HISTOGRAMS)) {
    const { name, help } = HISTOGRAM_META[histogram];
    const samples: Sample[] = [];
    for (const g of snapshot.groups) {
      const count = g.values[`${histogram}_count`] ?? 0;
      if (count === 0) continue;
      let cumulative = 0;
      HISTOGRAM_BUCKETS_SECONDS.forEach((bound, index) => {
        cumulative += g.values[bucketValue(histogram, index)] ?? 0;
        samples.push({ labels: { ...labelsOf(g), le: String(bound) }, value: cumulative, metricName: `${name}_bucket` });
      });
      samples.push({ labels: { ...labelsOf(g), le: '+Inf' }, value: count, metricName: `${name}_bucket` });
      samples.push({ labels: labelsOf(g), value: g.values[`${histogram}_sum`] ?? 0, metricName: `${name}_sum` });
      samples.push({ labels: labelsOf(g), value: count, metricName: `${name}_count` });
    }
    registry.registerMetric(new Precomputed(name, help, 'histogram', samples));
  }
  // Flow control: jobs deferred by their limits, by reason. No per-key label: keys are unbounded.
  registry.registerMetric(
    new Precomputed(
      'skyforge_jobs_throttled_total',
      'Times a job was deferred by flow control (its key’s rate or parallelism, or its queue’s rate)',
      'counter',
      snapshot.groups.flatMap((g) =>
        Object.values(THROTTLE_REASON).map((reason) => ({ labels: { ...labelsOf(g), reason }, value: g.values[throttledValue(reason)] ?? 0 })),
      ),
    ),
  );
  if (workerCapacity) {
    registry.registerMetric(
      new Precomputed(
        'skyforge_worker_utilization',
        'Busy share of the queue’s maximum concurrency: RUNNING jobs / (MaximumConcurrency x batch size)',
        'gauge',
        PRIORITIES.map((queue) => {
          const running = snapshot.groups.filter((g) => g.queue === queue).reduce((sum, g) => sum + (g.values[statusValue('RUNNING')] ?? 0), 0);
          return { labels: { queue }, value: Math.min(1, Math.max(0, running) / workerCapacity[queue]) };
        }),
      ),
    );
  }
  const queueGauge = (name: string, help: string, pick: (d: MetricsSnapshot['queues'][keyof MetricsSnapshot['queues']]) => number) =>
    registry.registerMetric(
      new Precomputed(name, help, 'gauge', PRIORITIES.map((queue) => ({ labels: { queue }, value: pick(snapshot.queues[queue]) }))),
    );
  queueGauge('skyforge_queue_depth', 'Messages ready to be received', (d) => d.ready);
  queueGauge('skyforge_queue_in_flight', 'Messages received and not yet deleted', (d) => d.inFlight);
  queueGauge('skyforge_queue_delayed', 'Messages waiting out a delay', (d) => d.delayed);
  queueGauge('skyforge_dlq_depth', 'Messages in the queue’s dead-letter queue', (d) => d.deadLetters);
  registry.registerMetric(
    new Precomputed(
      'skyforge_jobs',
      'Jobs per status (active states: current, QUEUED with the messages ready in the queues; terminal states: every job that got there, expired ones included)',
      'gauge',
      Object.entries(jobsByStatus(snapshot.groups, PRIORITIES.reduce((sum, queue) => sum + snapshot.queues[queue].ready, 0))).map(([status, value]) => ({
        labels: { status },
        value,
      })),
    ),
  );
  return { contentType: registry.contentType, body: `${await registry.metrics()}\n` };
}
