import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_PREFIX, PRIORITIES, maxJobTimeoutMsFor, maximumConcurrencyByPriority, workerCapacityOf, type Priority } from '../shared/config/definitions.ts';
import { ENV } from '../shared/config/env-names.ts';
import { withoutSdkLogging } from '../shared/adapters/aws-clients.ts';
import { serveDashboard } from '../ui/serve-assets.ts';
import { refuseCrossSiteWrite } from './cross-site-write-guard.ts';
import { chainGuards, FaultInjector, type FaultCounts } from './faults/fault-injector.ts';
import { createJobRegistry } from '../shared/jobs/create-registry.ts';
import { jobs as defaultJobs } from '../shared/jobs/default-registry.ts';
import type { JobDefinitions } from '../shared/jobs/registry.ts';
import { createApiHandler } from '../functions/api/create-handler.ts';
import { createDeadLetterHandler } from '../functions/dead-letter/create-handler.ts';
import { createMetricsHandler } from '../functions/metrics/create-handler.ts';
import { createWorkerHandler } from '../functions/worker/create-handler.ts';
import { createTracing as createOtelTracing } from '../shared/runtime/tracing/tracing-otel.ts';
import type { CreateTracing } from '../shared/runtime/tracing/tracing.ts';
import { startApiGateway, API_GATEWAY_TIMEOUT_MS, type ApiHandler } from './api-gateway.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from './aws-client-config.ts';
import { bootstrapResources, schedulerRoleArnOf, type LocalResources } from './bootstrap.ts';
import { startEmulatedAws, type EmulatedAwsUsage } from './emulated-aws.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { LOCAL_FUNCTION_NAMES, LOCAL_FUNCTIONS } from './function-settings.ts';
import { startLocalIam, type LocalIam } from './iam/local-iam.ts';
import type { FunctionPolicy } from './iam/policy.ts';
import type { SchedulerEmulator } from './scheduler/emulator.ts';
import { startEventSourceMapping, type EventSourceMapping, type SqsBatchHandler } from './event-source-mapping.ts';

/** The three Lambda functions the local cloud runs. */
export interface LocalCloudHandlers {
  api: ApiHandler;
  /** Serves GET /metrics, as the stack routes it to its own function. */
  metrics: ApiHandler;
  worker: SqsBatchHandler;
  deadLetter: SqsBatchHandler;
}

