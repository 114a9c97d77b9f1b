import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRIORITIES, maximumConcurrencyByPriority } from '../../shared/config/definitions.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { resolveSkyForgeConfig } from '../../infra/constructs/resolve-skyforge-config.ts';
import { SkyForge } from '../../infra/constructs/skyforge.ts';
import { SkyForgeConfigError } from '../../infra/constructs/skyforge-config-error.ts';
import type { SkyForgeProps } from '../../infra/constructs/skyforge-props.ts';
import { resourcesOfType } from './support/cfn-template.ts';
import { synthSkyForgeStack } from './support/synth-skyforge-stack.ts';

const ROOT = '/project';

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('props validation', () => {
  it.each<[string, SkyForgeProps, RegExp]>([
    ['maxReceiveCount below 5', { maxReceiveCount: 4 }, /maxReceiveCount: must be at least 5 \(got 4\)/],
    ['maxReceiveCount above 1000', { maxReceiveCount: 1001 }, /maxReceiveCount: must be an integer between 5 and 1000/],
    ['batch size above 10 without a batching window', { worker: { batchSize: 11 } }, /worker\.batchSize: is 11: .*maxBatchingWindowSeconds of at least 1/],
    ['batch size above 10 000', { worker: { batchSize: 10_001, maxBatchingWindowSeconds: 5 } }, /worker\.batchSize: must be an integer between 1 and 10000/],
    ['batching window above 300 s', { worker: { maxBatchingWindowSeconds: 301 } }, /worker\.maxBatchingWindowSeconds: .*between 0 and 300/],
    ['worker timeout above 900 s', { worker: { timeoutSeconds: 901 } }, /worker\.timeoutSeconds: must be at most 900/],
    ['worker timeout within the shutdown margin', { worker: { timeoutSeconds: 15 } }, /worker\.timeoutSeconds: must be an integer between 16 and 900/],
    ['fractional worker timeout', { worker: { timeoutSeconds: 60.5 } }, /worker\.timeoutSeconds: must be an integer/],
    ['per-priority concurrency below 2', { worker: { maximumConcurrency: { low: 1 } } }, /worker\.maximumConcurrency\.low: .*between 2 and 1000/],
    ['total concurrency below 2', { worker: { totalMaximumConcurrency: 1 } }, /worker\.totalMaximumConcurrency/],
    ['a queue rate limit of 0', { worker: { queueRateLimits: { normal: 0 } } }, /worker\.queueRateLimits\.normal: .*between 1 and 100000/],
    ['a queue rate limit for no queue', { worker: { queueRateLimits: { urgent: 5 } as never } }, /worker\.queueRateLimits: names no queue: urgent/],
    ['worker memory above 10 GB', { worker: { memoryMb: 10_241 } }, /worker\.memoryMb/],
    ['api timeout above the 30 s integration limit', { api: { timeoutSeconds: 31 } }, /api\.timeoutSeconds: .*between 1 and 30/],
    ['an unknown api auth mode', { api: { auth: 'cognito' as 'iam' } }, /api\.auth: must be 'iam' or 'none'/],
    ['a zero throttle rate', { api: { throttle: { rateLimit: 0, burstLimit: 10 } } }, /api\.throttle\.rateLimit/],
    ['a zero healthz throttle rate', { api: { healthzThrottle: { rateLimit: 0, burstLimit: 10 } } }, /api\.healthzThrottle\.rateLimit/],
    ['a payload the handlers refuse', { maxPayloadBytes: 400_000 }, /maxPayloadBytes: must be an integer between 1 and 350000/],
    ['payload plus result over a DynamoDB item', { maxPayloadBytes: 350_000, maxResultBytes: 100_000 }, /400 KiB/],
    ['a sub-minute job retention', { jobRetention: Duration.seconds(30) }, /jobRetention: .*between 60 and/],
    ['a fractional-second retention', { deadJobRetention: Duration.millis(90_500) }, /deadJobRetention: must be a whole number of seconds/],
    ['cancel polling faster than 50 ms', { cancelPollMs: 10 }, /cancelPollMs/],
    ['a prefix with characters SQS refuses', { prefix: 'my.jobs' }, /prefix: may hold only letters/],
    ['a prefix too long for the DLQ names', { prefix: 'x'.repeat(70) }, /prefix: is too long: queue name 'x+-critical-dlq' exceeds 80/],
    // Short enough for every queue name (80), too long for the schedule group's (64).
    ['a prefix too long for the schedule group name', { prefix: 'x'.repeat(55) }, /prefix: is too long: schedule group name 'x{55}-schedules' exceeds 64/],
    ['an empty service name', { serviceName: ' ' }, /serviceName: must not be empty/],
    ['a dead-letter concurrency below 2', { deadLetter: { maximumConcurrency: 1 } }, /deadLetter\.maximumConcurrency/],
    ['an unknown metrics auth mode', { observability: { metricsAuth: 'public' as 'none' } }, /observability\.metricsAuth: must be 'iam' or 'none'/],
    ['a metrics timeout above the 30 s integration limit', { observability: { metricsTimeoutSeconds: 31 } }, /observability\.metricsTimeoutSeconds: .*between 1 and 30/],
    ['a zero metrics throttle rate', { observability: { metricsThrottle: { rateLimit: 0, burstLimit: 5 } } }, /observability\.metricsThrottle\.rateLimit/],
    ['an alarm email that is no address', { observability: { alarmEmail: 'ops' } }, /observability\.alarmEmail: must be an email address \(got 'ops'\)/],
    ['an alarm period that is not whole minutes', { observability: { alarms: { periodSeconds: 90 } } }, /observability\.alarms\.periodSeconds: must be a multiple of 60/],
    ['an alarm period above a day', { observability: { alarms: { periodSeconds: 86_460 } } }, /observability\.alarms\.periodSeconds: .*between 60 and 86400/],
    // Messages are deleted after 4 days: such an alarm could never fire.
    ['an oldest-message threshold at the queue retention', { observability: { alarms: { oldestMessageAgeSeconds: 345_600 } } }, /observability\.alarms\.oldestMessageAgeSeconds: .*between 60 and 345599/],
    ['a 5xx threshold of 0 %', { observability: { alarms: { api5xxPercent: 0 } } }, /observability\.alarms\.api5xxPercent: must be a literal percentage above 0 and below 100/],
    ['a 5xx threshold of 100 %', { observability: { alarms: { api5xxPercent: 100 } } }, /observability\.alarms\.api5xxPercent/],
    ['a 5xx guard below one request', { observability: { alarms: { api5xxMinimumRequests: 0 } } }, /observability\.alarms\.api5xxMinimumRequests/],
    ["tracing 'otel' without a collector", { tracing: 'otel' }, /otelEndpoint: is required with tracing: 'otel'/],
    ["an otelEndpoint that is no http(s) URL", { tracing: 'otel', otelEndpoint: 'grpc://collector:4317' }, /otelEndpoint: must be an http\(s\) URL/],
    ["an otelEndpoint without tracing 'otel'", { tracing: true, otelEndpoint: 'https://collector.example.com' }, /otelEndpoint: is only used with tracing: 'otel'/],
    ["otelHeaders without tracing 'otel'", { otelHeaders: { 'api-key': 'k' } }, /otelHeaders: is only used with tracing: 'otel'/],
  ])('rejects %s', (_case, props, message) => {
    const stack = new Stack(new App(), 'Invalid');

    const error = captureError(() => new SkyForge(stack, 'SkyForge', props));

    expect(error).toBeInstanceOf(SkyForgeConfigError);
    expect((error as Error).message).toMatch(message);
    // Validation happens before any resource is created.
    expect(stack.node.findChild('SkyForge').node.children).toHaveLength(0);
  });

  it('names the prop at fault on the error', () => {
    const error = captureError(() => resolveSkyForgeConfig({ maxReceiveCount: 2 }, ROOT));

    expect(error).toBeInstanceOf(SkyForgeConfigError);
    expect(error).toMatchObject({ name: 'SkyForgeConfigError', code: 'SKYFORGE_CONFIG_INVALID', prop: 'maxReceiveCount' });
  });

  it('fails a bundling synth whose job registry module does not exist, naming the prop', () => {
    const stack = new Stack(new App(), 'MissingRegistry');

    expect(() => new SkyForge(stack, 'SkyForge', { jobRegistryEntry: '/nowhere/registry.ts' })).toThrow(
      /jobRegistryEntry: no such file: \/nowhere\/registry\.ts/,
    );
  });
});

