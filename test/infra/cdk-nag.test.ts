import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
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

    expect(acks.map((a) => `${a.id} @ ${a.path}`).sort()).toEqual(
      [
        'AwsSolutions-APIG4 @ SkyForgeTest/SkyForge/Api/HttpApi/GET--healthz/Resource',
        'AwsSolutions-IAM5[Resource::*] @ SkyForgeTest/SkyForge/Api/Handler/Role/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::*] @ SkyForgeTest/SkyForge/DeadLetter/Handler/Role/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::*] @ SkyForgeTest/SkyForge/Worker/Handler/Role/DefaultPolicy/Resource',
      ].sort(),
    );
    for (const ack of acks) {
      expect(ack.reason.length, `reason of ${ack.id} at ${ack.path}`).toBeGreaterThan(40);
    }
  });
});

describe('cdk-nag AwsSolutions with api.auth none', () => {
  it('passes only because the opt-out is acknowledged on the proxy route, with a reason', () => {
    const { app, template } = synthSkyForgeStack({ api: { auth: 'none' } }, { nag: true });

    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}', AuthorizationType: 'NONE' });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    const proxyAck = acknowledgements(app).find((a) => a.path.endsWith('/ANY--{proxy+}/Resource'));
    expect(proxyAck?.id).toBe('AwsSolutions-APIG4');
    expect(proxyAck?.reason).toMatch(/auth to 'none' explicitly/);
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
});
