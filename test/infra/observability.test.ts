import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRIORITIES } from '../../shared/config/definitions.ts';
import { JOB_COUNT_METRICS, JOB_TIMING_METRICS } from '../../infra/constructs/job-metrics.ts';
import type { SkyForgeStack } from '../../infra/stacks/skyforge-stack.ts';
import { renderTemplateString, resourcesOfType, type CfnResource } from './support/cfn-template.ts';
import { synthSkyForgeStack } from './support/synth-skyforge-stack.ts';

type Synth = ReturnType<typeof synthSkyForgeStack>;

// One synthesized default stack shared by every test in this file.
let synth: Synth;
let stack: SkyForgeStack;
beforeAll(() => {
  synth = synthSkyForgeStack();
  stack = synth.stack;
});

const logicalId = (element: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(element.node.defaultChild as CfnElement);

function resource(id: string): CfnResource {
  const found = synth.template.toJSON().Resources[id] as CfnResource | undefined;
  if (found === undefined) throw new Error(`no resource ${id}`);
  return found;
}

const topicId = () => logicalId(stack.skyforge.observability.topic);

/** The alarm named `SkyForgeTest-<suffix>` (the stack's name starts every alarm name). */
function alarm(suffix: string): Record<string, unknown> {
  const name = `SkyForgeTest-${suffix}`;
  const found = Object.values(resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm')).filter(
    (a) => a.Properties?.AlarmName === name,
  );
  expect(found, `alarm ${name}`).toHaveLength(1);
  return found[0]?.Properties ?? {};
}

/** What every SkyForge alarm shares: one breaching period fires it, and both transitions notify the topic. */
function expectNotifiesTopic(properties: Record<string, unknown>): void {
  const topic = { Ref: topicId() };
  expect(properties).toMatchObject({
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    // No datapoint means no message, invocation, request or job event: nothing happened.
    TreatMissingData: 'notBreaching',
    AlarmActions: [topic],
    OKActions: [topic],
  });
  expect(typeof properties.AlarmDescription).toBe('string');
}

const dlqs = () => [
  ...PRIORITIES.map((p) => ({ label: p, id: logicalId(stack.skyforge.queues.byPriority[p].deadLetterQueue) })),
  { label: 'schedule', id: logicalId(stack.skyforge.scheduler.deadLetterQueue) },
];

describe('alarm topic', () => {
  it('is encrypted with its own rotating KMS key, not alias/aws/sns (whose policy locks CloudWatch alarms out)', () => {
    const key = logicalId(stack.skyforge.observability.topicKey);

    expect(resource(topicId()).Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(resource(key).Properties).toMatchObject({ EnableKeyRotation: true, PendingWindowInDays: 7 });
  });

  it('lets CloudWatch use the key and publish to the topic only for alarms of this account and Region', () => {
    const onBehalfOfThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': 'arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*' },
    };
    /** The statement with its aws:SourceArn condition (a Fn::Join) rendered to a string. */
    const render = (statement: Record<string, unknown>) => {
      const condition = statement.Condition as { ArnLike?: { 'aws:SourceArn': unknown } } | undefined;
      if (condition?.ArnLike === undefined) return statement;
      const sourceArn = renderTemplateString(condition.ArnLike['aws:SourceArn']);
      return { ...statement, Condition: { ...condition, ArnLike: { 'aws:SourceArn': sourceArn } } };
    };
    const keyPolicy = resource(logicalId(stack.skyforge.observability.topicKey)).Properties?.KeyPolicy as { Statement: Array<Record<string, unknown>> };
    const cloudWatchKeyUse = keyPolicy.Statement.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch'));

    expect(cloudWatchKeyUse.map(render)).toEqual([
      {
        Sid: 'AllowCloudWatchAlarmsToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: onBehalfOfThisAccountsAlarms,
      },
    ]);

    const [topicPolicy] = Object.values(resourcesOfType(synth.template, 'AWS::SNS::TopicPolicy'));
    expect(topicPolicy?.Properties?.Topics).toEqual([{ Ref: topicId() }]);
    const statements = (topicPolicy?.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements.map(render)).toEqual([
      // enforceSSL: the topic refuses any publish that does not use TLS.
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topicId() },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AllowCloudWatchAlarmsToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId() },
        Condition: onBehalfOfThisAccountsAlarms,
      },
    ]);
  });

  it('subscribes the AlarmEmail parameter only when it is not empty (the default is empty)', () => {
    const parameters = synth.template.toJSON().Parameters as Record<string, Record<string, unknown>>;
    expect(parameters.AlarmEmail).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(String(parameters.AlarmEmail?.AllowedPattern));
    expect(['', 'ops@example.com'].map((v) => pattern.test(v))).toEqual([true, true]);
    expect(['ops', 'ops@example', 'a b@example.com'].map((v) => pattern.test(v))).toEqual([false, false, false]);

    const subscriptions = Object.values(resourcesOfType(synth.template, 'AWS::SNS::Subscription')) as Array<CfnResource & { Condition?: string }>;
    expect(subscriptions.map((s) => s.Properties)).toEqual([
      { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' }, TopicArn: { Ref: topicId() } },
    ]);
    const condition = subscriptions[0]?.Condition ?? '';
    const conditions = synth.template.toJSON().Conditions as Record<string, unknown>;
    expect(conditions[condition]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] });
  });
});