describe('resolved defaults', () => {
  it('apply the shared definitions and leave the longest job 15 s short of the worker timeout', () => {
    const config = resolveSkyForgeConfig({}, ROOT);

    expect(config).toMatchObject({
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}/package-lock.json`,
      jobRegistryEntry: `${ROOT}/shared/jobs/default-registry.ts`,
      prefix: undefined,
      removalPolicy: RemovalPolicy.RETAIN,
      maxReceiveCount: 5,
      jobRetentionSeconds: 604_800,
      deadJobRetentionSeconds: 2_592_000,
      maxPayloadBytes: 262_144,
      maxResultBytes: 65_536,
      maxJobTimeoutMs: 285_000,
      demoJobs: false,
      logLevel: 'INFO',
      api: {
        auth: 'iam',
        entry: `${ROOT}/functions/api/handler.ts`,
        timeoutSeconds: 29,
        throttle: { rateLimit: 500, burstLimit: 1000 },
        healthzThrottle: { rateLimit: 5, burstLimit: 10 },
      },
      worker: { timeoutSeconds: 300, memoryMb: 1024, batchSize: 10, maxBatchingWindowSeconds: 0 },
      deadLetter: { entry: `${ROOT}/functions/dead-letter/handler.ts`, maximumConcurrency: 2 },
    });
    expect(config.worker.maximumConcurrency).toEqual(maximumConcurrencyByPriority(30));
    expect(config.observability).toEqual({
      metrics: {
        entry: `${ROOT}/functions/metrics/handler.ts`,
        memoryMb: 256,
        timeoutSeconds: 10,
        auth: 'iam',
        throttle: { rateLimit: 2, burstLimit: 10 },
      },
      alarmEmail: undefined,
      alarms: { periodSeconds: 300, oldestMessageAgeSeconds: 900, api5xxPercent: 1, api5xxMinimumRequests: 20 },
    });
  });

  it('accept an alarm email token (a CfnParameter value), which CloudFormation checks instead', () => {
    const stack = new Stack(new App(), 'Tokens');
    const email = new CfnParameter(stack, 'Email', { default: '' }).valueAsString;

    expect(resolveSkyForgeConfig({ observability: { alarmEmail: email } }, ROOT).observability.alarmEmail).toBe(email);
  });

  it('accept a batch above 10 when a batching window is set', () => {
    const config = resolveSkyForgeConfig({ worker: { batchSize: 100, maxBatchingWindowSeconds: 5 } }, ROOT);

    expect(config.worker).toMatchObject({ batchSize: 100, maxBatchingWindowSeconds: 5 });
  });

  it('let a per-priority concurrency override the weighted split of the total', () => {
    const config = resolveSkyForgeConfig({ worker: { totalMaximumConcurrency: 60, maximumConcurrency: { low: 10 } } }, ROOT);

    expect(config.worker.maximumConcurrency).toEqual({ ...maximumConcurrencyByPriority(60), low: 10 });
  });

  it('resolve relative entries against the project root', () => {
    const config = resolveSkyForgeConfig({ jobRegistryEntry: 'jobs/mine.ts', handlerEntries: { worker: 'src/worker.ts' } }, ROOT);

    expect(config.jobRegistryEntry).toBe(`${ROOT}/jobs/mine.ts`);
    expect(config.worker.entry).toBe(`${ROOT}/src/worker.ts`);
    expect(config.api.entry).toBe(`${ROOT}/functions/api/handler.ts`);
  });
});

describe('a customised stack', () => {
  // One synth exercising many props at once, to keep the suite fast.
  let template: Template;
  beforeAll(() => {
    template = synthSkyForgeStack({
    prefix: 'acme',
    removalPolicy: RemovalPolicy.DESTROY,
    maxReceiveCount: 8,
    jobRetention: Duration.days(1),
    cancelPollMs: 500,
    demoJobs: false,
    logLevel: 'DEBUG',
    logRetention: RetentionDays.ONE_WEEK,
    api: { throttle: { rateLimit: 100, burstLimit: 50 }, cors: { allowOrigins: ['https://app.example.com'] } },
    worker: { timeoutSeconds: 120, memoryMb: 2048, batchSize: 50, maxBatchingWindowSeconds: 2, totalMaximumConcurrency: 60, queueRateLimits: { normal: 50 } },
    observability: {
      alarmEmail: 'ops@example.com',
      metricsThrottle: { rateLimit: 5, burstLimit: 20 },
      metricsMemoryMb: 512,
      metricsTimeoutSeconds: 20,
      alarms: { periodSeconds: 60, oldestMessageAgeSeconds: 3600, api5xxPercent: 5, api5xxMinimumRequests: 100 },
    },
    }).template;
  });

  it('uses the prefix for the table, queue and schedule group names, as the local cloud does', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'acme-jobs' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'acme-api' });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'acme-schedules' });
    const names = Object.values(resourcesOfType(template, 'AWS::SQS::Queue')).map((q) => q.Properties?.QueueName);
    expect(names.sort()).toEqual([...PRIORITIES.flatMap((p) => [`acme-${p}`, `acme-${p}-dlq`]), 'acme-schedule-dlq'].sort());
  });

  it('derives visibility timeouts and the job time limit from the worker timeout', () => {
    // 6 x 120 s + the 2 s batching window (Lambda's rule for SQS event sources).
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'acme-critical', VisibilityTimeout: 722 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 120,
      MemorySize: 2048,
      Environment: { Variables: Match.objectLike({ [ENV.maxJobTimeoutMs]: '105000' }) },
    });
  });

  it('applies batching, redrive and concurrency settings', () => {
    const expected = maximumConcurrencyByPriority(60);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'acme-low',
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 8 }),
    });
    for (const priority of PRIORITIES) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 50,
        MaximumBatchingWindowInSeconds: 2,
        ScalingConfig: { MaximumConcurrency: expected[priority] },
      });
    }
  });

  it('throttles the stage and turns CORS on only when asked', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50 },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.example.com'] }),
    });
  });

  it('passes the settings to the functions', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.jobRetentionSeconds]: '86400',
          [ENV.cancelPollMs]: '500',
          [ENV.demoJobs]: 'false',
          [ENV.logLevel]: 'DEBUG',
          // TaskForge's RATE_LIMIT_PER_SEC: the workers read it as a key every job of the queue shares.
          [ENV.queueRateLimits]: '{"normal":50}',
          // skyforge_worker_utilization's denominator: MaximumConcurrency x batch size per queue.
          [ENV.workerCapacity]: JSON.stringify(Object.fromEntries(PRIORITIES.map((p) => [p, maximumConcurrencyByPriority(60)[p] * 50]))),
        }),
      },
    });
  });

  it('lets stateful resources go with the stack when asked to', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 7 } });
  });

  it('subscribes a literal alarm email unconditionally, and then has no AlarmEmail parameter', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')) as Array<Record<string, unknown>>;

    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]).toMatchObject({ Properties: { Protocol: 'email', Endpoint: 'ops@example.com' } });
    expect(subscriptions[0]?.Condition).toBeUndefined();
    expect(Object.keys(template.toJSON().Parameters ?? {})).not.toContain('AlarmEmail');
  });

  it('names the alarms and the dashboard after the prefix and applies the alarm settings', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties ?? {});

    expect(alarms).toHaveLength(16);
    for (const alarm of alarms) {
      expect(String(alarm.AlarmName)).toMatch(/^acme-/);
      // Plain metrics carry Period; the 5xx rate carries it on each metric of its expression.
      const periods =
        alarm.Period === undefined
          ? (alarm.Metrics as Array<{ MetricStat?: { Period: number } }>).flatMap((m) => m.MetricStat?.Period ?? [])
          : [alarm.Period];
      expect(periods.length).toBeGreaterThan(0);
      expect(new Set(periods)).toEqual(new Set([60]));
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'acme-low-oldest-message-age', Threshold: 3600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'acme-api-5xx-rate',
      Threshold: 5,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(requests >= 100, 100 * FILL(errors, 0) / requests, 0)' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['acme-', { Ref: 'AWS::Region' }]] },
    });
  });

  it('sizes and throttles the metrics endpoint as asked', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^SkyForge metrics'),
      MemorySize: 512,
      Timeout: 20,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: { 'GET /metrics': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 20 } },
    });
  });
});
