import { ArnFormat, CfnCondition, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Stats,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Subscription, SubscriptionProtocol, Topic, type CfnSubscription } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { QUEUES, type Priority } from '../../shared/config/definitions.ts';
import type { JobApi } from './job-api.ts';
import { JobDashboard } from './job-dashboard.ts';
import { api5xxRate, jobMetric } from './job-metrics.ts';
import type { JobQueues } from './job-queues.ts';
import type { JobScheduler } from './job-scheduler.ts';
import type { ResolvedSkyForgeConfig } from './resolve-skyforge-config.ts';
import type { SkyForgeFunction } from './skyforge-function.ts';
import type { SkyForgeFunctionName } from './skyforge-props.ts';

/** The principal CloudWatch alarms publish to SNS (and use the topic's key) as. */
const CLOUDWATCH_SERVICE_PRINCIPAL = 'cloudwatch.amazonaws.com';

export interface JobObservabilityProps {
  /** Start of every alarm name and of the dashboard's: the deployment's prefix or stack name. */
  readonly namePrefix: string;
  readonly settings: ResolvedSkyForgeConfig['observability'];
  readonly queues: JobQueues;
  readonly scheduler: JobScheduler;
  readonly api: JobApi;
  /** Every SkyForge function, for the errors alarms and the dashboard. */
  readonly functions: Readonly<Record<SkyForgeFunctionName, SkyForgeFunction>>;
  /** Shown on the dashboard. */
  readonly metricsUrl: string;
  /** Jobs each queue's workers run at most at once (MaximumConcurrency x batch size). */
  readonly workerCapacity: Readonly<Record<Priority, number>>;
}

interface AlarmSpec {
  /** Appended to `<namePrefix>-` to make the alarm's name. */
  readonly name: string;
  readonly metric: IMetric;
  /** The alarm fires when the metric is above this. */
  readonly threshold: number;
  /** What it means and where to look, shown in every notification. */
  readonly description: string;
}

/**
 * SkyForge's alarms, the SNS topic they notify and the CloudWatch dashboard.
 *
 * Every alarm goes to the topic on ALARM and on OK, so a recipient also learns when a problem is
 * over. Each fires on one breaching period, and treats a missing datum as "nothing happened"
 * (NOT_BREACHING): the metrics it watches have no datapoint when no message, invocation, request
 * or job event occurred.
 *
 * The topic is encrypted with a customer managed KMS key, not the AWS managed `alias/aws/sns`:
 * that key's policy cannot be changed and does not let CloudWatch alarms use it, so an alarm
 * publishing to a topic encrypted with it fails ("CloudWatch Alarms does not have authorization to
 * access the SNS topic encryption key") and nobody is notified. The key and the topic policy admit
 * CloudWatch only on behalf of alarms in this account and Region.
 */
