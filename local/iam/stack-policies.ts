import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingCdkError, UnsupportedPolicyError } from './errors.ts';
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
  /** How long getting them took at this call (synthesis, or reading the cache file; 0 from memory). */
  readonly synthMs: number;
  /** Where they came from: a synthesis now, the cache file of an earlier one, this process's memory. */
  readonly source: 'synthesized' | 'file' | 'memory';
}

const cache = new Map<string, Promise<StackPolicies>>();

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The synthesized policies of earlier starts, keyed by everything they depend on. */
const CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'skyforge-iam');
/** What the policies depend on: the construct, the shared definitions it reads, this synthesis. */
const SOURCE_DIRS = ['infra', join('shared', 'config'), join('local', 'iam')];

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
    pending = fromFileOrSynthesis(options);
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  } else {
    pending = pending.then((policies) => ({ ...policies, synthMs: 0, source: 'memory' as const }));
  }
  return pending;
}

/**
 * Synthesis costs 1-3 s (loading aws-cdk-lib, mostly), on every `npm start` and in every test
 * process; its result only changes with the sources it reads. So it is kept in a file named by
 * the hash of those sources, aws-cdk-lib's version and the options; any edit synthesizes again.
 */
async function fromFileOrSynthesis(options: StackPoliciesOptions): Promise<StackPolicies> {
  const started = performance.now();
  const file = join(CACHE_DIR, `${sourceHash(options)}.json`);
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Pick<StackPolicies, 'functions' | 'tableNames'>;
    return { ...stored, synthMs: performance.now() - started, source: 'file' };
  } catch {
    // No such file (or unreadable): synthesize.
  }
  const synthesized = await synthesize(options);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Written aside and renamed: test processes start in parallel and must never read half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify({ functions: synthesized.functions, tableNames: synthesized.tableNames }));
    renameSync(partial, file);
  } catch {
    // A read-only install synthesizes every time; nothing else changes.
  }
  return synthesized;
}

function sourceHash(options: StackPoliciesOptions): string {
  const hash = createHash('sha256').update(JSON.stringify(options));
  const cdkVersion = (createRequire(import.meta.url)('aws-cdk-lib/package.json') as { version: string }).version;
  hash.update(`aws-cdk-lib@${cdkVersion}`);
  for (const path of SOURCE_DIRS.flatMap((dir) => sourceFiles(join(PROJECT_ROOT, dir)))) {
    hash.update(path.slice(PROJECT_ROOT.length)).update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 32);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      // .ts in a checkout, .js in the installed package (dist/).
      return entry.isFile() && /\.(ts|js)$/.test(entry.name) ? [path] : [];
    });
}

async function synthesize(options: StackPoliciesOptions): Promise<StackPolicies> {
  const started = performance.now();
  const [{ App }, { SkyForgeStack }, { SkyForgeFunction }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../../infra/stacks/skyforge-stack.ts'),
    import('../../infra/constructs/skyforge-function.ts'),
  ]).catch((error: unknown) => {
    // aws-cdk-lib is an optional peer of the package: say what to do instead of a stack trace.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('aws-cdk-lib')) {
      throw new MissingCdkError();
    }
    throw error;
  });
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
    const scheduler = stack.skyforge.scheduler;
    const executionRole = stack.getLogicalId(scheduler.executionRole.node.defaultChild as never);
    // The Scheduler's execution role is played too: deliveries are checked as that role, named
    // like the functions (`<prefix>-scheduler`), so tests can take a grant away from it the same way.
    functions.push({
      functionName: `${options.prefix}-scheduler`,
      roleLogicalId: executionRole,
      reasons: Object.fromEntries(scheduler.accessReasons),
      constructPath: scheduler.executionRole.node.path.split('/').slice(1).join('/'),
    });
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
      source: 'synthesized',
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
