import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SkyForgeStack } from '../../infra/stacks/skyforge-stack.ts';
import { synthSkyForgeStack } from './support/synth-skyforge-stack.ts';

/**
 * cdk-nag 3 is a policy-validation plugin, not an Aspect: its findings go to the validation
 * report (and fail synth), not to construct annotations. So these tests run the pack over the
 * synthesized tree directly (validateScope) to get the findings as data, and check annotations
 * separately for CDK's own warnings and errors.
 */

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every `Validations.acknowledge()` recorded in the tree, with the construct it sits on. */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        out.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions with X-Ray tracing on', () => {
  it("acknowledges X-Ray's Resource '*' on each function's default policy, and finds nothing else", () => {
    // With the pack registered, synth itself throws on any unacknowledged finding.
    const synth = synthSkyForgeStack({ tracing: true }, { nag: true });
    const report = new AwsSolutionsChecks().validateScope(synth.app);
    expect(report.violations).toEqual([]);
    const xray = acknowledgements(synth.app).filter((a) => a.path.endsWith('/Role/DefaultPolicy/Resource'));
    expect(xray.map((a) => a.path.split('/')[2]).sort()).toEqual(['Api', 'DeadLetter', 'Metrics', 'Worker']);
    for (const ack of xray) expect(ack.reason).toMatch(/X-Ray/);
  });
});

describe('cdk-nag AwsSolutions on the default stack', () => {
  let synth: ReturnType<typeof synthSkyForgeStack>;
  beforeAll(() => {
    // With the pack registered, synth itself throws on any unacknowledged finding.
    synth = synthSkyForgeStack({}, { nag: true });
  });

  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);

    expect(report.violations.map((v) => `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no CDK warning or error annotation on the stack', () => {
    const annotations = Annotations.fromStack(synth.stack);

    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges only the expected findings, each at the narrowest construct and with a reason', () => {
    const acks = acknowledgements(synth.app);
    const group = synth.stack.getLogicalId(synth.stack.skyforge.scheduler.group);
    // Only the schedules of the stack's own group: the finding names the one wildcard resource.
    const groupSchedules = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${group}>/*]`;

    expect(acks.map((a) => `${a.id} @ ${a.path}`).sort()).toEqual(
      [
        'AwsSolutions-APIG4 @ SkyForgeTest/SkyForge/Api/HttpApi/GET--healthz/Resource',
        `${groupSchedules} @ SkyForgeTest/SkyForge/Api/Handler/AccessPolicy/Resource`,
        `${groupSchedules} @ SkyForgeTest/SkyForge/Worker/Handler/AccessPolicy/Resource`,
        'AwsSolutions-SQS3 @ SkyForgeTest/SkyForge/Scheduler/DeadLetterQueue/Resource',
      ].sort(),
    );
    for (const ack of acks) {
      expect(ack.reason.length, `reason of ${ack.id} at ${ack.path}`).toBeGreaterThan(40);
    }
  });
});

describe('cdk-nag ServerlessChecks', () => {
  it('finds the API stage throttled by default (APIGWDefaultThrottling), also when api.throttle is set', () => {
    for (const props of [{}, { api: { throttle: { rateLimit: 50, burstLimit: 100 } } }]) {
      const { app } = synthSkyForgeStack(props);
      const report = new ServerlessChecks().validateScope(app);
      const throttling = report.violations.filter((v) => v.ruleName.includes('APIGWDefaultThrottling'));

      expect(report.violations.length, 'the pack ran and found other things').toBeGreaterThan(0);
      expect(throttling).toEqual([]);
    }
  });
});

describe('cdk-nag AwsSolutions with api.auth none', () => {
  it('passes only because the opt-out is acknowledged on the proxy route, with a reason', () => {
    const { app, template } = synthSkyForgeStack({ api: { auth: 'none' } }, { nag: true });

    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}', AuthorizationType: 'NONE' });
    // The metrics route has its own setting and stays signed.
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /metrics', AuthorizationType: 'AWS_IAM' });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    const proxyAck = acknowledgements(app).find((a) => a.path.endsWith('/ANY--{proxy+}/Resource'));
    expect(proxyAck?.id).toBe('AwsSolutions-APIG4');
    expect(proxyAck?.reason).toMatch(/auth to 'none' explicitly/);
  });
});

describe('cdk-nag AwsSolutions with observability.metricsAuth none', () => {
  it('opens only GET /metrics, and passes only because that route (and no other) acknowledges APIG4', () => {
    const { app, template } = synthSkyForgeStack({ observability: { metricsAuth: 'none' } }, { nag: true });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Array<{ Properties: Record<string, unknown> }>;

    expect(Object.fromEntries(routes.map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]))).toEqual({
      'ANY /{proxy+}': 'AWS_IAM',
      'GET /healthz': 'NONE',
      'GET /metrics': 'NONE',
    });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    const noAuthAcks = acknowledgements(app).filter((a) => a.id === 'AwsSolutions-APIG4');
    expect(noAuthAcks.map((a) => a.path).sort()).toEqual([
      'SkyForgeTest/SkyForge/Api/HttpApi/GET--healthz/Resource',
      'SkyForgeTest/SkyForge/Metrics/Route/Resource',
    ]);
    expect(noAuthAcks.find((a) => a.path.startsWith('SkyForgeTest/SkyForge/Metrics/'))?.reason).toMatch(/metricsAuth to 'none' explicitly/);
  });
});

describe('cdk-nag AwsSolutions with a pinned account and Region', () => {
  it('still matches the scheduler acknowledgements, whose finding ids then carry literal values', () => {
    // Synth throws on an unacknowledged finding; the report is checked as well for a clear diff.
    const { app, stack } = synthSkyForgeStack({ prefix: 'acme' }, { nag: true, env: { account: '123456789012', region: 'eu-west-1' } });
    const group = stack.getLogicalId(stack.skyforge.scheduler.group);

    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expect(acknowledgements(app).map((a) => a.id)).toContain(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule/<${group}>/*]`,
    );
  });
});

describe('the cdk-nag check itself', () => {
  it('does report findings on a non-compliant resource (so an empty report above means something)', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Bad');
    new Queue(stack, 'Plain');

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });

  it('still reports any other wildcard added to an access policy that carries a scheduler acknowledgement', () => {
    // Without bundling and without synthesizing: validateScope walks the construct tree.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    const stack = new SkyForgeStack(app, 'Widened');
    stack.skyforge.api.handler.addToAccessPolicy(
      new PolicyStatement({ sid: 'Widened', actions: ['scheduler:DeleteSchedule'], resources: ['arn:aws:scheduler:*:*:schedule/*/*'] }),
      'a test widening the grant',
    );

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:scheduler:*:*:schedule/*/*] at Widened/SkyForge/Api/Handler/AccessPolicy/Resource',
    ]);
  });
});
