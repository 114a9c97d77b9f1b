import { Aws, CfnCondition, Duration, Fn, Stack } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  Stats,
  TextWidget,
  type IAlarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, type Priority } from '../../shared/config/definitions.ts';
import type { JobApi } from './job-api.ts';
import { JOB_COUNT_METRICS, JOB_TIMING_METRICS, api5xxRate, jobMetric, workerUtilization } from './job-metrics.ts';
import type { JobQueues } from './job-queues.ts';
import type { JobScheduler } from './job-scheduler.ts';
import type { SkyForgeFunction } from './skyforge-function.ts';
import type { SkyForgeFunctionName } from './skyforge-props.ts';

export interface JobDashboardProps {
  /** Dashboards are global in an account, not per Region: the name must say which deployment. */
  readonly dashboardName: string;
  readonly queues: JobQueues;
  readonly scheduler: JobScheduler;
  readonly api: JobApi;
  readonly functions: Readonly<Record<SkyForgeFunctionName, SkyForgeFunction>>;
  readonly alarms: readonly IAlarm[];
  /** Drawn as a line on the oldest-message graph. */
  readonly oldestMessageAgeSeconds: number;
  /** Drawn as a line on the API 5xx rate graph, which uses the alarm's expression. */
  readonly api5xxPercent: number;
  readonly api5xxMinimumRequests: number;
  readonly metricsUrl: string;
  /** Jobs each queue's workers run at most at once (MaximumConcurrency x batch size): utilization's denominator. */
  readonly workerCapacity: Readonly<Record<Priority, number>>;
}

interface LabelledQueue {
  readonly label: string;
  readonly queue: Queue;
}

/** Graphs use CloudWatch's default period on dashboards unless a widget needs another. */
const PERIOD = Duration.minutes(5);
const FUNCTION_LABELS: Record<SkyForgeFunctionName, string> = {
  api: 'api',
  worker: 'worker',
  deadLetter: 'dead-letter',
  metrics: 'metrics',
};

/**
 * One CloudWatch dashboard with the figures the alarms watch and those needed to explain them:
 * alarm states; per queue depth, in-flight, delayed and oldest age; dead-letter queue depths; job
 * counts and p50/p95/p99 timings per queue (SkyForge's EMF metrics); every function's
 * invocations, errors, throttles, duration and concurrency; the API's requests, errors and
 * latency. $3 a month beyond the account's three free dashboards.
 */
