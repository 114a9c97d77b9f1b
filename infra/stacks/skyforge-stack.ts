import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { QUEUES } from '../../shared/config/definitions.ts';
import { SkyForge } from '../constructs/skyforge.ts';
import type { SkyForgeProps } from '../constructs/skyforge-props.ts';

export interface SkyForgeStackProps extends StackProps {
  readonly skyforge?: SkyForgeProps;
}

/**
 * The stack `cdk deploy` creates: the SkyForge construct plus the outputs a user (and the CLI)
 * needs to reach it. Everything else lives in the construct, so embedding SkyForge in another
 * app loses nothing but these outputs.
 */
export class SkyForgeStack extends Stack {
  readonly skyforge: SkyForge;

  constructor(scope: Construct, id: string, props: SkyForgeStackProps = {}) {
    super(scope, id, {
      description: 'SkyForge: serverless job queue and scheduler (DynamoDB, SQS, Lambda, API Gateway, EventBridge Scheduler)',
      ...props,
    });
    this.skyforge = new SkyForge(this, 'SkyForge', props.skyforge);

    new CfnOutput(this, 'ApiUrl', { value: this.skyforge.api.url, description: 'Invoke URL of the SkyForge HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.skyforge.table.tableName, description: 'The job table' });
    for (const { priority } of QUEUES) {
      const { queue, deadLetterQueue } = this.skyforge.queues.byPriority[priority];
      const label = priority.charAt(0).toUpperCase() + priority.slice(1);
      new CfnOutput(this, `${label}QueueName`, { value: queue.queueName, description: `The ${priority} queue` });
      new CfnOutput(this, `${label}QueueUrl`, { value: queue.queueUrl, description: `URL of the ${priority} queue` });
      new CfnOutput(this, `${label}DeadLetterQueueName`, {
        value: deadLetterQueue.queueName,
        description: `The ${priority} dead-letter queue`,
      });
      new CfnOutput(this, `${label}DeadLetterQueueUrl`, {
        value: deadLetterQueue.queueUrl,
        description: `URL of the ${priority} dead-letter queue`,
      });
    }

    const { scheduler } = this.skyforge;
    new CfnOutput(this, 'ScheduleGroupName', {
      value: scheduler.scheduleGroupName,
      description: 'The EventBridge Scheduler schedule group that holds every SkyForge schedule',
    });
    new CfnOutput(this, 'ScheduleDeadLetterQueueName', {
      value: scheduler.deadLetterQueue.queueName,
      description: 'The queue that receives schedule deliveries EventBridge Scheduler gave up on',
    });
    new CfnOutput(this, 'ScheduleDeadLetterQueueUrl', {
      value: scheduler.deadLetterQueue.queueUrl,
      description: 'URL of the schedule dead-letter queue',
    });
    new CfnOutput(this, 'SchedulerRoleArn', {
      value: scheduler.executionRole.roleArn,
      description: 'The role EventBridge Scheduler assumes to send to the job queues',
    });
  }
}
