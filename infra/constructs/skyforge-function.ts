import { existsSync } from 'node:fs';
import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.ts';
import { SkyForgeConfigError } from './skyforge-config-error.ts';
import type { SkyForgeLogLevel } from './skyforge-props.ts';

/** The bare module id the handlers import their job registry by. */
export const JOB_REGISTRY_MODULE = 'skyforge-job-registry';

/** Namespace of every SkyForge EMF metric. */
export const METRICS_NAMESPACE = 'SkyForge';

/**
 * ESM output can bundle CommonJS dependencies (e.g. aws-xray-sdk-core under the Powertools tracer)
 * whose `require()` of Node built-ins esbuild cannot rewrite; without a real `require` in scope
 * they fail at cold start with 'Dynamic require of "util" is not supported'.
 */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

export interface SkyForgeFunctionProps {
  /** Absolute path of the handler module; it must export `handler`. */
  readonly entry: string;
  readonly projectRoot: string;
  readonly depsLockFilePath: string;
  /** Absolute path bundled wherever the code imports `skyforge-job-registry`. */
  readonly jobRegistryEntry: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** SkyForge settings; the house variables (Powertools, source maps) are added here. */
  readonly environment: Record<string, string>;
  readonly serviceName: string;
  readonly logLevel: SkyForgeLogLevel;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The settings every SkyForge function shares; each construct adds entry, sizing and description. */
export type SkyForgeFunctionDefaults = Omit<SkyForgeFunctionProps, 'entry' | 'description' | 'memoryMb' | 'timeoutSeconds'>;

/**
 * The one place that holds the house defaults of every SkyForge Lambda function, so the api,
 * worker and dead-letter functions cannot drift apart:
 *
 * - nodejs24.x, set explicitly (cdk-nag L1 wants the newest runtime; a floating "latest" would
 *   change the runtime under a deployed stack on a CDK upgrade), on arm64 (20% cheaper per GB-s);
 * - bundled by the local esbuild, never Docker; minified ESM with external source maps and
 *   `--enable-source-maps`, so stack traces point at the TypeScript source;
 * - the job registry chosen at bundle time through an esbuild alias;
 * - an explicit log group with a retention, written through its own role (no managed policy);
 * - active X-Ray tracing and the Powertools environment.
 */
export class SkyForgeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private accessPolicy: Policy | undefined;

  constructor(scope: Construct, id: string, props: SkyForgeFunctionProps) {
    super(scope, id);

    // Checked only when this stack is really bundled (tests may skip bundling): esbuild's own
    // message for a missing alias target does not say which prop to fix.
    if (Stack.of(this).bundlingRequired && !existsSync(props.jobRegistryEntry)) {
      throw new SkyForgeConfigError('jobRegistryEntry', `no such file: ${props.jobRegistryEntry}`);
    }

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // An own role instead of the default one with AWSLambdaBasicExecutionRole: that managed
    // policy allows logs:CreateLogGroup/CreateLogStream/PutLogEvents on every log group ('*');
    // this role may write to its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: props.depsLockFilePath,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.serviceName]: props.serviceName,
        [ENV.metricsNamespace]: METRICS_NAMESPACE,
        [ENV.logLevel]: props.logLevel,
      },
      bundling: {
        forceDockerBundling: false,
        // ESM: the project is `"type": "module"`, so handlers may use top-level await and
        // import.meta like everywhere else in the codebase, and the SDK's ESM builds tree-shake.
        format: OutputFormat.ESM,
        // Prefer a package's ESM entry (the AWS SDK and Powertools ship one) where it has no exports map.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        target: 'node24',
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings only; embedding the sources would double the asset.
        sourcesContent: false,
        // Ship the SDK version the lock file pins and the tests ran against, instead of the one
        // the runtime happens to carry; its clients and Powertools must agree on @smithy/*.
        bundleAwsSDK: true,
        esbuildArgs: {
          '--alias': [`${JOB_REGISTRY_MODULE}=${props.jobRegistryEntry}`],
        },
      },
    });

    // Lambda's X-Ray integration adds xray:PutTraceSegments / PutTelemetryRecords on '*' to the
    // role's default policy; SkyForge's own grants live in a separate policy so that this
    // acknowledgement cannot hide a wildcard among them.
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy !== undefined) {
      Validations.of(defaultPolicy.node.defaultChild ?? defaultPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
          "permissions, so AWS requires Resource '*'. SkyForge's data-plane grants are in a separate policy.",
      });
    }
  }

  /**
   * Adds a least-privilege statement to the function's SkyForge access policy (not the role's
   * default policy, which holds only what CDK adds: logs, X-Ray, event source consumption).
   */
  addToAccessPolicy(statement: PolicyStatement): void {
    this.ensureAccessPolicy().addStatements(statement);
  }

  /**
   * Acknowledges one cdk-nag finding on the access policy itself, the narrowest construct for a
   * finding about one of its statements. Pass the finding's full id (e.g. one resource of
   * `AwsSolutions-IAM5[Resource::...]`), never a bare rule id, so nothing else in the policy is covered.
   */
  acknowledgeAccessPolicyFinding(id: string, reason: string): void {
    const policy = this.ensureAccessPolicy();
    Validations.of(policy.node.defaultChild ?? policy).acknowledge({ id, reason });
  }

  /**
   * Allows `actions` that support no resource-level permissions (AWS requires `Resource: '*'`)
   * in a policy of their own, acknowledged for cdk-nag with `reason`. Kept out of the access
   * policy so that this acknowledgement cannot hide a wildcard among the scoped grants.
   */
  addUnscopedPolicy(id: string, actions: readonly string[], reason: string): Policy {
    const policy = new Policy(this, id, {
      roles: [this.role],
      statements: [new PolicyStatement({ actions: [...actions], resources: ['*'] })],
    });
    this.function.node.addDependency(policy);
    Validations.of(policy.node.defaultChild ?? policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
    return policy;
  }

  private ensureAccessPolicy(): Policy {
    if (this.accessPolicy === undefined) {
      this.accessPolicy = new Policy(this, 'AccessPolicy', { roles: [this.role] });
      // The function must not run (or its event source mappings poll) before it may act.
      this.function.node.addDependency(this.accessPolicy);
    }
    return this.accessPolicy;
  }
}