export class JobDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The dashboard in the CloudWatch console of the stack's Region and partition (aws or aws-cn). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: JobDashboardProps) {
    super(scope, id);
    const { queues, scheduler, api, functions } = props;
    const httpApi = api.httpApi;

    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const china = new CfnCondition(this, 'ChinaPartition', { expression: Fn.conditionEquals(Aws.PARTITION, 'aws-cn') });
    const consoleHost = Fn.conditionIf(china.logicalId, 'console.amazonaws.cn', 'console.aws.amazon.com').toString();
    this.url = `https://${consoleHost}/cloudwatch/home?region=${Stack.of(this).region}#dashboards/dashboard/${this.dashboard.dashboardName}`;

    const mainQueues: LabelledQueue[] = QUEUES.map((q) => ({ label: q.priority, queue: queues.byPriority[q.priority].queue }));
    const deadLetterQueues: LabelledQueue[] = [
      ...QUEUES.map((q) => ({ label: `${q.priority} DLQ`, queue: queues.byPriority[q.priority].deadLetterQueue })),
      { label: 'schedule DLQ', queue: scheduler.deadLetterQueue },
    ];
    const perQueue = (pick: (queue: Queue, label: string) => IMetric, list = mainQueues) =>
      list.map(({ label, queue }) => pick(queue, label));
    const functionList = (['worker', 'api', 'deadLetter', 'metrics'] as const).map((name) => ({
      label: FUNCTION_LABELS[name],
      fn: functions[name].function,
    }));

    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `## SkyForge\nAlarms notify the SNS topic in the stack's AlarmTopicArn output. Prometheus scrapes ` +
          `\`${props.metricsUrl}\`. Job figures are SkyForge's own metrics (namespace \`SkyForge\`); a job count ` +
          'with no events in a period has no datapoint.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 5 }));

    // Queues: SQS publishes one-minute gauges; the maximum shows the worst moment of a period.
    const gauge = { period: PERIOD, statistic: Stats.MAXIMUM };
    this.dashboard.addWidgets(
      graph('Messages ready (visible)', perQueue((q, label) => q.metricApproximateNumberOfMessagesVisible({ ...gauge, label })), 8),
      graph('Messages in flight (running jobs)', perQueue((q, label) => q.metricApproximateNumberOfMessagesNotVisible({ ...gauge, label })), 8),
      graph('Messages delayed (backoffs, delays)', perQueue((q, label) => q.metric('ApproximateNumberOfMessagesDelayed', { ...gauge, label })), 8),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Oldest message age (s)',
        left: perQueue((q, label) => q.metricApproximateAgeOfOldestMessage({ ...gauge, label })),
        leftAnnotations: [{ value: props.oldestMessageAgeSeconds, label: 'alarm threshold' }],
        width: 12,
        height: 6,
      }),
      graph(
        'Dead-letter queue depth',
        perQueue((q, label) => q.metricApproximateNumberOfMessagesVisible({ ...gauge, label }), deadLetterQueues),
        12,
      ),
    );

    // Job counts per queue, from the [queue] dimension set.
    const countWidgets = JOB_COUNT_METRICS.map((name) =>
      graph(
        name,
        QUEUES.map((q) => jobMetric(name, { queue: q.priority, statistic: Stats.SUM, period: PERIOD, label: q.priority })),
        8,
      ),
    );
    this.dashboard.addWidgets(...countWidgets.slice(0, 3));
    this.dashboard.addWidgets(...countWidgets.slice(3));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Worker utilization (busy share of MaximumConcurrency x batch size)',
        left: QUEUES.map((q) => workerUtilization(q.priority, props.workerCapacity[q.priority], PERIOD)),
        leftYAxis: { min: 0, max: 1 },
        width: 24,
        height: 6,
      }),
    );

    // Timings: percentiles of the raw values the worker emits, one widget per queue.
    for (const name of JOB_TIMING_METRICS) {
      this.dashboard.addWidgets(
        ...QUEUES.map((q) =>
          graph(
            `${name} ${q.priority} (ms)`,
            [Stats.p(50), Stats.p(95), Stats.p(99)].map((statistic) =>
              jobMetric(name, { queue: q.priority, statistic, period: PERIOD, label: statistic }),
            ),
            6,
          ),
        ),
      );
    }

    const sum = { period: PERIOD, statistic: Stats.SUM };
    this.dashboard.addWidgets(
      graph('Invocations', functionList.map(({ label, fn }) => fn.metricInvocations({ ...sum, label })), 8),
      graph('Errors', functionList.map(({ label, fn }) => fn.metricErrors({ ...sum, label })), 8),
      graph('Throttles', functionList.map(({ label, fn }) => fn.metricThrottles({ ...sum, label })), 8),
    );
    this.dashboard.addWidgets(
      graph(
        'Duration p99 (ms)',
        functionList.map(({ label, fn }) => fn.metricDuration({ period: PERIOD, statistic: Stats.p(99), label })),
        12,
      ),
      graph(
        'Concurrent executions (max)',
        functionList.map(({ label, fn }) => fn.metric('ConcurrentExecutions', { period: PERIOD, statistic: Stats.MAXIMUM, label })),
        12,
      ),
    );

    this.dashboard.addWidgets(
      graph(
        'API requests and errors',
        [
          httpApi.metricCount({ ...sum, label: 'requests' }),
          httpApi.metricClientError({ ...sum, label: '4xx' }),
          httpApi.metricServerError({ ...sum, label: '5xx' }),
        ],
        8,
      ),
      new GraphWidget({
        title: 'API 5xx (% of requests)',
        left: [api5xxRate(httpApi, PERIOD, props.api5xxMinimumRequests)],
        leftAnnotations: [{ value: props.api5xxPercent, label: 'alarm threshold' }],
        width: 8,
        height: 6,
      }),
      graph(
        'API latency (ms)',
        [
          httpApi.metricLatency({ period: PERIOD, statistic: Stats.p(50), label: 'latency p50' }),
          httpApi.metricLatency({ period: PERIOD, statistic: Stats.p(99), label: 'latency p99' }),
          httpApi.metricIntegrationLatency({ period: PERIOD, statistic: Stats.p(99), label: 'integration p99' }),
        ],
        8,
      ),
    );
  }

  get dashboardName(): string {
    return this.dashboard.dashboardName;
  }
}

function graph(title: string, left: IMetric[], width: number): GraphWidget {
  return new GraphWidget({ title, left, width, height: 6 });
}