export interface LocalCloudOptions {
  /** API port; 0 picks a free one. Default 3000. */
  port?: number;
  /** AWS edge port (DynamoDB, SQS); 0 picks a free one. Default 4566, like LocalStack. */
  edgePort?: number;
  /** Interface both servers bind to. Default 127.0.0.1: the emulators check no credentials. */
  host?: string;
  /** State folder. Default `.skyforge/` in the project root; ignored with `memory`. */
  dataDir?: string;
  /** Keep all state in memory (nothing on disk). */
  memory?: boolean;
  /** Jobs per second each queue starts at most (the construct's `worker.queueRateLimits`; `npm start -- --queue-rate normal=50`). */
  queueRateLimits?: Partial<Record<Priority, number>>;
  /**
   * Export OpenTelemetry spans to this OTLP/HTTP collector base URL (`/v1/traces` is appended), as
   * a deployment with `tracing: 'otel'` does (`npm start -- --otel-endpoint http://127.0.0.1:4318`).
   */
  otelEndpoint?: string;
  /** Extra environment for the handlers (tuning variables), applied last. */
  env?: Record<string, string>;
  /** No log lines from the wiring (tests); IAM denials are still written to stderr. */
  quiet?: boolean;
  /**
   * The job types the handlers run: a registry module's `jobs` (`skyforge dev --jobs`, the
   * `skyforge/testing` helper). Default: the project's default registry
   * (shared/jobs/default-registry.ts). Swap them at run time with `reloadJobs`.
   */
  jobs?: JobDefinitions;
  /** Register the `demo.*` types next to `jobs` (SKYFORGE_DEMO_JOBS). Default true, as deployed. */
  demoJobs?: boolean;
  /** Functions to run instead of the project's handlers (tests of the wiring itself). */
  handlers?: Partial<LocalCloudHandlers>;
  /**
   * The worker function's timeout (default 300 s, as deployed). It sets the queues' visibility
   * timeout (6x) and the longest job timeout; tests of crash recovery shorten it.
   */
  workerTimeoutSeconds?: number;
  /** Pollers' grace for batches in flight at stop(). Default 10 s. */
  stopTimeoutMs?: number;
  /** How often expired items are deleted (DynamoDB TTL). Default 60 s. */
  ttlSweepIntervalMs?: number;
  /** Where log lines go (default: stderr, unless quiet). */
  log?: (message: string) => void;
  /** The Scheduler emulator's clock (end-to-end tests of schedules drive it). Default Date.now. */
  schedulerNow?: () => number;
  /**
   * Meter DynamoDB read and write units by AWS's rules, indexes included (the cost benchmark).
   * Each write then costs two extra reads locally, so it is off by default.
   */
  meterCapacity?: boolean;
  /** Serve the operator dashboard under /ui/ on the API port. Default true. */
  dashboard?: boolean;
  /**
   * Play IAM: check every AWS call a function makes against the policies `cdk synth` gives its
   * role (synthesized from the construct at start, without bundling) and refuse what they do not
   * allow, as AWS does. Default true; `--no-iam` turns it off.
   */
  iam?: boolean;
  /**
   * Fault injection: this share (0 to 0.5) of the functions' AWS calls fails as AWS fails under
   * stress (throttling, 5xx; see local/faults/fault-injector.ts), drawn from `seed`. Default off.
   */
  faults?: { rate: number; seed?: number };
  /**
   * Changes the synthesized policies before they are enforced: tests take one grant away
   * (`withoutGrant` in local/iam/policy.ts) to show the path that needs it fails.
   */
  iamPolicies?: (functions: readonly FunctionPolicy[]) => readonly FunctionPolicy[];
}

/** Invocations of one function and their duration, as Lambda bills them (per started ms). */
export interface LambdaUsage {
  invocations: number;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
}

/** Everything the system used, as AWS would bill it: see `LocalCloud.usage()`. */
export interface LocalCloudUsage extends EmulatedAwsUsage {
  /** Per function: 'api' (also the API Gateway requests it served), 'metrics', 'worker', 'dead-letter'. */
  lambda: Record<string, LambdaUsage>;
}

export interface LocalCloud {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:3000. */
  readonly apiUrl: string;
  /** The AWS endpoint (AWS_ENDPOINT_URL) for SDK clients, e.g. http://127.0.0.1:4566. */
  readonly edgeUrl: string;
  /** Absolute state folder, or null in memory. */
  readonly dataDir: string | null;
  /** Names and URLs of the table and queues. */
  readonly resources: LocalResources;
  /** The environment the handlers were given. */
  readonly env: Readonly<Record<string, string>>;
  /** The Scheduler emulator (`runDue()` fires what is due at its clock's now). */
  readonly scheduler: SchedulerEmulator;
  /** AWS calls per service operation made by the system so far (DynamoDB, SQS, Scheduler). */
  awsCalls(): Record<string, number>;
  /** Calls, SQS billable requests, Lambda invocations and durations, and (when metered) DynamoDB capacity so far. */
  usage(): LocalCloudUsage;
  /** Turns DynamoDB capacity metering on or off at run time (see `meterCapacity`). */
  setCapacityMetering(on: boolean): void;
  /** The job types the handlers run now (demo types included when on), sorted. */
  jobTypes(): string[];
  /**
   * Builds the handlers again for other job definitions (a changed registry module) and routes
   * every new invocation to them. Table, queues, schedules and pollers stay; invocations already
   * running finish on the handlers they started with. Throws, keeping the current handlers, when
   * the new ones cannot be built.
   */
  reloadJobs(jobs: JobDefinitions): void;
  /** The local IAM (policies enforced, denials so far), or null when it is off. */
  readonly iam: LocalIam | null;
  /** Faults injected so far (all zero without `faults`). */
  faults(): FaultCounts;
  /** Stops polling, lets batches in flight finish (bounded), closes servers and saves state. */
  stop(): Promise<void>;
}

