import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SCHEDULER_SETTINGS, type Priority } from '../../config/definitions.ts';
import { encodeFiringMessageTemplate, encodeJobMessage, type MessageFlow } from '../../domain/queue-message.ts';
import { type JobScheduler, type RecurringScheduleSpec } from '../../ports/job-scheduler.ts';
import { recurringScheduleName } from '../../domain/schedule-names.ts';

/**
 * EventBridge Scheduler behind the JobScheduler port. Every schedule targets a SkyForge queue
 * directly (templated SQS SendMessage), so a firing costs one Scheduler invocation and one
 * message, and lands where the worker already listens. Deliveries that fail every retry go to
 * the schedule DLQ, which the dead-letter consumer reads.
 */
export class EventBridgeJobScheduler implements JobScheduler {
  private readonly client: SchedulerClient;
  private readonly groupName: string;
  private readonly roleArn: string;
  private readonly queueArns: Record<Priority, string>;
  private readonly deadLetterArn: string;

  constructor(options: {
    client: SchedulerClient;
    groupName: string;
    roleArn: string;
    queueArns: Record<Priority, string>;
    deadLetterArn: string;
  }) {
    this.client = options.client;
    this.groupName = options.groupName;
    this.roleArn = options.roleArn;
    this.queueArns = options.queueArns;
    this.deadLetterArn = options.deadLetterArn;
  }

  async scheduleJob(name: string, jobId: string, priority: Priority, dueAt: number, timeoutMs?: number, flow?: MessageFlow): Promise<void> {
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: this.groupName,
      ScheduleExpression: `at(${atTime(dueAt)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: `SkyForge job ${jobId}`,
      Target: this.target(priority, encodeJobMessage(jobId, timeoutMs, flow)),
    };
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      // The same attempt scheduled again (a retried request): make it say the same thing.
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.groupName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  async createRecurring(spec: RecurringScheduleSpec): Promise<void> {
    await this.client.send(new CreateScheduleCommand(this.recurringInput(spec)));
  }

  async updateRecurring(spec: RecurringScheduleSpec): Promise<void> {
    await this.client.send(new UpdateScheduleCommand(this.recurringInput(spec)));
  }

  private recurringInput(spec: RecurringScheduleSpec): CreateScheduleCommandInput {
    return {
      Name: recurringScheduleName(spec.name),
      GroupName: this.groupName,
      ScheduleExpression: spec.expression,
      ScheduleExpressionTimezone: spec.timezone,
      State: spec.enabled ? 'ENABLED' : 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ...(spec.startDate ? { StartDate: new Date(spec.startDate) } : {}),
      ...(spec.endDate ? { EndDate: new Date(spec.endDate) } : {}),
      Description: `SkyForge schedule ${spec.name}`,
      Target: this.target(spec.priority, encodeFiringMessageTemplate(spec.name)),
    };
  }

  private target(priority: Priority, input: string): CreateScheduleCommandInput['Target'] {
    return {
      Arn: this.queueArns[priority],
      RoleArn: this.roleArn,
      Input: input,
      RetryPolicy: {
        MaximumRetryAttempts: SCHEDULER_SETTINGS.retryPolicy.maximumRetryAttempts,
        MaximumEventAgeInSeconds: SCHEDULER_SETTINGS.retryPolicy.maximumEventAgeInSeconds,
      },
      DeadLetterConfig: { Arn: this.deadLetterArn },
    };
  }
}

/** `at()` takes a wall-clock time to the second; round up so a job never fires early. */
function atTime(dueAt: number): string {
  return new Date(Math.ceil(dueAt / 1000) * 1000).toISOString().slice(0, 19);
}
