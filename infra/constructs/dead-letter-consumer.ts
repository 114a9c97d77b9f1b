import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { FILES_BESIDE_BUNDLE } from '../bundling.ts';
import { QUEUES } from '../../shared/config/definitions.ts';
import type { JobQueues } from './job-queues.ts';
import type { JobScheduler } from './job-scheduler.ts';
import type { JobTable } from './job-table.ts';
import type { ResolvedSkyForgeConfig } from './resolve-skyforge-config.ts';
import { SkyForgeFunction, type SkyForgeFunctionDefaults } from './skyforge-function.ts';

export interface DeadLetterConsumerProps {
  readonly functionDefaults: SkyForgeFunctionDefaults;
  readonly settings: ResolvedSkyForgeConfig['deadLetter'];
  readonly table: JobTable;
  readonly queues: JobQueues;
  readonly scheduler: JobScheduler;
}

/**
 * The `dead-letter` function on the four queue DLQs and the schedule DLQ: it marks each
 * dead-lettered job DEAD with the reason, so the table stays the truth (GET /dlq lists from the
 * table, not from SQS); a recurring schedule's firing that Scheduler could not deliver is logged
 * and dropped. A message it cannot handle stays in its DLQ (14 days) and is retried after the visibility
 * timeout; ReportBatchItemFailures keeps one bad message from holding back the others.
 */
export class DeadLetterConsumer extends Construct {
  readonly handler: SkyForgeFunction;

  constructor(scope: Construct, id: string, props: DeadLetterConsumerProps) {
    super(scope, id);
    const { settings, table, queues, scheduler } = props;

    this.handler = new SkyForgeFunction(this, 'Handler', {
      ...props.functionDefaults,
      entry: settings.entry,
      description: 'SkyForge dead-letter consumer: marks dead-lettered jobs DEAD',
      besideBundle: FILES_BESIDE_BUNDLE.deadLetter,
      memoryMb: settings.memoryMb,
      timeoutSeconds: settings.timeoutSeconds,
    });

    this.handler.addToAccessPolicy(
      table.statement(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], { includeIndexes: false, sid: 'JobItems' }),
      'Get and Update mark a dead-lettered job DEAD with the reason; Put records a schedule firing that Scheduler could not ' +
        'deliver as a new DEAD job, so the missed run shows in /dlq (reads the schedule item with Get). No index, no listing.',
    );

    this.handler.addToAccessPolicy(
      new PolicyStatement({ sid: 'ReleaseDependents', actions: ['sqs:SendMessage'], resources: queues.queues.map((q) => q.queueArn) }),
      'A dead-lettered flow job counts on its dependents\' gates; a dependent with onDependencyFailure "run" is then ' +
        'queued and its message sent to its main queue.',
    );

    const deadLetterQueues = [
      ...QUEUES.map((definition) => queues.byPriority[definition.priority].deadLetterQueue),
      scheduler.deadLetterQueue,
    ];
    for (const deadLetterQueue of deadLetterQueues) {
      this.handler.function.addEventSource(
        new SqsEventSource(deadLetterQueue, {
          reportBatchItemFailures: true,
          maxConcurrency: settings.maximumConcurrency,
        }),
      );
    }
  }
}