/** Messages in flight when a killed local cloud starts again are visible again within this. */
export const RESTART_RELEASE_MS = 5_000;

/** The project root: the default data folder of `npm start` is in it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, '.skyforge');

/**
 * Starts the whole local cloud in this process: dynalite and the SQS emulator behind one edge
 * port, the table and queues of shared/config/definitions.ts, the environment the CDK stack
 * gives the Lambdas, the three handlers, one SQS event source mapping per queue (main queues ->
 * worker, DLQs -> dead-letter) and the API Gateway in front of the api handler.
 *
 * @example
 * const cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true });
 * await fetch(`${cloud.apiUrl}/healthz`);
 * await cloud.stop();
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const host = options.host ?? '127.0.0.1';
  const region = LOCAL_REGION;
  const log = options.log ?? (options.quiet ? (): void => undefined : (m: string): void => console.error(`[local] ${m}`));
  const dataDir = options.memory ? null : resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const cleanups = new CleanupStack(log);

  // Synthesis (mostly loading aws-cdk-lib) overlaps with starting the emulators.
  const iamStarting =
    options.iam === false
      ? undefined
      : startLocalIam({
          prefix: DEFAULT_PREFIX,
          partition: 'aws',
          region,
          accountId: LOCAL_ACCOUNT_ID,
          schedulerRoleArn: schedulerRoleArnOf(DEFAULT_PREFIX),
          functionNames: Object.values(LOCAL_FUNCTION_NAMES),
          ...(options.iamPolicies ? { transform: options.iamPolicies } : {}),
          // A denial is never wiring noise: it is said even in quiet mode (tests), where a
          // missing grant would otherwise only show as a path that quietly does not happen.
          log: options.quiet ? (m: string): void => void process.stderr.write(`[local] ${m}\n`) : log,
        });
  iamStarting?.catch(() => undefined);

  try {
    const workerTimeoutSeconds = options.workerTimeoutSeconds ?? LOCAL_FUNCTIONS.worker.timeoutSeconds;
    const aws = await startEmulatedAws({
      port: options.edgePort ?? 4566,
      host,
      dataDir,
      ...(options.ttlSweepIntervalMs ? { ttlSweepIntervalMs: options.ttlSweepIntervalMs } : {}),
      ...(options.schedulerNow ? { schedulerNow: options.schedulerNow } : {}),
      ...(options.meterCapacity ? { meterCapacity: true } : {}),
      // A killed local cloud took its pollers with it (on AWS they outlive any function): what
      // they had received comes back soon, and the jobs' leases decide whether it may run.
      releaseInFlightAfterMs: RESTART_RELEASE_MS,
      log,
    });
    cleanups.push(() => aws.close());

    const resources = await bootstrapResources({
      dynamodb: aws.clients.dynamodb,
      sqs: aws.clients.sqs,
      scheduler: aws.clients.scheduler,
      prefix: DEFAULT_PREFIX,
      workerTimeoutSeconds,
      deadLetterTimeoutSeconds: LOCAL_FUNCTIONS.deadLetter.timeoutSeconds,
    });

    const iam = (await iamStarting) ?? null;
    const faults = options.faults?.rate
      ? new FaultInjector({ rate: options.faults.rate, seed: options.faults.seed ?? 1, functions: Object.values(LOCAL_FUNCTION_NAMES), log })
      : null;
    if (iam) {
      iam.assertMatches(resources.tableName);
      const guard = iam.guard;
      aws.setDeliveryGuard((delivery) => guard.checkDelivery(delivery.roleArn, delivery.targetArn));
    }
    const guards = [...(iam ? [iam.guard] : []), ...(faults ? [faults] : [])];
    if (guards.length > 0) aws.setGuard(chainGuards(guards));

    const env = handlerEnvironment(resources, aws.url, region, workerTimeoutSeconds, options);
    const restoreEnv = applyEnvironment(env);
    cleanups.push(async () => restoreEnv());

    const lambda: Record<string, LambdaUsage> = {};
    let jobs = options.jobs ?? defaultJobs;
    // Every invocation goes through `current`, so a reload swaps the code for the next one while
    // an invocation already running keeps the handler it was given.
    const tracing = options.otelEndpoint ? createOtelTracing : undefined;
    let current = buildHandlers(options.handlers ?? {}, jobs, tracing);
    const handlers = meterInvocations(
      {
        api: (event, context) => current.api(event, context),
        metrics: (event, context) => current.metrics(event, context),
        worker: (event, context) => current.worker(event, context),
        deadLetter: (event, context) => current.deadLetter(event, context),
      },
      lambda,
    );

    // Lambda's pollers read the queues with the function's own role, so they sign as the function.
    const pollerClient = (functionName: string): SQSClient => {
      const client = withoutSdkLogging(new SQSClient({ endpoint: aws.url, region, credentials: functionCredentials(functionName) }));
      cleanups.push(async () => client.destroy());
      return client;
    };
    const mappings = startMappings(
      resources,
      handlers,
      { worker: pollerClient(LOCAL_FUNCTION_NAMES.worker), deadLetter: pollerClient(LOCAL_FUNCTION_NAMES.deadLetter) },
      region,
      workerTimeoutSeconds,
      log,
    );
    cleanups.push(async () => {
      await Promise.all(mappings.map((m) => m.stop(options.stopTimeoutMs ?? 10_000)));
    });

    const api = await startApiGateway({
      // The HTTP API's routes: GET /metrics goes to the metrics function, the rest to the api.
      handler: (event, context) =>
        event.rawPath === '/metrics' ? withFaultMetrics(handlers.metrics(event, context), faults) : handlers.api(event, context),
      port: options.port ?? 3000,
      host,
      timeoutMs: API_GATEWAY_TIMEOUT_MS,
      functionTimeoutMs: LOCAL_FUNCTIONS.api.timeoutSeconds * 1000,
      memoryMb: LOCAL_FUNCTIONS.api.memoryMb,
      functionName: LOCAL_FUNCTION_NAMES.api,
      region,
      log,
      intercept: async (req, res) =>
        refuseCrossSiteWrite(req, res) ||
        (options.dashboard !== false && (await serveDashboard(req, res, { config: { readOnly: false, target: 'local cloud' } }))),
    });
    // Closed first: no new work starts while the pollers drain.
    cleanups.push(() => api.close());

    return {
      apiUrl: api.url,
      edgeUrl: aws.url,
      dataDir,
      resources,
      env,
      scheduler: aws.scheduler,
      awsCalls: () => Object.fromEntries(aws.calls),
      usage: () => ({ ...aws.usage(), lambda: structuredClone(lambda) }),
      setCapacityMetering: (on) => aws.setCapacityMetering(on),
      jobTypes: () => createJobRegistry(jobs, { demoJobs: options.demoJobs ?? true }).types(),
      reloadJobs: (next) => {
        // Built with the environment the cloud set at start (still in place until stop).
        current = buildHandlers(options.handlers ?? {}, next, tracing);
        jobs = next;
      },
      iam,
      faults: () => faults?.snapshot() ?? { injected: {}, unabsorbed: {} },
      stop: () => cleanups.run(),
    };
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}

/** With faults on, the local cloud's own counts of them ride on GET /metrics. */
async function withFaultMetrics(answer: Promise<unknown>, faults: FaultInjector | null): Promise<unknown> {
  const result = (await answer) as { statusCode?: unknown; body?: unknown } | null;
  if (!faults || typeof result !== 'object' || result === null || result.statusCode !== 200 || typeof result.body !== 'string') return result;
  return { ...result, body: `${result.body}${faults.exposition()}` };
}

