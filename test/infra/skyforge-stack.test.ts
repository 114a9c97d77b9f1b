import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PRIORITIES,
  QUEUES,
  QUEUE_SETTINGS,
  TABLE,
  WORKER_DEFAULTS,
  maximumConcurrencyByPriority,
  type Priority,
} from '../../shared/config/definitions.ts';
import { ENV } from '../../shared/config/env-names.ts';
import type { SkyForgeStack } from '../../infra/stacks/skyforge-stack.ts';
import {
  asArray,
  policyStatements,
  referencedLogicalId,
  renderTemplateString,
  resourcesOfType,
  type CfnResource,
} from './support/cfn-template.ts';
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

const functionIds = () => ({
  api: logicalId(stack.skyforge.api.handler.function),
  worker: logicalId(stack.skyforge.worker.handler.function),
  deadLetter: logicalId(stack.skyforge.deadLetter.handler.function),
  metrics: logicalId(stack.skyforge.metrics.handler.function),
});

const queueIds = () =>
  Object.fromEntries(
    PRIORITIES.map((p) => {
      const { queue, deadLetterQueue } = stack.skyforge.queues.byPriority[p];
      return [p, { queue: logicalId(queue), dlq: logicalId(deadLetterQueue) }];
    }),
  ) as Record<Priority, { queue: string; dlq: string }>;

function resource(id: string): CfnResource {
  const found = synth.template.toJSON().Resources[id] as CfnResource | undefined;
  if (found === undefined) throw new Error(`no resource ${id}`);
  return found;
}

const schedulerIds = () => ({
  group: stack.getLogicalId(stack.skyforge.scheduler.group),
  dlq: logicalId(stack.skyforge.scheduler.deadLetterQueue),
  role: logicalId(stack.skyforge.scheduler.executionRole),
});

/** The event source mappings of one function. */
const mappingsOf = (functionId: string) =>
  Object.values(resourcesOfType(synth.template, 'AWS::Lambda::EventSourceMapping')).filter(
    (m) => referencedLogicalId(m.Properties?.FunctionName) === functionId,
  );

