import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusTextRegistry, type PrometheusMetric, type PrometheusSample } from '../../shared/runtime/prometheus-registry.ts';

const metric = (name: string, help: string, type: string, values: PrometheusSample[]): PrometheusMetric => ({
  name,
  get: () => ({ name, help, type, values }),
});

/** Metrics with everything the text format escapes or spells specially. */
const METRICS: PrometheusMetric[] = [
  metric('skyforge_jobs_submitted_total', 'Jobs created (submitted, or by a schedule firing)', 'counter', [
    { labels: { queue: 'normal', type: 'demo.echo' }, value: 3 },
    { labels: { queue: 'high', type: 'quote"back\\slash\nnewline' }, value: 0 },
  ]),
  metric('skyforge_job_duration_seconds', 'How long\\attempts ran\nsecond line', 'histogram', [
    { labels: { queue: 'low', type: 't', le: '0.5' }, value: 1, metricName: 'skyforge_job_duration_seconds_bucket' },
    { labels: { queue: 'low', type: 't', le: '+Inf' }, value: 2, metricName: 'skyforge_job_duration_seconds_bucket' },
    { labels: { queue: 'low', type: 't' }, value: 1.25, metricName: 'skyforge_job_duration_seconds_sum' },
    { labels: { queue: 'low', type: 't' }, value: 2, metricName: 'skyforge_job_duration_seconds_count' },
  ]),
  metric('skyforge_worker_utilization', 'Busy share of the queue’s maximum concurrency', 'gauge', [
    { labels: { queue: 'critical' }, value: Number.NaN },
    { labels: { queue: 'high' }, value: Number.POSITIVE_INFINITY },
    { labels: { queue: 'normal' }, value: Number.NEGATIVE_INFINITY },
    { labels: { queue: 'low' }, value: 1e-7 },
  ]),
  metric('skyforge_no_labels', 'A gauge without labels', 'gauge', [{ labels: {}, value: 42 }]),
  metric('skyforge_empty', 'A metric with no samples', 'gauge', []),
];

describe('PrometheusTextRegistry', () => {
  it('writes the text exposition byte for byte as prom-client 15 does', async () => {
    // Prepare
    const ours = new PrometheusTextRegistry();
    const theirs = new Registry();
    for (const m of METRICS) {
      ours.registerMetric(m);
      theirs.registerMetric(m as never);
    }

    // Act
    const [text, expected] = await Promise.all([ours.metrics(), theirs.metrics()]);

    // Assess
    expect(text).toBe(expected);
    expect(ours.contentType).toBe(theirs.contentType);
    expect(text).toContain('type="quote\\"back\\\\slash\\nnewline"');
    expect(text).toContain('skyforge_worker_utilization{queue="critical"} Nan');
  });

  it('refuses a second metric of the same name, as prom-client does', () => {
    const registry = new PrometheusTextRegistry();
    const first = metric('skyforge_x', 'x', 'gauge', []);
    registry.registerMetric(first);
    registry.registerMetric(first);
    expect(() => registry.registerMetric(metric('skyforge_x', 'y', 'gauge', []))).toThrow('A metric with the name skyforge_x has already been registered.');
  });
});
