import { Logger } from '@aws-lambda-powertools/logger';
import { createTracing } from 'skyforge-tracing';
import { monotonicFactory } from 'ulid';
import { DynamoDbJobCounters } from '../adapters/dynamodb/dynamodb-job-counters.ts';
import { DynamoDbFlowControlStore } from '../adapters/dynamodb/dynamodb-flow-control-store.ts';
import { DynamoDbFlowStore } from '../adapters/dynamodb/dynamodb-flow-store.ts';
import { DynamoDbJobStore } from '../adapters/dynamodb/dynamodb-job-store.ts';
import { DynamoDbScheduleStore } from '../adapters/dynamodb/dynamodb-schedule-store.ts';
import { EventBridgeJobScheduler } from '../adapters/scheduler/eventbridge-job-scheduler.ts';
import { SqsJobQueue } from '../adapters/sqs/sqs-job-queue.ts';
import { createAwsClients, type AwsClients } from '../adapters/aws-clients.ts';
import { currentTraceHeader, type SkyForgeConfig } from '../config/env.ts';
import { createJobRegistry } from '../jobs/create-registry.ts';
import type { JobDefinitions } from '../jobs/registry.ts';
import type { Clock } from '../ports/clock.ts';
import { systemClock } from './system-clock.ts';
import type { Dependencies } from '../use-cases/dependencies.ts';
import { EmfMetricsSink } from './emf-metrics-sink.ts';
import { toJobLogger } from './job-logger.ts';
import type { Tracing } from './tracing/tracing.ts';

export interface RuntimeDependencies extends Dependencies {
  /** X-Ray when the function was bundled with tracing on (see runtime/tracing/tracing.ts), else a no-op. */
  tracing: Tracing;
  /** The Powertools logger itself, for handler middleware (Lambda context, cold start). */
  powertoolsLogger: Logger;
  clients: AwsClients;
}

/**
 * Builds what every handler needs, once per container (at module load): AWS clients, adapters,
 * the job registry, the logger.
 */
export function createDependencies(options: {
  config: SkyForgeConfig;
  jobs: JobDefinitions;
  serviceName: string;
  clock?: Clock;
  clients?: AwsClients;
}): RuntimeDependencies {
  const { config } = options;
  const serviceName = config.serviceName ?? options.serviceName;
  const tracing = createTracing(serviceName);
  const clients = options.clients ?? createAwsClients(config.aws, (client) => tracing.captureClient(client));
  const nextUlid = monotonicFactory();
  const logger = new Logger({ serviceName });
  return {
    clients,
    tracing,
    store: new DynamoDbJobStore({ client: clients.dynamo, tableName: config.tableName }),
    flowControl: new DynamoDbFlowControlStore({ client: clients.dynamo, tableName: config.tableName }),
    flows: new DynamoDbFlowStore({ client: clients.dynamo, tableName: config.tableName }),
    queue: new SqsJobQueue({
      client: clients.sqs,
      queueUrls: config.queueUrls,
      deadLetterQueueUrls: config.deadLetterQueueUrls,
      // Lambda sets the invocation's trace header; SQS carries it to the worker's invocation.
      traceHeader: () => currentTraceHeader(),
    }),
    scheduler: new EventBridgeJobScheduler({
      client: clients.scheduler,
      groupName: config.scheduleGroup,
      roleArn: config.schedulerRoleArn,
      queueArns: config.queueArns,
      deadLetterArn: config.scheduleDeadLetterArn,
    }),
    schedules: new DynamoDbScheduleStore({ client: clients.dynamo, tableName: config.tableName }),
    counters: new DynamoDbJobCounters({ client: clients.dynamo, tableName: config.tableName, clock: options.clock ?? systemClock }),
    metrics: new EmfMetricsSink({
      namespace: config.metricsNamespace,
      disabled: config.metricsDisabled,
    }),
    registry: createJobRegistry(options.jobs, { demoJobs: config.demoJobs }),
    clock: options.clock ?? systemClock,
    config,
    powertoolsLogger: logger,
    logger: toJobLogger(logger),
    newId: (nowMs) => nextUlid(nowMs),
    random: Math.random,
  };
}