/** A function's environment variables, as synthesized. */
const environmentOf = (functionId: string) =>
  (resource(functionId).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;

/** Every statement of the IAM policies attached to a role, rendered, with its policy's logical id. */
const statementsOfRole = (roleId: string) =>
  policyStatements(synth.template)
    .filter(({ policy }) => asArray(resource(policy).Properties?.Roles).some((r) => referencedLogicalId(r) === roleId))
    .map(({ policy, statement }) => ({ policy, ...renderStatement(statement) }));

/** A policy statement with sorted actions and resources rendered to strings (`<LogicalId>` for references). */
function renderStatement(statement: Record<string, unknown>) {
  return {
    effect: statement.Effect,
    actions: asArray(statement.Action as string | string[]).sort(),
    resources: asArray(statement.Resource).map((r) => renderTemplateString(r)).sort(),
    conditions: statement.Condition,
  };
}

describe('HTTP API', () => {
  it('requires IAM authorization on every route except GET /healthz', () => {
    const routes = Object.values(resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Route'));
    const byKey = Object.fromEntries(routes.map((r) => [r.Properties?.RouteKey, r.Properties?.AuthorizationType]));

    expect(byKey).toEqual({ 'ANY /{proxy+}': 'AWS_IAM', 'GET /healthz': 'NONE', 'GET /metrics': 'AWS_IAM' });
  });

  it('routes GET /metrics to the metrics function and every other request to the api function, payload format 2.0', () => {
    const routes = Object.values(resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Route'));
    const functionOfRoute = Object.fromEntries(
      routes.map((route) => {
        // Target is `integrations/<IntegrationId>`.
        const integrationId = renderTemplateString(route.Properties?.Target).replace(/^integrations\/<(.+)>$/, '$1');
        const integration = resource(integrationId);
        expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
        return [route.Properties?.RouteKey, referencedLogicalId(integration.Properties?.IntegrationUri)];
      }),
    );
    const ids = functionIds();

    expect(functionOfRoute).toEqual({ 'ANY /{proxy+}': ids.api, 'GET /healthz': ids.api, 'GET /metrics': ids.metrics });
  });

  it('throttles the public GET /healthz and GET /metrics on their own, after the routes exist (CloudFormation rejects settings for a missing route)', () => {
    const [stageId, stage] = Object.entries(synth.template.findResources('AWS::ApiGatewayV2::Stage'))[0] ?? [];
    const metricsRoute = logicalId(stack.skyforge.metrics.route);
    const healthzRoute = Object.entries(resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Route')).find(
      ([, route]) => route.Properties?.RouteKey === 'GET /healthz',
    )?.[0];

    expect(stageId).toBeDefined();
    expect(stage?.Properties?.RouteSettings).toEqual({
      'GET /healthz': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      'GET /metrics': { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 10 },
    });
    expect(stage?.DependsOn).toContain(metricsRoute);
    expect(stage?.DependsOn).toContain(healthzRoute);
  });

  it('throttles the whole stage by default (the account-wide limit is shared by every API of the Region)', () => {
    const [stage] = Object.values(resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Stage'));

    expect(stage?.Properties?.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 });
  });

  it('has CORS off by default', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'SkyForgeTest-api',
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
  });

  it('logs every request of the auto-deployed default stage as JSON to a retained log group', () => {
    const [stage] = Object.values(resourcesOfType(synth.template, 'AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };

    expect(stage?.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
    const logGroup = resource(referencedLogicalId(settings.DestinationArn) ?? '');
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties?.RetentionInDays).toBe(30);
    expect(JSON.parse(settings.Format)).toMatchObject({
      requestId: '$context.requestId',
      caller: '$context.identity.userArn',
      status: '$context.status',
    });
  });
});

describe('job table', () => {
  it('is on-demand with pk/sk string keys, PITR, TTL on expiresAt and KMS encryption', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      // SSEEnabled true without a key id is the AWS managed key (aws/dynamodb), not the free
      // AWS owned key that an absent SSESpecification would mean.
      SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
      DeletionProtectionEnabled: true,
    });
  });

  it('has both listing indexes, projecting only their non-key attributes', () => {
    const [table] = Object.values(resourcesOfType(synth.template, 'AWS::DynamoDB::Table'));
    const indexes = table?.Properties?.GlobalSecondaryIndexes as Array<Record<string, unknown>>;

    expect(indexes.map((i) => i.IndexName).sort()).toEqual(Object.values(TABLE.indexes).map((i) => i.name).sort());
    for (const definition of Object.values(TABLE.indexes)) {
      expect(indexes.find((i) => i.IndexName === definition.name)).toEqual({
        IndexName: definition.name,
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          { AttributeName: definition.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...definition.nonKeyAttributes] },
      });
    }
  });

  it('is retained when it leaves the stack', () => {
    synth.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('queues', () => {
  it('are four main queues and four DLQs, each encrypted, 1 MiB, with explicit retention', () => {
    const queues = resourcesOfType(synth.template, 'AWS::SQS::Queue');
    const ids = queueIds();

    // Eight, plus the schedule DLQ (see "EventBridge Scheduler").
    expect(Object.keys(queues)).toHaveLength(9);
    for (const priority of PRIORITIES) {
      expect(queues[ids[priority].queue]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MaximumMessageSize: 1_048_576,
        MessageRetentionPeriod: QUEUE_SETTINGS.retentionSeconds,
      });
      expect(queues[ids[priority].dlq]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MaximumMessageSize: 1_048_576,
        MessageRetentionPeriod: QUEUE_SETTINGS.dlqRetentionSeconds,
      });
    }
  });

  it.each(PRIORITIES)('%s redrives to its own DLQ after maxReceiveCount 5', (priority) => {
    const { queue, dlq } = queueIds()[priority];
    const redrive = resource(queue).Properties?.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };

    expect(redrive.maxReceiveCount).toBe(QUEUE_SETTINGS.defaultMaxReceiveCount);
    expect(referencedLogicalId(redrive.deadLetterTargetArn)).toBe(dlq);
    expect(resource(dlq).Properties?.RedrivePolicy).toBeUndefined();
  });

  it('keep a message hidden at least 6x the timeout of the function that consumes it', () => {
    const ids = functionIds();
    const workerTimeout = resource(ids.worker).Properties?.Timeout as number;
    const deadLetterTimeout = resource(ids.deadLetter).Properties?.Timeout as number;

    expect(workerTimeout).toBe(WORKER_DEFAULTS.timeoutSeconds);
    for (const { queue, dlq } of Object.values(queueIds())) {
      expect(resource(queue).Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * workerTimeout);
      expect(resource(dlq).Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * deadLetterTimeout);
    }
  });

  it('deny every request that does not use TLS', () => {
    const policies = Object.values(resourcesOfType(synth.template, 'AWS::SQS::QueuePolicy'));
    const protectedQueues = new Set<string>();
    for (const policy of policies) {
      const statements = (policy.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      const denyInsecure = statements.find(
        (s) =>
          s.Effect === 'Deny' &&
          JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }) &&
          JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' }) &&
          s.Action === 'sqs:*',
      );
      if (denyInsecure === undefined) continue;
      for (const queue of asArray(policy.Properties?.Queues)) protectedQueues.add(referencedLogicalId(queue) ?? '');
    }

    const all = [...Object.values(queueIds()).flatMap(({ queue, dlq }) => [queue, dlq]), schedulerIds().dlq];
    expect([...protectedQueues].sort()).toEqual(all.sort());
  });
});

