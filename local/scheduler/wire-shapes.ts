import type { GroupRecord, ScheduleRecord, TargetRecord } from './records.ts';

/**
 * Records in the JSON shapes of Scheduler's outputs. Timestamps go out as epoch seconds (with
 * milliseconds as the fraction), restJson1's default, which the SDK turns into Date objects.
 */

export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** GetScheduleOutput. Defaults the request left out (time zone, state, retry policy ...) are shown, as AWS does. */
export function scheduleOutput(schedule: ScheduleRecord): Record<string, unknown> {
  return {
    Arn: schedule.arn,
    GroupName: schedule.groupName,
    Name: schedule.name,
    ScheduleExpression: schedule.expression,
    ScheduleExpressionTimezone: schedule.timeZone,
    ...(schedule.startDate === undefined ? {} : { StartDate: epochSeconds(schedule.startDate) }),
    ...(schedule.endDate === undefined ? {} : { EndDate: epochSeconds(schedule.endDate) }),
    ...(schedule.description === undefined ? {} : { Description: schedule.description }),
    State: schedule.state,
    CreationDate: epochSeconds(schedule.creationDate),
    LastModificationDate: epochSeconds(schedule.lastModificationDate),
    ...(schedule.kmsKeyArn === undefined ? {} : { KmsKeyArn: schedule.kmsKeyArn }),
    Target: targetOutput(schedule.target),
    FlexibleTimeWindow: {
      Mode: schedule.flexibleTimeWindow.mode,
      ...(schedule.flexibleTimeWindow.maximumWindowInMinutes === undefined
        ? {}
        : { MaximumWindowInMinutes: schedule.flexibleTimeWindow.maximumWindowInMinutes }),
    },
    ActionAfterCompletion: schedule.actionAfterCompletion,
  };
}

/** ScheduleSummary, one entry of ListSchedules. */
export function scheduleSummary(schedule: ScheduleRecord): Record<string, unknown> {
  return {
    Arn: schedule.arn,
    Name: schedule.name,
    GroupName: schedule.groupName,
    State: schedule.state,
    CreationDate: epochSeconds(schedule.creationDate),
    LastModificationDate: epochSeconds(schedule.lastModificationDate),
    Target: { Arn: schedule.target.arn },
  };
}

/** GetScheduleGroupOutput and ScheduleGroupSummary (the same members). */
export function groupOutput(group: GroupRecord): Record<string, unknown> {
  return {
    Arn: group.arn,
    Name: group.name,
    // Deletion is immediate here, so a group is never seen in state DELETING.
    State: 'ACTIVE',
    CreationDate: epochSeconds(group.creationDate),
    LastModificationDate: epochSeconds(group.lastModificationDate),
  };
}

function targetOutput(target: TargetRecord): Record<string, unknown> {
  return {
    Arn: target.arn,
    RoleArn: target.roleArn,
    ...(target.input === undefined ? {} : { Input: target.input }),
    RetryPolicy: {
      MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds,
      MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts,
    },
    ...(target.deadLetterArn === undefined ? {} : { DeadLetterConfig: { Arn: target.deadLetterArn } }),
    ...(target.sqsParameters === undefined
      ? {}
      : {
          SqsParameters:
            target.sqsParameters.messageGroupId === undefined ? {} : { MessageGroupId: target.sqsParameters.messageGroupId },
        }),
  };
}
