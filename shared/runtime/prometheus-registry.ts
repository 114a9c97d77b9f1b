/** One line of a metric: its labels and value, under the metric's name or its own (`_bucket`, `_sum`). */
export interface PrometheusSample {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/** A metric as a registry renders it (the shape prom-client's Registry reads with `get()`). */
export interface PrometheusMetric {
  readonly name: string;
  get(): { name: string; help: string; type: string; values: PrometheusSample[] };
}

/**
 * The Prometheus text exposition (version 0.0.4) of registered metrics, written exactly as
 * prom-client 15's Registry writes it for metrics without default labels or exemplars (a test
 * renders the same metrics with both and compares). The values are summed from DynamoDB, not
 * kept in memory, so nothing else of prom-client was used: its Registry and the OpenTelemetry
 * API it loads were ~57 KB of the metrics function's bundle.
 *
 * @example
 * const registry = new PrometheusTextRegistry();
 * registry.registerMetric({ name: 'up', get: () => ({ name: 'up', help: 'Up', type: 'gauge', values: [{ labels: {}, value: 1 }] }) });
 * await registry.metrics(); // '# HELP up Up\n# TYPE up gauge\nup 1\n'
 */
export class PrometheusTextRegistry {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  private readonly byName = new Map<string, PrometheusMetric>();

  registerMetric(metric: PrometheusMetric): void {
    const known = this.byName.get(metric.name);
    if (known !== undefined && known !== metric) throw new Error(`A metric with the name ${metric.name} has already been registered.`);
    this.byName.set(metric.name, metric);
  }

  async metrics(): Promise<string> {
    return `${[...this.byName.values()].map((metric) => render(metric)).join('\n\n')}\n`;
  }
}

function render(metric: PrometheusMetric): string {
  const { name: rawName, help, type, values } = metric.get();
  const name = escapeText(rawName);
  const lines = [`# HELP ${name} ${escapeText(help)}`, `# TYPE ${name} ${type}`];
  for (const sample of values) {
    const labels = Object.entries(sample.labels).map(([label, value]) => `${label}="${escapeLabelValue(value)}"`);
    lines.push(`${sample.metricName ?? name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${valueText(sample.value)}`);
  }
  return lines.join('\n');
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(value: string): string {
  return escapeText(value).replace(/"/g, '\\"');
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
