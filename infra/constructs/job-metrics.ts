import type { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { Priority } from '../../shared/config/definitions.ts';
import { METRICS_NAMESPACE } from './skyforge-function.ts';

/** The job counts the api, worker and dead-letter functions emit (EMF, unit Count). */
export const JOB_COUNT_METRICS = [
  'JobsSubmitted',
  'JobsSucceeded',
  'JobsFailed',
  'JobsRetried',
  'JobsDeadLettered',
  'JobsCancelled',
] as const;

/** The job timings the worker emits (EMF, unit Milliseconds). */
export const JOB_TIMING_METRICS = ['JobDuration', 'TimeInQueue'] as const;

export type JobMetricName = (typeof JOB_COUNT_METRICS)[number] | (typeof JOB_TIMING_METRICS)[number];

export interface JobMetricOptions {
  /** One queue's figure; omitted: the service-wide figure (every queue, every type). */
  readonly queue?: Priority;
  readonly statistic: string;
  readonly period: Duration;
  readonly label?: string;
}

/**
 * One of SkyForge's own CloudWatch metrics (namespace `SkyForge`).
 *
 * The runtime emits every value under three dimension sets: `[queue, type]`, `[queue]` and `[]`.
 * Alarms and dashboards read the last two: a figure over every job type without metric math or
 * SEARCH, so an alarm watches one metric whatever job types exist. A metric with no event in a
 * period has no datapoint at all (the runtime writes no zeros).
 *
 * @example
 * jobMetric('JobsDeadLettered', { statistic: Stats.SUM, period: Duration.minutes(5) }); // service-wide
 * jobMetric('JobDuration', { queue: 'critical', statistic: Stats.p(99), period: Duration.minutes(5) });
 */
export function jobMetric(name: JobMetricName, options: JobMetricOptions): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: options.queue === undefined ? undefined : { queue: options.queue },
    statistic: options.statistic,
    period: options.period,
    label: options.label,
  });
}

/**
 * `skyforge_worker_utilization` in CloudWatch: the busy share of a queue's worker capacity
 * (MaximumConcurrency x batch size), from the worker's EMF. Each attempt's JobDuration value is
 * the time it held one of those places, so their sum over a period, divided by the period and the
 * capacity, is the share in use (0 to 1; 0 when nothing ran).
 *
 * @example
 * workerUtilization('normal', 20, Duration.minutes(5)); // FILL(busy_normal, 0) / (PERIOD(busy_normal) * 1000 * 20)
 */
export function workerUtilization(queue: Priority, capacity: number, period: Duration): MathExpression {
  // One id per queue: a graph holds the four of them.
  const busy = `busy_${queue}`;
  return new MathExpression({
    expression: `FILL(${busy}, 0) / (PERIOD(${busy}) * 1000 * ${capacity})`,
    usingMetrics: { [busy]: jobMetric('JobDuration', { queue, statistic: Stats.SUM, period }) },
    period,
    label: queue,
  });
}

/**
 * The HTTP API's 5xx responses as a percentage of its requests (AWS/ApiGateway, dimension ApiId),
 * 0 in a period with fewer than `minimumRequests` requests: one error among three requests is not
 * an outage. FILL covers a period that has requests but no 5xx datapoint.
 *
 * @example
 * api5xxRate(httpApi, Duration.minutes(5), 20); // IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)
 */
export function api5xxRate(httpApi: IHttpApi, period: Duration, minimumRequests: number): MathExpression {
  return new MathExpression({
    expression: `IF(requests >= ${minimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
    usingMetrics: {
      errors: httpApi.metricServerError({ period, statistic: Stats.SUM }),
      requests: httpApi.metricCount({ period, statistic: Stats.SUM }),
    },
    period,
    label: 'API 5xx (% of requests)',
  });
}
