import { existsSync } from 'node:fs';
import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Policy, type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.ts';
import { skyforgeBundling, type TracingMode } from '../bundling.ts';
import { SkyForgeConfigError } from './skyforge-config-error.ts';
import type { SkyForgeLogLevel } from './skyforge-props.ts';

export { JOB_REGISTRY_MODULE } from '../bundling.ts';

/** Lambda's application log level for each SkyForge log level (Powertools' names). */
const APPLICATION_LOG_LEVELS: Record<SkyForgeLogLevel, ApplicationLogLevel> = {
  TRACE: ApplicationLogLevel.TRACE,
  DEBUG: ApplicationLogLevel.DEBUG,
  INFO: ApplicationLogLevel.INFO,
  WARN: ApplicationLogLevel.WARN,
  ERROR: ApplicationLogLevel.ERROR,
  CRITICAL: ApplicationLogLevel.FATAL,
  SILENT: ApplicationLogLevel.FATAL,
};

/** Namespace of every SkyForge EMF metric. */
export const METRICS_NAMESPACE = 'SkyForge';

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
  /** 'xray': active X-Ray tracing and the X-Ray module bundled; 'otel': the OTLP exporter bundled (see SkyForgeProps.tracing). */
  readonly tracing: TracingMode;
  /** `tracing: 'otel'`: the collector the spans go to. */
  readonly otel?: { readonly endpoint: string; readonly headers: Record<string, string> } | undefined;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Data files the handler reads from beside its index.mjs, copied into the asset (infra/bundling.ts, FILES_BESIDE_BUNDLE). */
  readonly besideBundle?: readonly string[];
}

/** The settings every SkyForge function shares; each construct adds entry, sizing and description. */
export type SkyForgeFunctionDefaults = Omit<SkyForgeFunctionProps, 'entry' | 'description' | 'memoryMb' | 'timeoutSeconds' | 'besideBundle'>;

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
 * - X-Ray tracing only when asked for (`tracing`), and the Powertools environment.
 */
export class SkyForgeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private accessPolicy: Policy | undefined;
  private readonly reasons = new Map<string, string>();

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
      // JSON logs with the platform's own lines at WARN: no START/END/REPORT line per invocation
      // (about 300 bytes each, $0.15 per million invocations of CloudWatch Logs ingestion, more
      // than the worker's compute); Lambda's Duration and Errors metrics still cover them. The
      // application level matches the Powertools logger's, which then filters as configured.
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: SystemLogLevel.WARN,
      applicationLogLevelV2: APPLICATION_LOG_LEVELS[props.logLevel],
      tracing: props.tracing === 'xray' ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.serviceName]: props.serviceName,
        [ENV.metricsNamespace]: METRICS_NAMESPACE,
        [ENV.logLevel]: props.logLevel,
        ...otelEnvironment(props.otel),
      },
      // The esbuild settings live in infra/bundling.ts, shared with the cold-start benchmark.
      bundling: skyforgeBundling(props.jobRegistryEntry, props.tracing, props.besideBundle),
    });

    // Lambda's X-Ray integration adds xray:PutTraceSegments / PutTelemetryRecords on '*' to the
    // role's default policy; SkyForge's own grants live in a separate policy so that this
    // acknowledgement cannot hide a wildcard among them.
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (props.tracing === 'xray' && defaultPolicy !== undefined) {
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
   * The statement needs a `sid`; `why` is what infra/README.md says about it (generated from
   * the synthesized policies by `npm run docs:grants`).
   */
  addToAccessPolicy(statement: PolicyStatement, why: string): void {
    const sid = statement.sid;
    if (sid === undefined || this.reasons.has(sid)) {
      throw new Error(`each statement of ${this.node.path}'s access policy needs its own sid (got ${String(sid)})`);
    }
    this.reasons.set(sid, why);
    this.ensureAccessPolicy().addStatements(statement);
  }

  /** Why each statement of the access policy is there, by sid. */
  get accessReasons(): ReadonlyMap<string, string> {
    return this.reasons;
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

  private ensureAccessPolicy(): Policy {
    if (this.accessPolicy === undefined) {
      this.accessPolicy = new Policy(this, 'AccessPolicy', { roles: [this.role] });
      // The function must not run (or its event source mappings poll) before it may act.
      this.function.node.addDependency(this.accessPolicy);
    }
    return this.accessPolicy;
  }
}

/** OpenTelemetry's own variables for the OTLP exporter (tracing: 'otel'); none otherwise. */
function otelEnvironment(otel: SkyForgeFunctionProps['otel']): Record<string, string> {
  if (!otel) return {};
  const headers = Object.entries(otel.headers).map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  return { [ENV.otlpEndpoint]: otel.endpoint, ...(headers.length > 0 ? { [ENV.otlpHeaders]: headers.join(',') } : {}) };
}