describe('alarms', () => {
  it('are exactly the documented ones, every one notifying the topic on ALARM and on OK', () => {
    const names = Object.values(resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm')).map((a) => String(a.Properties?.AlarmName));

    expect(names.sort()).toEqual(
      [
        ...['critical', 'high', 'normal', 'low', 'schedule'].map((q) => `SkyForgeTest-${q}-dlq-not-empty`),
        ...PRIORITIES.map((p) => `SkyForgeTest-${p}-oldest-message-age`),
        ...['worker', 'api', 'metrics', 'dead-letter'].map((f) => `SkyForgeTest-${f}-errors`),
        'SkyForgeTest-worker-throttles',
        'SkyForgeTest-api-5xx-rate',
        'SkyForgeTest-jobs-dead-lettered',
      ].sort(),
    );
    for (const name of names) expectNotifiesTopic(alarm(name.replace(/^SkyForgeTest-/, '')));
  });

  it.each(['critical', 'high', 'normal', 'low', 'schedule'])('fires when the %s dead-letter queue holds a message', (label) => {
    const dlq = dlqs().find((d) => d.label === label)?.id ?? '';
    const properties = alarm(`${label}-dlq-not-empty`);

    expect(properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
    });
  });

  it.each(PRIORITIES)('fires when the oldest message of the %s queue is older than 900 s', (priority) => {
    const queue = logicalId(stack.skyforge.queues.byPriority[priority].queue);

    expect(alarm(`${priority}-oldest-message-age`)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 900,
    });
  });

  it.each([
    ['worker', 'worker'],
    ['api', 'api'],
    ['metrics', 'metrics'],
    ['dead-letter', 'deadLetter'],
  ] as const)('fires on any error of the %s function within 5 minutes', (label, name) => {
    const fn = logicalId(functionOf(name));

    expect(alarm(`${label}-errors`)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
    });
  });

  it('fires on any throttle of the worker within 5 minutes', () => {
    expect(alarm('worker-throttles')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(functionOf('worker')) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
    });
  });

  it('fires when over 1 % of the API requests fail with a 5xx, counting only periods with at least 20 requests', () => {
    const apiId = { Ref: logicalId(stack.skyforge.api.httpApi) };
    const properties = alarm('api-5xx-rate');
    const metrics = properties.Metrics as Array<Record<string, unknown>>;
    const returned = metrics.filter((m) => m.ReturnData !== false);

    expect(properties).toMatchObject({ Threshold: 1 });
    expect(returned).toHaveLength(1);
    expect(returned[0]?.Expression).toBe('IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)');
    const stat = (id: string) => metrics.find((m) => m.Id === id)?.MetricStat;
    expect(stat('errors')).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: apiId }] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(stat('requests')).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: [{ Name: 'ApiId', Value: apiId }] },
      Period: 300,
      Stat: 'Sum',
    });
  });

  it('fires when any job is dead-lettered, from the service-wide SkyForge metric (no dimensions)', () => {
    const properties = alarm('jobs-dead-lettered');

    expect(properties).toMatchObject({
      Namespace: 'SkyForge',
      MetricName: 'JobsDeadLettered',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
    });
    expect(properties.Dimensions).toBeUndefined();
  });
});