/** Wraps each handler so its invocations and durations are counted in `usage`. */
function meterInvocations(handlers: LocalCloudHandlers, usage: Record<string, LambdaUsage>): LocalCloudHandlers {
  const meter = <E, C, R>(name: string, memoryMb: number, handler: (event: E, context: C) => Promise<R>) => {
    const totals: LambdaUsage = (usage[name] = { invocations: 0, durationMs: 0, billedMs: 0, memoryMb });
    return async (event: E, context: C): Promise<R> => {
      const started = performance.now();
      try {
        return await handler(event, context);
      } finally {
        const ms = performance.now() - started;
        totals.invocations += 1;
        totals.durationMs += ms;
        totals.billedMs += Math.max(1, Math.ceil(ms));
      }
    };
  };
  return {
    api: meter('api', LOCAL_FUNCTIONS.api.memoryMb, handlers.api),
    metrics: meter('metrics', LOCAL_FUNCTIONS.metrics.memoryMb, handlers.metrics),
    worker: meter('worker', LOCAL_FUNCTIONS.worker.memoryMb, handlers.worker),
    deadLetter: meter('dead-letter', LOCAL_FUNCTIONS.deadLetter.memoryMb, handlers.deadLetter),
  };
}

function startMappings(
  resources: LocalResources,
  handlers: LocalCloudHandlers,
  clients: { worker: SQSClient; deadLetter: SQSClient },
  region: string,
  workerTimeoutSeconds: number,
  log: (message: string) => void,
): EventSourceMapping[] {
  const { worker, deadLetter } = LOCAL_FUNCTIONS;
  const concurrency = maximumConcurrencyByPriority(worker.totalMaximumConcurrency);
  const deadLetterMapping = (queueUrl: string, queueArn: string): EventSourceMapping =>
    startEventSourceMapping({
      client: clients.deadLetter,
      queueUrl,
      queueArn,
      handler: handlers.deadLetter,
      batchSize: deadLetter.batchSize,
      maximumConcurrency: deadLetter.maximumConcurrency,
      functionName: LOCAL_FUNCTION_NAMES.deadLetter,
      functionTimeoutMs: deadLetter.timeoutSeconds * 1000,
      memoryMb: deadLetter.memoryMb,
      region,
      log,
    });
  return [
    ...PRIORITIES.flatMap((priority) => [
      startEventSourceMapping({
        client: clients.worker,
        queueUrl: resources.queueUrls[priority],
        queueArn: resources.queueArns[priority],
        handler: handlers.worker,
        batchSize: worker.batchSize,
        maximumBatchingWindowSeconds: worker.maxBatchingWindowSeconds,
        maximumConcurrency: concurrency[priority],
        functionName: LOCAL_FUNCTION_NAMES.worker,
        functionTimeoutMs: workerTimeoutSeconds * 1000,
        memoryMb: worker.memoryMb,
        region,
        log,
      }),
      deadLetterMapping(resources.deadLetterQueueUrls[priority], resources.deadLetterQueueArns[priority]),
    ]),
    // Deliveries EventBridge Scheduler gave up on, consumed like the other dead letters.
    deadLetterMapping(resources.scheduleDeadLetterQueueUrl, resources.scheduleDeadLetterQueueArn),
  ];
}

