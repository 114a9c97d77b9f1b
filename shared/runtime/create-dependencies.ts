import { createAwsClients, type AwsClients } from '../adapters/aws-clients.ts';
import { createJobRegistry } from '../jobs/create-registry.ts';
import type { JobDefinitions } from '../jobs/registry.ts';
import type { Dependencies } from '../use-cases/dependencies.ts';
import { createJobQueue, createJobScheduler, createMetricsDependencies, instrumentWith, runtimeBase, tableDependencies, type HandlerParts, type RuntimeOptions, type TableDependencies } from './table-dependencies.ts';

/** The api and the worker: every port, on all three AWS clients. */
export interface RuntimeDependencies extends Dependencies, HandlerParts {
  clients: AwsClients;
}

/**
 * The dead-letter function records deaths in the table, and sends only the messages of flow jobs
 * a death releases (onDependencyFailure "run"): no Scheduler client.
 */
export type DeadLetterDependencies = TableDependencies & Pick<Dependencies, 'registry' | 'queue'>;

/**
 * Builds what the api and the worker need, once per container (at module load): AWS clients,
 * adapters, the job registry, the logger.
 */
export function createDependencies(options: RuntimeOptions & { jobs: JobDefinitions; clients?: AwsClients }): RuntimeDependencies {
  const { config } = options;
  const base = runtimeBase(options);
  const clients = options.clients ?? createAwsClients(config.aws, instrumentWith(base.tracing));
  return {
    ...tableDependencies(options, clients.dynamo, base),
    clients,
    queue: createJobQueue(config, clients.sqs),
    scheduler: createJobScheduler(config, clients.scheduler),
    registry: createJobRegistry(options.jobs, { demoJobs: config.demoJobs }),
  };
}

/** The dead-letter function's dependencies: the DynamoDB and SQS clients, no Scheduler (see DeadLetterDependencies). */
export function createDeadLetterDependencies(options: RuntimeOptions & { jobs: JobDefinitions }): DeadLetterDependencies {
  return { ...createMetricsDependencies(options), registry: createJobRegistry(options.jobs, { demoJobs: options.config.demoJobs }) };
}

