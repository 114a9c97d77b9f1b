import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { tableName, workerCapacityOf } from '../../shared/config/definitions.ts';
import { DeadLetterConsumer } from './dead-letter-consumer.ts';
import { JobApi } from './job-api.ts';
import { JobObservability } from './job-observability.ts';
import { JobQueues } from './job-queues.ts';
import { JobScheduler } from './job-scheduler.ts';
import { JobTable } from './job-table.ts';
import { JobWorker } from './job-worker.ts';
import { MetricsEndpoint } from './metrics-endpoint.ts';
import { resolveSkyForgeConfig, type ResolvedSkyForgeConfig } from './resolve-skyforge-config.ts';
import { skyforgeEnvironment } from './skyforge-environment.ts';
import { SKYFORGE_CODE, defaultProjectRoot } from './skyforge-code.ts';
import type { SkyForgeFunctionDefaults } from './skyforge-function.ts';
import type { SkyForgeProps } from './skyforge-props.ts';


/**
 * A complete SkyForge deployment — job table, priority queues with DLQs, schedule group with its
 * execution role and DLQ, HTTP API, worker, dead-letter consumer, the Prometheus metrics
 * endpoint, alarms with their topic and a dashboard — as one construct, so it can live in the
 * user's own CDK app:
 *
 * @example
 * new SkyForge(stack, 'Jobs', {
 *   jobRegistryEntry: path.join(import.meta.dirname, '../jobs/registry.ts'),
 *   worker: { timeoutSeconds: 120, totalMaximumConcurrency: 60 },
 *   demoJobs: false,
 * });
 */
export class SkyForge extends Construct {
  /** The validated settings, defaults applied. */
  readonly config: ResolvedSkyForgeConfig;
  readonly table: JobTable;
  readonly queues: JobQueues;
  readonly scheduler: JobScheduler;
  readonly api: JobApi;
  readonly worker: JobWorker;
  readonly deadLetter: DeadLetterConsumer;
  readonly metrics: MetricsEndpoint;
  readonly observability: JobObservability;

  constructor(scope: Construct, id: string, props: SkyForgeProps = {}) {
    super(scope, id);
    // Validate everything before creating anything: one clear error instead of a half-built tree.
    const config = resolveSkyForgeConfig(props, defaultProjectRoot(SKYFORGE_CODE), SKYFORGE_CODE);
    this.config = config;

    this.table = new JobTable(this, 'Store', {
      tableName: config.prefix === undefined ? undefined : tableName(config.prefix),
      removalPolicy: config.removalPolicy,
    });
    this.queues = new JobQueues(this, 'Queues', {
      prefix: config.prefix,
      maxReceiveCount: config.maxReceiveCount,
      workerTimeoutSeconds: config.worker.timeoutSeconds,
      workerMaxBatchingWindowSeconds: config.worker.maxBatchingWindowSeconds,
      deadLetterTimeoutSeconds: config.deadLetter.timeoutSeconds,
    });
    this.scheduler = new JobScheduler(this, 'Scheduler', {
      prefix: config.prefix,
      queues: this.queues,
      deadLetterTimeoutSeconds: config.deadLetter.timeoutSeconds,
    });

    const functionDefaults: SkyForgeFunctionDefaults = {
      projectRoot: config.projectRoot,
      depsLockFilePath: config.depsLockFilePath,
      jobRegistryEntry: config.jobRegistryEntry,
      environment: skyforgeEnvironment(this, config, this.table, this.queues, this.scheduler),
      serviceName: config.serviceName,
      logLevel: config.logLevel,
      tracing: config.tracing,
      otel: config.otel,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    };
    const shared = { functionDefaults, table: this.table, queues: this.queues, scheduler: this.scheduler };
    // Names a person reads (API, alarms, dashboard) start with the deployment's name.
    const deploymentName = config.prefix ?? Stack.of(this).stackName;

    this.api = new JobApi(this, 'Api', {
      ...shared,
      apiName: `${deploymentName}-api`,
      settings: config.api,
    });
    this.worker = new JobWorker(this, 'Worker', { ...shared, settings: config.worker });
    this.deadLetter = new DeadLetterConsumer(this, 'DeadLetter', { ...shared, settings: config.deadLetter });
    this.metrics = new MetricsEndpoint(this, 'Metrics', { ...shared, api: this.api, settings: config.observability.metrics });

    this.observability = new JobObservability(this, 'Observability', {
      namePrefix: deploymentName,
      settings: config.observability,
      queues: this.queues,
      scheduler: this.scheduler,
      api: this.api,
      functions: {
        api: this.api.handler,
        worker: this.worker.handler,
        deadLetter: this.deadLetter.handler,
        metrics: this.metrics.handler,
      },
      metricsUrl: this.metrics.url,
      workerCapacity: workerCapacityOf(config.worker.maximumConcurrency, config.worker.batchSize),
    });
  }
}
