import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { FILES_BESIDE_BUNDLE } from '../bundling.ts';
import { QUEUES } from '../../shared/config/definitions.ts';
import type { JobQueues } from './job-queues.ts';
import type { JobScheduler } from './job-scheduler.ts';
import type { JobTable } from './job-table.ts';
import type { ResolvedSkyForgeConfig } from './resolve-skyforge-config.ts';
import { SkyForgeFunction, type SkyForgeFunctionDefaults } from './skyforge-function.ts';

export interface JobWorkerProps {
  readonly functionDefaults: SkyForgeFunctionDefaults;
  readonly settings: ResolvedSkyForgeConfig['worker'];
  readonly table: JobTable;
  readonly queues: JobQueues;
  readonly scheduler: JobScheduler;
}

/**
 * The `worker` function with one SQS event source mapping per priority queue.
 *
 * Priority is enforced by MaximumConcurrency per mapping (weighted 8:4:2:1 by default), not by
 * reserved concurrency: reserved concurrency below what the pollers send makes Lambda throttle
 * batches, and throttled receives count towards maxReceiveCount, pushing good messages into the
 * DLQ. ReportBatchItemFailures lets one failed job be retried without re-running its batch.
 */
export class JobWorker extends Construct {
  readonly handler: SkyForgeFunction;

  constructor(scope: Construct, id: string, props: JobWorkerProps) {
    super(scope, id);
    const { settings, table, queues } = props;

    this.handler = new SkyForgeFunction(this, 'Handler', {
      ...props.functionDefaults,
      entry: settings.entry,
      description: 'SkyForge worker: runs queued jobs',
      besideBundle: FILES_BESIDE_BUNDLE.worker,
      memoryMb: settings.memoryMb,
      timeoutSeconds: settings.timeoutSeconds,
    });

    this.handler.addToAccessPolicy(
      table.statement(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], { includeIndexes: false, sid: 'JobItems' }),
      'Claim (Update under a lease), progress, outcome and counter writes go to the job\'s own item; a schedule firing ' +
        'creates its job (Put). A flow job\'s end counts it on its dependents\' gate items (Update) and its attempt reads ' +
        'its dependencies for ctx.dependencies (BatchGetItem). The worker never lists, so no index.',
    );
    this.handler.addToAccessPolicy(
      new PolicyStatement({
        sid: 'RetryAndLease',
        actions: ['sqs:SendMessage', 'sqs:ChangeMessageVisibility'],
        resources: queues.queues.map((q) => q.queueArn),
      }),
      'SendMessage re-queues a retry with its backoff delay or a throttled job; ChangeMessageVisibility re-times a ' +
        'message\'s lease. Receive and Delete come with the event source mappings (their own grant).',
    );
    props.scheduler.grantScheduleManagement(
      this.handler,
      'A retry whose backoff exceeds SQS\'s 15-minute delay waits in a one-time schedule (deleted when it is no longer needed).',
    );

    for (const definition of QUEUES) {
      this.handler.function.addEventSource(
        new SqsEventSource(queues.byPriority[definition.priority].queue, {
          batchSize: settings.batchSize,
          maxBatchingWindow:
            settings.maxBatchingWindowSeconds > 0 ? Duration.seconds(settings.maxBatchingWindowSeconds) : undefined,
          reportBatchItemFailures: true,
          maxConcurrency: settings.maximumConcurrency[definition.priority],
        }),
      );
    }
  }
}