function functionOf(name: 'api' | 'worker' | 'deadLetter' | 'metrics') {
  return { api: stack.skyforge.api, worker: stack.skyforge.worker, deadLetter: stack.skyforge.deadLetter, metrics: stack.skyforge.metrics }[
    name
  ].handler.function;
}

describe('dashboard', () => {
  /** The dashboard body with every reference rendered as `<LogicalId>`, parsed. */
  const body = () => {
    const [dashboard] = Object.values(resourcesOfType(synth.template, 'AWS::CloudWatch::Dashboard'));
    return JSON.parse(renderTemplateString(dashboard?.Properties?.DashboardBody)) as {
      widgets: Array<{ type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[] } }>;
    };
  };
  const widget = (title: string) => {
    const found = body().widgets.find((w) => w.properties.title === title);
    if (found === undefined) throw new Error(`no widget '${title}'`);
    return found.properties;
  };
  /** The metrics of a graph as `Namespace MetricName DimensionName DimensionValue stat` strings. */
  const lines = (title: string) =>
    (widget(title).metrics ?? []).map((m) => {
      const options = m.at(-1) as { stat?: string };
      return `${m.slice(0, -1).join(' ')} ${options.stat ?? ''}`.trim();
    });

  it('is named after the stack and its Region (dashboards are global in an account)', () => {
    const [dashboard] = Object.values(resourcesOfType(synth.template, 'AWS::CloudWatch::Dashboard'));

    expect(renderTemplateString(dashboard?.Properties?.DashboardName)).toBe('SkyForgeTest-<AWS::Region>');
  });

  it('shows the state of every alarm', () => {
    const alarmIds = stack.skyforge.observability.alarms.map((a) => `<${logicalId(a)}>`);

    expect(widget('Alarms').alarms).toEqual(alarmIds);
    expect(alarmIds).toHaveLength(16);
  });

  it('shows depth, in-flight, delayed and oldest age of every main queue, and the depth of every DLQ', () => {
    const queue = (p: (typeof PRIORITIES)[number]) => `<${logicalId(stack.skyforge.queues.byPriority[p].queue)}>`;

    for (const [title, metric] of [
      ['Messages ready (visible)', 'ApproximateNumberOfMessagesVisible'],
      ['Messages in flight (running jobs)', 'ApproximateNumberOfMessagesNotVisible'],
      ['Messages delayed (backoffs, delays)', 'ApproximateNumberOfMessagesDelayed'],
      ['Oldest message age (s)', 'ApproximateAgeOfOldestMessage'],
    ]) {
      expect(lines(title ?? '')).toEqual(PRIORITIES.map((p) => `AWS/SQS ${metric} QueueName ${queue(p)} Maximum`));
    }
    expect(lines('Dead-letter queue depth')).toEqual(
      dlqs().map((d) => `AWS/SQS ApproximateNumberOfMessagesVisible QueueName <${d.id}> Maximum`),
    );
  });

  it('shows every job count per queue, and p50/p95/p99 of JobDuration and TimeInQueue per queue', () => {
    for (const name of JOB_COUNT_METRICS) {
      expect(lines(name)).toEqual(PRIORITIES.map((p) => `SkyForge ${name} queue ${p} Sum`));
    }
    for (const name of JOB_TIMING_METRICS) {
      for (const p of PRIORITIES) {
        expect(lines(`${name} ${p} (ms)`)).toEqual(['p50', 'p95', 'p99'].map((stat) => `SkyForge ${name} queue ${p} ${stat}`));
      }
    }
  });

  it("shows every queue's worker utilization: JobDuration's sum over the period and the queue's capacity (skyforge_worker_utilization's twin)", () => {
    const metrics = widget('Worker utilization (busy share of MaximumConcurrency x batch size)').metrics ?? [];
    const expressions = metrics.map((m) => (m.at(-1) as { expression?: string; label?: string })).filter((o) => o.expression);
    // Default settings: MaximumConcurrency 30 split 8:4:2:1 (16, 8, 4, 2), batch size 10.
    expect(expressions.map((o) => [o.label, o.expression])).toEqual([
      ['critical', 'FILL(busy_critical, 0) / (PERIOD(busy_critical) * 1000 * 160)'],
      ['high', 'FILL(busy_high, 0) / (PERIOD(busy_high) * 1000 * 80)'],
      ['normal', 'FILL(busy_normal, 0) / (PERIOD(busy_normal) * 1000 * 40)'],
      ['low', 'FILL(busy_low, 0) / (PERIOD(busy_low) * 1000 * 20)'],
    ]);
    const busy = metrics.filter((m) => m.includes('JobDuration')).map((m) => `${m.slice(0, 4).join(' ')} ${(m.at(-1) as { stat?: string }).stat}`);
    expect(busy).toEqual(PRIORITIES.map((p) => `SkyForge JobDuration queue ${p} Sum`));
  });

  it('shows invocations, errors, throttles, duration and concurrency of every function', () => {
    const fns = (['worker', 'api', 'deadLetter', 'metrics'] as const).map((n) => `<${logicalId(functionOf(n))}>`);

    for (const [title, metric, stat] of [
      ['Invocations', 'Invocations', 'Sum'],
      ['Errors', 'Errors', 'Sum'],
      ['Throttles', 'Throttles', 'Sum'],
      ['Duration p99 (ms)', 'Duration', 'p99'],
      ['Concurrent executions (max)', 'ConcurrentExecutions', 'Maximum'],
    ] as const) {
      expect(lines(title)).toEqual(fns.map((fn) => `AWS/Lambda ${metric} FunctionName ${fn} ${stat}`));
    }
  });

  it("shows the API's requests, 4xx, 5xx, 5xx rate and latency", () => {
    const api = `<${logicalId(stack.skyforge.api.httpApi)}>`;

    expect(lines('API requests and errors')).toEqual([
      `AWS/ApiGateway Count ApiId ${api} Sum`,
      `AWS/ApiGateway 4xx ApiId ${api} Sum`,
      `AWS/ApiGateway 5xx ApiId ${api} Sum`,
    ]);
    expect(JSON.stringify(widget('API 5xx (% of requests)').metrics)).toContain('IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)');
    expect(lines('API latency (ms)')).toEqual([
      `AWS/ApiGateway Latency ApiId ${api} p50`,
      `AWS/ApiGateway Latency ApiId ${api} p99`,
      `AWS/ApiGateway IntegrationLatency ApiId ${api} p99`,
    ]);
  });
});