/** The variables the CDK stack sets on the functions, pointed at the local cloud. */
function handlerEnvironment(
  resources: LocalResources,
  edgeUrl: string,
  region: string,
  workerTimeoutSeconds: number,
  options: LocalCloudOptions,
): Record<string, string> {
  return {
    [ENV.maxJobTimeoutMs]: String(maxJobTimeoutMsFor(workerTimeoutSeconds)),
    [ENV.tableName]: resources.tableName,
    [ENV.queueUrls]: JSON.stringify(resources.queueUrls),
    [ENV.deadLetterQueueUrls]: JSON.stringify(resources.deadLetterQueueUrls),
    [ENV.queueArns]: JSON.stringify(resources.queueArns),
    [ENV.scheduleGroup]: resources.scheduleGroupName,
    [ENV.schedulerRoleArn]: resources.schedulerRoleArn,
    [ENV.scheduleDeadLetterArn]: resources.scheduleDeadLetterQueueArn,
    [ENV.awsEndpointUrl]: edgeUrl,
    [ENV.awsRegion]: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    [ENV.serviceName]: 'skyforge',
    [ENV.demoJobs]: String(options.demoJobs ?? true),
    [ENV.workerCapacity]: JSON.stringify(workerCapacityOf(maximumConcurrencyByPriority(LOCAL_FUNCTIONS.worker.totalMaximumConcurrency), LOCAL_FUNCTIONS.worker.batchSize)),
    ...(options.queueRateLimits && Object.keys(options.queueRateLimits).length > 0 ? { [ENV.queueRateLimits]: JSON.stringify(options.queueRateLimits) } : {}),
    ...(options.otelEndpoint ? { [ENV.otlpEndpoint]: options.otelEndpoint } : {}),
    [ENV.metricsNamespace]: 'SkyForge',
    [ENV.logLevel]: process.env[ENV.logLevel] ?? (options.quiet ? 'WARN' : 'INFO'),
    // EMF lines are for CloudWatch; in a terminal they are noise unless asked for.
    [ENV.metricsDisabled]: process.env[ENV.metricsDisabled] ?? 'true',
    ...(options.env ?? {}),
  };
}