export class JobObservability extends Construct {
  readonly topicKey: Key;
  readonly topic: Topic;
  /** The email subscription, when `observability.alarmEmail` is set (conditional when it is a token). */
  readonly emailSubscription: Subscription | undefined;
  /** Every alarm, in the order listed in infra/README.md. */
  readonly alarms: Alarm[] = [];
  readonly dashboard: JobDashboard;
  private readonly namePrefix: string;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: JobObservabilityProps) {
    super(scope, id);
    const { settings, queues, scheduler, api, functions } = props;
    const stack = Stack.of(this);
    this.namePrefix = props.namePrefix;

    const cloudWatch = new ServicePrincipal(CLOUDWATCH_SERVICE_PRINCIPAL);
    // Confused-deputy protection: CloudWatch acts for alarms of this account and Region only. Any
    // alarm name: an embedding app may point alarms of its own at this topic.
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };

    this.topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts the SkyForge alarm topic; CloudWatch alarms of this account may use it to publish',
      enableKeyRotation: true,
      // Nothing stays encrypted under this key once the topic is gone: SNS keeps a message only
      // until it is delivered. A retained key would bill $1 a month for nothing.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: fromThisAccountsAlarms,
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'SkyForge alarms',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // enforceSSL makes CDK write a topic policy, which replaces SNS's default one; CloudWatch must
    // be admitted explicitly.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    this.action = new SnsAction(this.topic);

    this.emailSubscription = this.subscribeEmail(settings.alarmEmail);

    const period = Duration.seconds(settings.alarms.periodSeconds);
    const minutes = settings.alarms.periodSeconds / 60;
    const within = `within ${minutes} minute${minutes === 1 ? '' : 's'}`;

    const deadLetterQueues = [
      ...QUEUES.map((q) => ({ label: q.priority, queue: queues.byPriority[q.priority].deadLetterQueue })),
      { label: 'schedule', queue: scheduler.deadLetterQueue },
    ];
    for (const { label, queue } of deadLetterQueues) {
      this.addAlarm({
        name: `${label}-dlq-not-empty`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM }),
        threshold: 0,
        description:
          `Messages wait in the ${label} dead-letter queue. The dead-letter function normally drains it at once ` +
          '(marking each job DEAD), so messages that stay mean it is failing: see its errors alarm and log group.',
      });
    }

    for (const { priority } of QUEUES) {
      const threshold = settings.alarms.oldestMessageAgeSeconds;
      this.addAlarm({
        name: `${priority}-oldest-message-age`,
        metric: queues.byPriority[priority].queue.metricApproximateAgeOfOldestMessage({ period, statistic: Stats.MAXIMUM }),
        threshold,
        description:
          `A message in the ${priority} queue is older than ${threshold} s: the worker is not keeping up (see its ` +
          'concurrency, errors and throttles) or the queue is backed up behind long jobs.',
      });
    }

    const functionLabels: Record<SkyForgeFunctionName, string> = {
      worker: 'worker',
      api: 'api',
      metrics: 'metrics',
      deadLetter: 'dead-letter',
    };
    for (const name of ['worker', 'api', 'metrics', 'deadLetter'] as const) {
      this.addAlarm({
        name: `${functionLabels[name]}-errors`,
        metric: functions[name].function.metricErrors({ period, statistic: Stats.SUM }),
        threshold: 0,
        description:
          `The ${functionLabels[name]} function failed ${within} (an unhandled error, a timeout or running out of ` +
          'memory; failed jobs do not count here). See its log group.',
      });
    }
    this.addAlarm({
      name: 'worker-throttles',
      metric: functions.worker.function.metricThrottles({ period, statistic: Stats.SUM }),
      threshold: 0,
      description:
        `Lambda throttled the worker ${within}. Throttled batches go back to their queue and count towards its ` +
        'maxReceiveCount; check the account concurrency limit and other functions using it.',
    });

    const { api5xxPercent, api5xxMinimumRequests } = settings.alarms;
    this.addAlarm({
      name: 'api-5xx-rate',
      metric: api5xxRate(api.httpApi, period, api5xxMinimumRequests),
      threshold: api5xxPercent,
      description:
        `More than ${api5xxPercent} % of the API's requests failed with a 5xx ${within} (counted from ` +
        `${api5xxMinimumRequests} requests on). See the api function's errors and the API's access log.`,
    });

    this.addAlarm({
      name: 'jobs-dead-lettered',
      metric: jobMetric('JobsDeadLettered', { statistic: Stats.SUM, period }),
      threshold: 0,
      description:
        `A job was dead-lettered ${within}: it failed every attempt, failed permanently or could not be ` +
        'delivered. GET /dlq lists dead jobs with their reasons; POST /dlq/{id}/replay runs one again.',
    });

    this.dashboard = new JobDashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}-${stack.region}`,
      queues,
      scheduler,
      api,
      functions,
      alarms: this.alarms,
      oldestMessageAgeSeconds: settings.alarms.oldestMessageAgeSeconds,
      api5xxPercent,
      api5xxMinimumRequests,
      metricsUrl: props.metricsUrl,
      workerCapacity: props.workerCapacity,
    });
  }

  private addAlarm(spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this, `Alarm-${spec.name}`, {
      alarmName: `${this.namePrefix}-${spec.name}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * Subscribes `email` to the topic. A token (such as a CfnParameter's value) may resolve to ''
   * at deploy time, so its subscription carries a condition and is created only when it is not empty.
   */
  private subscribeEmail(email: string | undefined): Subscription | undefined {
    if (email === undefined) return undefined;
    const subscription = new Subscription(this, 'EmailSubscription', {
      topic: this.topic,
      protocol: SubscriptionProtocol.EMAIL,
      endpoint: email,
    });
    if (Token.isUnresolved(email)) {
      const given = new CfnCondition(this, 'AlarmEmailGiven', {
        expression: Fn.conditionNot(Fn.conditionEquals(email, '')),
      });
      (subscription.node.defaultChild as CfnSubscription).cfnOptions.condition = given;
    }
    return subscription;
  }
}
