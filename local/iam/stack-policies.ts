import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedPolicyError } from './errors.ts';
import type { FunctionPolicy, NamedPolicy, PolicyStatement } from './policy.ts';
import { IntrinsicResolver, type LocalEnvironment, type TemplateResource } from './resolve-intrinsics.ts';

export interface StackPoliciesOptions extends LocalEnvironment {
  /** The local cloud's resource prefix: the stack is synthesized with it, so names match the local ones. */
  readonly prefix: string;
  /** The ARN the local cloud gives the Scheduler's execution role (the template leaves it unnamed). */
  readonly schedulerRoleArn: string;
}

export interface StackPolicies {
  readonly functions: readonly FunctionPolicy[];
  /** Physical names of the stack's table, for a consistency check against the local resources. */
  readonly tableNames: readonly string[];
  /** How long synthesis took in this process (0 when it came from the cache). */
  readonly synthMs: number;
}

const cache = new Map<string, Promise<StackPolicies>>();

/**
 * The IAM policies `cdk synth` gives each SkyForge function's role, from the very construct that
 * deploys (SkyForgeStack, no bundling: policies do not depend on the code), with every
 * intrinsic resolved to the local cloud's ARNs. Synthesized once per process and options;
 * aws-cdk-lib is imported only here, so `--no-iam` never loads it.
 *
 * @example
 * const { functions } = await synthesizeStackPolicies({ prefix: 'skyforge', partition: 'aws', region: 'us-east-1', accountId: '000000000000', schedulerRoleArn });
 */
export function synthesizeStackPolicies(options: StackPoliciesOptions): Promise<StackPolicies> {
  const key = JSON.stringify(options);
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = synthesize(options);
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  } else {
    pending = pending.then((policies) => ({ ...policies, synthMs: 0 }));
  }
  return pending;
}

async function synthesize(options: StackPoliciesOptions): Promise<StackPolicies> {
  const started = performance.now();
  const [{ App }, { SkyForgeStack }, { SkyForgeFunction }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../../infra/stacks/skyforge-stack.ts'),
    import('../../infra/constructs/skyforge-function.ts'),
  ]);
  const outdir = mkdtempSync(join(tmpdir(), 'skyforge-iam-'));
  try {
    const app = new App({
      outdir,
      // An empty list of bundling stacks skips esbuild: the policies do not depend on the code.
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const stack = new SkyForgeStack(app, 'SkyForgeLocal', { skyforge: { prefix: options.prefix } });
    const template = app.synth().getStackArtifact(stack.artifactId).template as { Resources: Record<string, TemplateResource> };
    const resources = template.Resources;

    const functions = stack.node
      .findAll()
      .filter((c): c is InstanceType<typeof SkyForgeFunction> => c instanceof SkyForgeFunction)
      .map((fn) => ({
        functionName: `${options.prefix}-${kebabCase(fn.node.scope?.node.id ?? fn.node.id)}`,
        roleLogicalId: stack.getLogicalId(fn.role.node.defaultChild as never),
        reasons: Object.fromEntries(fn.accessReasons),
        constructPath: fn.node.path.split('/').slice(1).join('/'),
      }));
    const executionRole = stack.getLogicalId(stack.skyforge.scheduler.executionRole.node.defaultChild as never);
    const resolver = new IntrinsicResolver(resources, { ...options, arnOverrides: { [executionRole]: options.schedulerRoleArn } });

    return {
      functions: functions.map(({ functionName, roleLogicalId, reasons, constructPath }) => ({
        functionName,
        reasons,
        constructPath,
        roleArn: resolver.resolveString({ 'Fn::GetAtt': [roleLogicalId, 'Arn'] }),
        policies: policiesOfRole(resources, roleLogicalId, resolver),
      })),
      tableNames: Object.values(resources)
        .filter((r) => r.Type === 'AWS::DynamoDB::Table')
        .map((r) => resolver.resolveString(r.Properties?.TableName)),
      synthMs: performance.now() - started,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every policy attached to the role: AWS::IAM::Policy resources naming it, and its inline policies. */
function policiesOfRole(resources: Record<string, TemplateResource>, roleLogicalId: string, resolver: IntrinsicResolver): NamedPolicy[] {
  const role = resources[roleLogicalId];
  if ((role?.Properties?.ManagedPolicyArns as unknown[] | undefined)?.length) {
    throw new UnsupportedPolicyError(roleLogicalId, 'managed policies (ManagedPolicyArns)');
  }
  const attached = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) => ((r.Properties?.Roles as unknown[] | undefined) ?? []).some((ref) => (ref as { Ref?: string }).Ref === roleLogicalId))
    .map(([id, r]) => ({ name: id, document: r.Properties?.PolicyDocument }));
  const inline = ((role?.Properties?.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }> | undefined) ?? []).map((p) => ({
    name: `${roleLogicalId}.${p.PolicyName}`,
    document: p.PolicyDocument,
  }));
  return [...attached, ...inline].map(({ name, document }) => ({
    name,
    statements: ((document as { Statement?: unknown[] } | undefined)?.Statement ?? []).map((s) => resolveStatement(s as Record<string, unknown>, resolver)),
  }));
}

function resolveStatement(statement: Record<string, unknown>, resolver: IntrinsicResolver): PolicyStatement {
  const list = (value: unknown): string[] | undefined =>
    value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => resolver.resolve(v));
  const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
  return {
    Effect: statement.Effect as 'Allow' | 'Deny',
    ...(statement.Sid === undefined ? {} : { Sid: String(statement.Sid) }),
    ...(statement.Action === undefined ? {} : { Action: list(statement.Action) }),
    ...(statement.NotAction === undefined ? {} : { NotAction: list(statement.NotAction) }),
    ...(statement.Resource === undefined ? {} : { Resource: list(statement.Resource) }),
    ...(statement.NotResource === undefined ? {} : { NotResource: list(statement.NotResource) }),
    ...(condition === undefined
      ? {}
      : {
          Condition: Object.fromEntries(
            Object.entries(condition).map(([operator, keys]) => [
              operator,
              Object.fromEntries(Object.entries(keys).map(([key, value]) => [key, list(value) ?? []])),
            ]),
          ),
        }),
  };
}

/** `DeadLetter` -> `dead-letter`: a function's local name from its construct's id. */
export function kebabCase(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