/** Sets the variables on process.env and returns how to put the previous values back. */
function applyEnvironment(env: Record<string, string>): () => void {
  const keys = [...Object.keys(env), 'AWS_SESSION_TOKEN'];
  const previous = new Map(keys.map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  // A real session token would be sent alongside the dummy keys.
  delete process.env['AWS_SESSION_TOKEN'];
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Builds the four functions for `jobs` with the environment as it is now (they read it when
 * built, as a Lambda function reads it at cold start), except those passed in.
 */
function buildHandlers(given: Partial<LocalCloudHandlers>, jobs: JobDefinitions, tracing?: CreateTracing): LocalCloudHandlers {
  // Tests of the wiring that bring their own api handler get /metrics from it too.
  if (given.api && !given.metrics) given = { ...given, metrics: given.api };
  // Each function is built under its own keys, as each Lambda function's environment carries its
  // role's credentials: the config loader takes them when the function is built (its cold start).
  return {
    api: given.api ?? (asFunction(LOCAL_FUNCTION_NAMES.api, () => createApiHandler(jobs, { createTracing: tracing })) as unknown as ApiHandler),
    metrics: given.metrics ?? (asFunction(LOCAL_FUNCTION_NAMES.metrics, () => createMetricsHandler(jobs)) as unknown as ApiHandler),
    worker: given.worker ?? (asFunction(LOCAL_FUNCTION_NAMES.worker, () => createWorkerHandler(jobs, { createTracing: tracing })) as unknown as SqsBatchHandler),
    deadLetter:
      given.deadLetter ?? (asFunction(LOCAL_FUNCTION_NAMES.deadLetter, () => createDeadLetterHandler(jobs)) as unknown as SqsBatchHandler),
  };
}

/** Runs `build` (synchronous: it reads the environment once) with the function's keys in the environment. */
function asFunction<T>(functionName: string, build: () => T): T {
  const credentials = functionCredentials(functionName);
  const shared = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  try {
    return build();
  } finally {
    restoreVariable('AWS_ACCESS_KEY_ID', shared.id);
    restoreVariable('AWS_SECRET_ACCESS_KEY', shared.secret);
  }
}

function restoreVariable(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** A function's credentials in the local cloud: its name is its access key id (its identity for the local IAM). */
export function functionCredentials(functionName: string): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: functionName, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey };
}
