import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  QUEUE_SETTINGS,
  scheduleDeadLetterQueueName,
  scheduleGroupName,
  visibilityTimeoutSeconds,
} from '../../shared/config/definitions.ts';
import type { JobQueues } from './job-queues.ts';
import type { SkyForgeFunction } from './skyforge-function.ts';
import { wildcardResourceFinding } from './wildcard-resource-finding.ts';

/** The service principal EventBridge Scheduler assumes execution roles as. */
const SCHEDULER_SERVICE_PRINCIPAL = 'scheduler.amazonaws.com';

/**
 * What the api and worker do with schedules, all scoped to the stack's own group: exactly the
 * calls of shared/adapters/scheduler (the table, not Scheduler, is read to list or show
 * schedules, so neither GetSchedule nor ListSchedules, which needs Resource '*', is granted).
 * Create and Update also need iam:PassRole on the execution role (granted alongside, for
 * Scheduler only). The local cloud enforces this list, so a new call fails its tests first.
 */
const SCHEDULE_MANAGEMENT_ACTIONS = ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'] as const;

export interface JobSchedulerProps {
  /** Physical-name prefix; undefined lets CloudFormation generate the names. */
  readonly prefix: string | undefined;
  /** The queues schedules deliver to. */
  readonly queues: JobQueues;
  /** The dead-letter consumer's timeout, from which the schedule DLQ's visibility timeout is derived. */
  readonly deadLetterTimeoutSeconds: number;
}

/**
 * EventBridge Scheduler for delays beyond SQS's 15 minutes and for recurring jobs.
 *
 * The functions create the schedules at run time; this construct provides what they point at:
 *
 * - one schedule group per stack, which every SkyForge schedule lives in and IAM scopes to;
 * - the execution role Scheduler assumes to deliver (templated SQS SendMessage) to the four main
 *   queues and, after its retries, to the schedule DLQ. Its trust policy accepts Scheduler only
 *   on behalf of this account and this group (confused-deputy protection);
 * - the schedule DLQ, consumed by the dead-letter function like the queues' own DLQs.
 *
 * The queues use SSE-SQS, so the role needs no KMS permission to send to them.
 */
export class JobScheduler extends Construct {
  readonly group: CfnScheduleGroup;
  readonly deadLetterQueue: Queue;
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: JobSchedulerProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.group = new CfnScheduleGroup(this, 'Group', {
      name: props.prefix === undefined ? undefined : scheduleGroupName(props.prefix),
    });
    // Deleting a group deletes its schedules. They go with the stack, like the queues they target:
    // a retained group would keep firing (and billing) into a deleted role and queues. The table,
    // retained, still holds every job and recurring schedule.
    this.group.applyRemovalPolicy(RemovalPolicy.DESTROY);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: props.prefix === undefined ? undefined : scheduleDeadLetterQueueName(props.prefix),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      maxMessageSizeBytes: QUEUE_SETTINGS.maximumMessageSizeBytes,
      retentionPeriod: Duration.seconds(QUEUE_SETTINGS.dlqRetentionSeconds),
      // The dead-letter consumer reads this queue; same 6x rule as for the other DLQs.
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(props.deadLetterTimeoutSeconds)),
    });
    // cdk-nag recognises a DLQ only through another queue's RedrivePolicy; Scheduler's
    // DeadLetterConfig is set per schedule at run time, which it cannot see.
    Validations.of(this.deadLetterQueue.node.defaultChild ?? this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the DeadLetterConfig of every SkyForge schedule (set at run time, " +
        'so cdk-nag cannot see it). The dead-letter consumer reads it; what it cannot handle stays here for 14 days.',
    });

    this.executionRole = new Role(this, 'ExecutionRole', {
      description: 'Assumed by EventBridge Scheduler to deliver SkyForge schedules to the job queues',
      assumedBy: new ServicePrincipal(SCHEDULER_SERVICE_PRINCIPAL, {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          // Scheduler sets aws:SourceArn to the schedule *group* ARN; its guide warns against
          // scoping it to a schedule or a schedule name pattern.
          ArnEquals: { 'aws:SourceArn': this.group.attrArn },
        },
      }),
    });
    new Policy(this, 'ExecutionPolicy', {
      roles: [this.executionRole],
      statements: [
        new PolicyStatement({
          sid: 'DeliverToQueues',
          actions: ['sqs:SendMessage'],
          resources: [...props.queues.queues.map((q) => q.queueArn), this.deadLetterQueue.queueArn],
        }),
      ],
    });
  }

  /** Why each statement of the execution role's policy is there, by sid (infra/README.md shows it). */
  get accessReasons(): ReadonlyMap<string, string> {
    return new Map([
      [
        'DeliverToQueues',
        "Scheduler delivers each firing (templated SendMessage) to the job's priority queue and, after its retries, to " +
          'the schedule DLQ, as this role. SSE-SQS needs no KMS grant.',
      ],
    ]);
  }

  /** Name of the schedule group (its Ref): generated unless a prefix is set. */
  get scheduleGroupName(): string {
    return this.group.ref;
  }

  /** Every schedule of the group: `arn:<partition>:scheduler:<region>:<account>:schedule/<group>/*`. */
  get scheduleArns(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /**
   * Lets `handler` create, update and delete schedules of this group (and no other), and pass
   * the execution role to Scheduler (and to no other service).
   */
  grantScheduleManagement(handler: SkyForgeFunction, why: string): void {
    const scheduleArns = this.scheduleArns;
    handler.addToAccessPolicy(
      new PolicyStatement({ sid: 'Schedules', actions: [...SCHEDULE_MANAGEMENT_ACTIONS], resources: [scheduleArns] }),
      `${why} Only schedules of the stack's own group; names are chosen at run time, hence the wildcard.`,
    );
    handler.acknowledgeAccessPolicyFinding(
      wildcardResourceFinding(this, scheduleArns),
      "Schedule names are chosen at run time (one per delayed job or backoff, one per recurring schedule), so the " +
        "grant names the stack's own schedule group with a wildcard for the schedule: no other group is reachable.",
    );
    handler.addToAccessPolicy(
      new PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': SCHEDULER_SERVICE_PRINCIPAL } },
      }),
      'Creating or updating a schedule passes its execution role; only that role, and only to EventBridge Scheduler.',
    );
  }
}
