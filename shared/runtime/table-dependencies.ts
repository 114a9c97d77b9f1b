import { Logger } from '@aws-lambda-powertools/logger';
import { createTracing } from 'skyforge-tracing';
import { monotonicUlid } from './monotonic-ulid.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbJobCounters } from '../adapters/dynamodb/dynamodb-job-counters.ts';
import { DynamoDbFlowControlStore } from '../adapters/dynamodb/dynamodb-flow-control-store.ts';
import { DynamoDbFlowStore } from '../adapters/dynamodb/dynamodb-flow-store.ts';
import { DynamoDbJobStore } from '../adapters/dynamodb/dynamodb-job-store.ts';
import { DynamoDbScheduleStore } from '../adapters/dynamodb/dynamodb-schedule-store.ts';
import { EventBridgeJobScheduler } from '../adapters/scheduler/eventbridge-job-scheduler.ts';
import { SqsJobQueue } from '../adapters/sqs/sqs-job-queue.ts';
import { createDynamoClient, createSqsClient, type InstrumentClient } from '../adapters/aws-clients.ts';
import { currentTraceHeader, type SkyForgeConfig } from '../config/env.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { JobScheduler } from '../ports/job-scheduler.ts';
import { systemClock } from './system-clock.ts';
import type { Dependencies } from '../use-cases/dependencies.ts';
import { EmfMetricsSink } from './emf-metrics-sink.ts';
import { toJobLogger } from './job-logger.ts';
import type { CreateTracing, Tracing } from './tracing/tracing.ts';

/*
 * The parts every function's dependencies are built from. This module imports no job registry:
 * the metrics function builds from it alone (createMetricsDependencies), so neither the demo job
 * types nor their schemas are in its bundle; create-dependencies.ts adds the registry for the others.
 */

/** What the handlers' middleware needs besides the use cases' dependencies. */
export interface HandlerParts {
  /** X-Ray when the function was bundled with tracing on (see runtime/tracing/tracing.ts), else a no-op. */
  tracing: Tracing;
  /** The Powertools logger itself, for handler middleware (Lambda context, cold start). */
  powertoolsLogger: Logger;
}

/** What every function builds: the table's ports, logger, metrics, clock and ids; no queue, scheduler or registry. */
export type TableDependencies = Omit<Dependencies, 'queue' | 'scheduler' | 'registry'> & HandlerParts;

/** The metrics function reads counters from the table and depths from SQS: no Scheduler client, no job registry. */
export type MetricsDependencies = TableDependencies & Pick<Dependencies, 'queue'>;

export interface RuntimeOptions {
  config: SkyForgeConfig;
  /** The function's default service name (POWERTOOLS_SERVICE_NAME wins). */
  serviceName: string;
  clock?: Clock;
  /** The tracing module to use instead of the bundled one (the local cloud's `--otel-endpoint`). */
  createTracing?: CreateTracing;
}

/** The function's Powertools logger and its tracing (the bundled module unless the options name one). */
export interface RuntimeBase {
  logger: Logger;
  tracing: Tracing;
}

/** The logger first, so the tracing can report an export that failed. */
export function runtimeBase(options: RuntimeOptions): RuntimeBase {
  const { config } = options;
  const serviceName = config.serviceName ?? options.serviceName;
  const logger = new Logger({ serviceName });
  const tracing = (options.createTracing ?? createTracing)(serviceName, { otlp: config.otlp, warn: (message, extra) => logger.warn(message, extra) });
  return { logger, tracing };
}

/**
 * The table's ports and the queues, on the DynamoDB and SQS clients only: the metrics function's
 * dependencies (see MetricsDependencies), and the dead-letter function's without its registry.
 */
export function createMetricsDependencies(options: RuntimeOptions): MetricsDependencies {
  const { config } = options;
  const base = runtimeBase(options);
  const instrument = instrumentWith(base.tracing);
  return {
    ...tableDependencies(options, createDynamoClient(config.aws, instrument), base),
    queue: createJobQueue(config, createSqsClient(config.aws, instrument)),
  };
}

/** The tracing's client wrapper, as the client factories take it. */
export function instrumentWith(tracing: Tracing): InstrumentClient {
  return (client) => tracing.captureClient(client);
}

/** The ports on the table and the runtime's logger, metrics, clock and ids: built once per container. */
export function tableDependencies(options: RuntimeOptions, dynamo: DynamoDBDocumentClient, base: RuntimeBase): TableDependencies {
  const { config } = options;
  const { logger, tracing } = base;
  const tableName = config.tableName;
  const clock = options.clock ?? systemClock;
  const nextUlid = monotonicUlid();
  return {
    tracing,
    ...(tracing.spans ? { spans: tracing.spans } : {}),
    store: new DynamoDbJobStore({ client: dynamo, tableName }),
    flowControl: new DynamoDbFlowControlStore({ client: dynamo, tableName }),
    flows: new DynamoDbFlowStore({ client: dynamo, tableName }),
    schedules: new DynamoDbScheduleStore({ client: dynamo, tableName }),
    counters: new DynamoDbJobCounters({ client: dynamo, tableName, clock }),
    metrics: new EmfMetricsSink({
      namespace: config.metricsNamespace,
      disabled: config.metricsDisabled,
    }),
    clock,
    config,
    powertoolsLogger: logger,
    logger: toJobLogger(logger),
    newId: (nowMs) => nextUlid(nowMs),
    random: Math.random,
  };
}

/** The four priority queues (and their dead-letter queues) behind the JobQueue port. */
export function createJobQueue(config: SkyForgeConfig, client: SQSClient): JobQueue {
  return new SqsJobQueue({
    client,
    queueUrls: config.queueUrls,
    deadLetterQueueUrls: config.deadLetterQueueUrls,
    // Lambda sets the invocation's trace header; SQS carries it to the worker's invocation.
    traceHeader: () => currentTraceHeader(),
  });
}

/** EventBridge Scheduler behind the JobScheduler port (delayed jobs, long retries, schedules). */
export function createJobScheduler(config: SkyForgeConfig, client: SchedulerClient): JobScheduler {
  return new EventBridgeJobScheduler({
    client,
    groupName: config.scheduleGroup,
    roleArn: config.schedulerRoleArn,
    queueArns: config.queueArns,
    deadLetterArn: config.scheduleDeadLetterArn,
  });
}
