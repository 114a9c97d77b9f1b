import type { CounterGroup } from '../domain/metrics.ts';
import { COUNTERS, throttledValue } from '../domain/metrics.ts';
import type { MetricsSink } from '../ports/job-counters.ts';
import type { CounterDeltas } from '../domain/counter-deltas.ts';

/** CloudWatch names of the counters (namespace SkyForge). */
const COUNT_METRICS: Record<string, string> = {
  [COUNTERS.submitted]: 'JobsSubmitted',
  [COUNTERS.succeeded]: 'JobsSucceeded',
  [COUNTERS.failed]: 'JobsFailed',
  [COUNTERS.retried]: 'JobsRetried',
  [COUNTERS.dead]: 'JobsDeadLettered',
  [COUNTERS.cancelled]: 'JobsCancelled',
  [throttledValue('rate')]: 'JobsThrottledRate',
  [throttledValue('parallelism')]: 'JobsThrottledParallelism',
};

/** EMF takes at most 100 values per metric in one document. */
const MAX_VALUES = 100;

/**
 * CloudWatch Embedded Metric Format documents for one request's or batch's deltas: one document
 * per (queue, type) group it touched, never one per job. Each document declares three dimension
 * sets, [queue, type], [queue] and [] (service-wide), so alarms and dashboards can read totals
 * without metric math over every type. Written here rather than with Powertools Metrics, which
 * adds its `service` dimension to every set and so cannot emit the [queue] and [] sets.
 */
export function emfDocuments(deltas: CounterDeltas, namespace: string, timestamp: number): Record<string, unknown>[] {
  const documents: Record<string, unknown>[] = [];
  for (const group of deltas.entries()) {
    const counts = countsOf(group);
    const samples = deltas.samples(group);
    const durations = samples.duration.map((s) => Math.round(s * 1000));
    const waits = samples.wait.map((s) => Math.round(s * 1000));
    const rounds = Math.max(1, Math.ceil(durations.length / MAX_VALUES), Math.ceil(waits.length / MAX_VALUES));
    for (let round = 0; round < rounds; round += 1) {
      const values: Record<string, number | number[]> = round === 0 ? { ...counts } : {};
      const d = durations.slice(round * MAX_VALUES, (round + 1) * MAX_VALUES);
      const w = waits.slice(round * MAX_VALUES, (round + 1) * MAX_VALUES);
      if (d.length > 0) values.JobDuration = d;
      if (w.length > 0) values.TimeInQueue = w;
      if (Object.keys(values).length === 0) continue;
      documents.push({
        _aws: {
          Timestamp: timestamp,
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [['queue', 'type'], ['queue'], []],
              Metrics: Object.keys(values).map((name) => ({
                Name: name,
                Unit: name === 'JobDuration' || name === 'TimeInQueue' ? 'Milliseconds' : 'Count',
              })),
            },
          ],
        },
        queue: group.queue,
        type: group.type,
        ...values,
      });
    }
  }
  return documents;
}

function countsOf(group: CounterGroup): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, metric] of Object.entries(COUNT_METRICS)) {
    const value = group.values[name];
    if (value) counts[metric] = value;
  }
  return counts;
}

/** Writes EMF documents to stdout, where Lambda hands them to CloudWatch Logs. */
export class EmfMetricsSink implements MetricsSink {
  constructor(
    private readonly options: {
      namespace: string;
      write?: (line: string) => void;
      now?: () => number;
      disabled?: boolean;
    },
  ) {}

  publish(deltas: CounterDeltas): void {
    if (this.options.disabled) return;
    const write = this.options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
    for (const document of emfDocuments(deltas, this.options.namespace, (this.options.now ?? Date.now)())) {
      write(JSON.stringify(document));
    }
  }
}