describe('observability outputs', () => {
  it('give the topic ARN, the dashboard name and console URL, and the metrics URL (<ApiUrl>metrics)', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const dashboard = stack.getLogicalId(stack.skyforge.observability.dashboard.dashboard.node.defaultChild as CfnElement);
    const api = logicalId(stack.skyforge.api.httpApi);

    expect(outputs.AlarmTopicArn?.Value).toEqual({ Ref: topicId() });
    expect(outputs.DashboardName?.Value).toEqual({ Ref: dashboard });
    expect(renderTemplateString(outputs.MetricsUrl?.Value)).toBe(`https://<${api}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/metrics`);
    expect(renderTemplateString(outputs.ApiUrl?.Value) + 'metrics').toBe(renderTemplateString(outputs.MetricsUrl?.Value));
    const [separator, parts] = (outputs.DashboardUrl?.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    expect(separator).toBe('');
    const china = ((parts[1] as { 'Fn::If': [string, string, string] })['Fn::If'] ?? [])[0] ?? '';
    expect(parts).toEqual([
      'https://',
      { 'Fn::If': [china, 'console.amazonaws.cn', 'console.aws.amazon.com'] },
      '/cloudwatch/home?region=',
      { Ref: 'AWS::Region' },
      '#dashboards/dashboard/',
      { Ref: dashboard },
    ]);
    expect((synth.template.toJSON().Conditions as Record<string, unknown>)[china]).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws-cn'],
    });
  });
});