describe('worker', () => {
  it('consumes each main queue through its own mapping, concurrency weighted by priority', () => {
    const ids = queueIds();
    const expected = maximumConcurrencyByPriority(WORKER_DEFAULTS.totalMaximumConcurrency);
    const mappings = mappingsOf(functionIds().worker);

    expect(mappings).toHaveLength(4);
    const byPriority = Object.fromEntries(
      mappings.map((m) => {
        const queueId = referencedLogicalId(m.Properties?.EventSourceArn);
        const priority = PRIORITIES.find((p) => ids[p].queue === queueId);
        return [priority, m.Properties];
      }),
    );
    for (const priority of PRIORITIES) {
      expect(byPriority[priority]).toMatchObject({
        BatchSize: WORKER_DEFAULTS.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: expected[priority] },
      });
    }
    // The weights must actually order the queues, not just be present.
    const concurrency = QUEUES.map((q) => expected[q.priority]);
    expect(concurrency).toEqual([...concurrency].sort((a, b) => b - a));
    expect(concurrency[0]).toBeGreaterThan(concurrency[3] ?? Infinity);
  });

  it('has no reserved concurrency (MaximumConcurrency caps it instead)', () => {
    for (const id of Object.values(functionIds())) {
      expect(resource(id).Properties?.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('dead-letter function consumes each of the four DLQs and the schedule DLQ with ReportBatchItemFailures', () => {
    const dlqs = [...Object.values(queueIds()).map((q) => q.dlq), schedulerIds().dlq];
    const mappings = mappingsOf(functionIds().deadLetter);

    expect(mappings.map((m) => referencedLogicalId(m.Properties?.EventSourceArn)).sort()).toEqual(dlqs.sort());
    for (const m of mappings) {
      expect(m.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });
});

describe('functions', () => {
  it.each(['api', 'worker', 'deadLetter', 'metrics'] as const)('%s runs nodejs24.x on arm64, untraced by default, logging to its own log group', (name) => {
    const fn = resource(functionIds()[name]);
    const properties = fn.Properties ?? {};

    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      // JSON logs without the platform's START/END/REPORT lines (CloudWatch Logs is billed per byte).
      LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' },
    });
    expect(properties.TracingConfig).toBeUndefined();
    const logGroupId = referencedLogicalId((properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
    expect(resource(logGroupId ?? '')).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
  });

  it('sizes the metrics function for a scrape: 256 MB, 10 s (well inside the 30 s integration timeout)', () => {
    expect(resource(functionIds().metrics).Properties).toMatchObject({ MemorySize: 256, Timeout: 10 });
  });

  it('all get the same SkyForge environment with the documented defaults', () => {
    const environments = Object.values(functionIds()).map(
      (id) => (resource(id).Properties?.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    const [first] = environments;

    for (const env of environments) expect(env).toEqual(first);
    expect(first).toMatchObject({
      [ENV.jobRetentionSeconds]: String(7 * 24 * 3600),
      [ENV.deadJobRetentionSeconds]: String(30 * 24 * 3600),
      [ENV.maxPayloadBytes]: '262144',
      [ENV.maxResultBytes]: '65536',
      [ENV.maxJobTimeoutMs]: String((WORKER_DEFAULTS.timeoutSeconds - 15) * 1000),
      // Demo job types are off on AWS unless asked for (anyone allowed to submit could run them).
      [ENV.demoJobs]: 'false',
      [ENV.serviceName]: 'skyforge',
      [ENV.metricsNamespace]: 'SkyForge',
      [ENV.logLevel]: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(referencedLogicalId(first?.[ENV.tableName])).toBe(logicalId(stack.skyforge.table.table));
    expect(first?.[ENV.cancelPollMs]).toBeUndefined();
  });

  it('receive the queue and DLQ URLs as JSON objects keyed by priority', () => {
    const env = (resource(functionIds().worker).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const ids = queueIds();

    const queueUrls = JSON.parse(renderTemplateString(env[ENV.queueUrls])) as Record<string, string>;
    const dlqUrls = JSON.parse(renderTemplateString(env[ENV.deadLetterQueueUrls])) as Record<string, string>;

    // A queue's Ref is its URL.
    expect(queueUrls).toEqual(Object.fromEntries(PRIORITIES.map((p) => [p, `<${ids[p].queue}>`])));
    expect(dlqUrls).toEqual(Object.fromEntries(PRIORITIES.map((p) => [p, `<${ids[p].dlq}>`])));
  });
});

describe('EventBridge Scheduler', () => {
  it('has one schedule group, named by CloudFormation, that goes with the stack (and its schedules with it)', () => {
    const groups = resourcesOfType(synth.template, 'AWS::Scheduler::ScheduleGroup');

    expect(Object.keys(groups)).toEqual([schedulerIds().group]);
    expect(groups[schedulerIds().group]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    // No fixed name without a prefix: two stacks in one account and Region never collide.
    expect(groups[schedulerIds().group]?.Properties?.Name).toBeUndefined();
  });

  it('gives every function the group name, the role ARN, the schedule DLQ ARN and the queue ARNs by priority', () => {
    const { group, role, dlq } = schedulerIds();
    const ids = queueIds();

    for (const id of Object.values(functionIds())) {
      const env = environmentOf(id);

      expect(env[ENV.scheduleGroup]).toEqual({ Ref: group });
      expect(env[ENV.schedulerRoleArn]).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
      expect(env[ENV.scheduleDeadLetterArn]).toEqual({ 'Fn::GetAtt': [dlq, 'Arn'] });
      const queueArns = JSON.parse(renderTemplateString(env[ENV.queueArns])) as Record<string, string>;
      expect(queueArns).toEqual(Object.fromEntries(PRIORITIES.map((p) => [p, `<${ids[p].queue}>`])));
      // ARNs, not URLs: a queue's Ref is its URL.
      expect(JSON.stringify(env[ENV.queueArns])).toContain(`"Fn::GetAtt":["${ids.critical.queue}","Arn"]`);
    }
  });

  it('lets only Scheduler assume the execution role, for this account and this schedule group', () => {
    const { group, role } = schedulerIds();
    const trust = resource(role).Properties?.AssumeRolePolicyDocument as { Statement: unknown[] };

    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          // Scheduler sets aws:SourceArn to the group's ARN (its guide: never a schedule's).
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [group, 'Arn'] } },
        },
      },
    ]);
  });

  it('lets the execution role only send messages, to exactly the four main queues and the schedule DLQ', () => {
    const { role, dlq } = schedulerIds();
    const ids = queueIds();

    expect(resource(role).Properties?.ManagedPolicyArns).toBeUndefined();
    expect(resource(role).Properties?.Policies).toBeUndefined();
    expect(statementsOfRole(role).map(({ policy: _policy, ...statement }) => statement)).toEqual([
      {
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: [...PRIORITIES.map((p) => `<${ids[p].queue}>`), `<${dlq}>`].sort(),
        conditions: undefined,
      },
    ]);
  });

  it('lets no role but the api and worker roles manage schedules or pass the execution role', () => {
    const { role: executionRole } = schedulerIds();
    const handlers = { api: stack.skyforge.api.handler, worker: stack.skyforge.worker.handler };
    const allowed = Object.values(handlers).map((h) => logicalId(h.node.findChild('AccessPolicy')));

    const granting = policyStatements(synth.template).filter(({ statement }) => {
      const actions = asArray(statement.Action as string | string[]);
      const passesRole = actions.includes('iam:PassRole');
      return passesRole || actions.some((a) => a.startsWith('scheduler:'));
    });

    expect([...new Set(granting.map((g) => g.policy))].sort()).toEqual(allowed.sort());
    for (const { statement } of granting.filter(({ statement }) => asArray(statement.Action).includes('iam:PassRole'))) {
      expect(asArray(statement.Resource)).toEqual([{ 'Fn::GetAtt': [executionRole, 'Arn'] }]);
    }
  });

  it('has a schedule DLQ that is encrypted, TLS-only (see queues), 1 MiB, kept 14 days, with no redrive of its own', () => {
    const { dlq } = schedulerIds();
    const deadLetterTimeout = resource(functionIds().deadLetter).Properties?.Timeout as number;
    const properties = resource(dlq).Properties ?? {};

    expect(properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MaximumMessageSize: 1_048_576,
      MessageRetentionPeriod: QUEUE_SETTINGS.dlqRetentionSeconds,
    });
    expect(properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * deadLetterTimeout);
    expect(properties.RedrivePolicy).toBeUndefined();
    expect(properties.QueueName).toBeUndefined();
  });

  it('has its schedule DLQ consumed by the dead-letter function only, reporting batch item failures', () => {
    const { dlq } = schedulerIds();
    const mappings = Object.values(resourcesOfType(synth.template, 'AWS::Lambda::EventSourceMapping')).filter(
      (m) => referencedLogicalId(m.Properties?.EventSourceArn) === dlq,
    );

    expect(mappings).toHaveLength(1);
    expect(referencedLogicalId(mappings[0]?.Properties?.FunctionName)).toBe(functionIds().deadLetter);
    expect(mappings[0]?.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });
});

describe('IAM', () => {
  it('grants no wildcard action anywhere', () => {
    const actions = policyStatements(synth.template).flatMap(({ statement }) => asArray(statement.Action as string | string[]));

    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it("allows Resource '*' nowhere by default, and only X-Ray's actions (no resource-level permissions) when tracing is on", () => {
    const starActions = (template: typeof synth.template) =>
      policyStatements(template)
        .filter(({ statement }) => asArray(statement.Resource).includes('*'))
        .map(({ statement }) => asArray(statement.Action as string | string[]).sort().join(' '))
        .sort();

    expect(starActions(synth.template)).toEqual([]);
    expect(starActions(synthSkyForgeStack({ tracing: true }).template)).toEqual([
      'xray:PutTelemetryRecords xray:PutTraceSegments',
      'xray:PutTelemetryRecords xray:PutTraceSegments',
      'xray:PutTelemetryRecords xray:PutTraceSegments',
      'xray:PutTelemetryRecords xray:PutTraceSegments',
    ]);
  });

  it('attaches no managed policy to any role', () => {
    for (const role of Object.values(resourcesOfType(synth.template, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  /** SkyForge's own grants to one function: the statements of its access policy, rendered. */
  const accessPolicyOf = (name: 'api' | 'worker' | 'deadLetter' | 'metrics') => {
    const handler = {
      api: stack.skyforge.api,
      worker: stack.skyforge.worker,
      deadLetter: stack.skyforge.deadLetter,
      metrics: stack.skyforge.metrics,
    }[name].handler;
    const policyId = logicalId(handler.node.findChild('AccessPolicy'));
    return policyStatements(synth.template)
      .filter(({ policy }) => policy === policyId)
      .map(({ statement }) => {
        const { actions, resources, conditions } = renderStatement(statement);
        return conditions === undefined ? { actions, resources } : { actions, resources, conditions };
      });
  };

  /**
   * What api and worker share: create, update and delete schedules of the stack's group only (the
   * adapter's only calls: no GetSchedule, no ListSchedules on '*'), and pass the role to Scheduler only.
   */
  const scheduleManagement = () => {
    const { group, role } = schedulerIds();
    return [
      {
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
        resources: [`arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${group}>/*`],
      },
      {
        actions: ['iam:PassRole'],
        resources: [`<${role}>`],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ];
  };

  it('lets the api read and write the table and its two indexes, send to the queues, read all queue attributes and manage schedules', () => {
    const table = logicalId(stack.skyforge.table.table);
    const ids = queueIds();
    const main = PRIORITIES.map((p) => `<${ids[p].queue}>`).sort();
    const all = PRIORITIES.flatMap((p) => [`<${ids[p].queue}>`, `<${ids[p].dlq}>`]).sort();

    expect(accessPolicyOf('api')).toEqual([
      {
        actions: [
          'dynamodb:BatchGetItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        resources: [`<${table}>`, `<${table}>/index/byCreated`, `<${table}>/index/byDead`],
      },
      { actions: ['sqs:SendMessage'], resources: main },
      { actions: ['sqs:GetQueueAttributes'], resources: all },
      ...scheduleManagement(),
    ]);
  });

  it('lets the worker write job items (not the indexes), re-queue or re-time messages on the main queues and manage schedules', () => {
    const table = logicalId(stack.skyforge.table.table);
    const ids = queueIds();

    expect(accessPolicyOf('worker')).toEqual([
      { actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [`<${table}>`] },
      {
        actions: ['sqs:ChangeMessageVisibility', 'sqs:SendMessage'],
        resources: PRIORITIES.map((p) => `<${ids[p].queue}>`).sort(),
      },
      ...scheduleManagement(),
    ]);
  });

  it('lets the metrics function only query and batch-read the base table and read the attributes of the eight queues it reports', () => {
    const table = logicalId(stack.skyforge.table.table);
    const ids = queueIds();

    expect(accessPolicyOf('metrics')).toEqual([
      { actions: ['dynamodb:BatchGetItem', 'dynamodb:Query'], resources: [`<${table}>`] },
      {
        actions: ['sqs:GetQueueAttributes'],
        resources: PRIORITIES.flatMap((p) => [`<${ids[p].queue}>`, `<${ids[p].dlq}>`]).sort(),
      },
    ]);
    // Nothing else: no scheduler, no sending, no writes (its role's default policy holds logs and X-Ray only).
    const role = logicalId(stack.skyforge.metrics.handler.role);
    const otherActions = statementsOfRole(role)
      .filter(({ policy }) => policy !== logicalId(stack.skyforge.metrics.handler.node.findChild('AccessPolicy')))
      .flatMap(({ actions }) => actions);
    expect(otherActions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
  });

  it('lets the dead-letter function only read, update and create job items (an undelivered firing becomes a new DEAD job) and send a released flow dependent', () => {
    const table = logicalId(stack.skyforge.table.table);
    const ids = queueIds();

    expect(accessPolicyOf('deadLetter')).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [`<${table}>`] },
      { actions: ['sqs:SendMessage'], resources: PRIORITIES.map((p) => `<${ids[p].queue}>`).sort() },
    ]);
  });
});

describe('outputs', () => {
  it('name the API URL, the table, every queue and DLQ (name and URL), the scheduler and observability resources', () => {
    const outputs = Object.keys(synth.template.toJSON().Outputs as Record<string, unknown>).sort();
    const perQueue = ['Critical', 'High', 'Normal', 'Low'].flatMap((p) => [
      `${p}QueueName`,
      `${p}QueueUrl`,
      `${p}DeadLetterQueueName`,
      `${p}DeadLetterQueueUrl`,
    ]);

    const scheduler = ['ScheduleGroupName', 'ScheduleDeadLetterQueueName', 'ScheduleDeadLetterQueueUrl', 'SchedulerRoleArn'];
    const observability = ['MetricsUrl', 'AlarmTopicArn', 'DashboardName', 'DashboardUrl'];

    expect(outputs).toEqual(['ApiUrl', 'TableName', ...perQueue, ...scheduler, ...observability].sort());
    synth.template.hasOutput('CriticalDeadLetterQueueUrl', { Value: { Ref: queueIds().critical.dlq } });
    const { group, dlq, role } = schedulerIds();
    synth.template.hasOutput('ScheduleGroupName', { Value: { Ref: group } });
    synth.template.hasOutput('ScheduleDeadLetterQueueName', { Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } });
    synth.template.hasOutput('ScheduleDeadLetterQueueUrl', { Value: { Ref: dlq } });
    synth.template.hasOutput('SchedulerRoleArn', { Value: { 'Fn::GetAtt': [role, 'Arn'] } });
  });
});
