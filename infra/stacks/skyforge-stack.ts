import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { QUEUES } from '../../shared/config/definitions.ts';
import { SkyForge } from '../constructs/skyforge.ts';
import { EMAIL_PATTERN } from '../constructs/resolve-skyforge-config.ts';
import type { SkyForgeProps } from '../constructs/skyforge-props.ts';

export interface SkyForgeStackProps extends StackProps {
  readonly skyforge?: SkyForgeProps;
}

/**
 * The stack `cdk deploy` creates: the SkyForge construct plus the outputs a user (and the CLI)
 * needs to reach it, and the `AlarmEmail` parameter. Everything else lives in the construct, so
 * embedding SkyForge in another app loses nothing but these.
 */
export class SkyForgeStack extends Stack {
  readonly skyforge: SkyForge;

  constructor(scope: Construct, id: string, props: SkyForgeStackProps = {}) {
    super(scope, id, {
      description: 'SkyForge: serverless job queue and scheduler (DynamoDB, SQS, Lambda, API Gateway, EventBridge Scheduler)',
      ...props,
    });
    // `cdk deploy --parameters AlarmEmail=ops@example.com` subscribes an address without a code
    // change; empty (the default) subscribes nobody. A literal observability.alarmEmail replaces it.
    const observability = props.skyforge?.observability;
    const alarmEmail =
      observability?.alarmEmail ??
      new CfnParameter(this, 'AlarmEmail', {
        type: 'String',
        default: '',
        description: 'Email address notified of SkyForge alarms (confirm the subscription email once); empty for none',
        allowedPattern: `^$|${EMAIL_PATTERN.source}`,
        constraintDescription: 'must be an email address, or empty',
      }).valueAsString;
    this.skyforge = new SkyForge(this, 'SkyForge', { ...props.skyforge, observability: { ...observability, alarmEmail } });

    new CfnOutput(this, 'ApiUrl', { value: this.skyforge.api.url, description: 'Invoke URL of the SkyForge HTTP API' });
    new CfnOutput(this, 'MetricsUrl', {
      value: this.skyforge.metrics.url,
      description: 'Prometheus scrape URL (GET; SigV4-signed unless observability.metricsAuth is none)',
    });
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

    const { observability: o11y } = this.skyforge;
    new CfnOutput(this, 'AlarmTopicArn', {
      value: o11y.topic.topicArn,
      description: 'SNS topic every SkyForge alarm notifies (on ALARM and on OK)',
    });
    new CfnOutput(this, 'DashboardName', { value: o11y.dashboard.dashboardName, description: 'The SkyForge CloudWatch dashboard' });
    new CfnOutput(this, 'DashboardUrl', { value: o11y.dashboard.url, description: 'The SkyForge dashboard in the CloudWatch console' });
  }
}
