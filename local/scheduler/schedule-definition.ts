import { isValidTimeZone, parseScheduleExpression, ScheduleExpressionError } from '../../shared/domain/schedule-expression.ts';
import { validationError } from './errors.ts';
import {
  CLIENT_TOKEN_RULE,
  DEAD_LETTER_ARN_RULE,
  DEFAULT_GROUP,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TIME_ZONE,
  DESCRIPTION_RULE,
  INPUT_RULE,
  KMS_KEY_ARN_RULE,
  MAXIMUM_EVENT_AGE_SECONDS,
  MAXIMUM_RETRY_ATTEMPTS,
  MAXIMUM_WINDOW_MINUTES,
  MESSAGE_GROUP_ID_RULE,
  NAME_RULE,
  ROLE_ARN_RULE,
  SCHEDULE_EXPRESSION_RULE,
  START_DATE_PAST_TOLERANCE_MS,
  TARGET_ARN_RULE,
  TIME_ZONE_RULE,
} from './model-constraints.ts';
import {
  ACTIONS_AFTER_COMPLETION,
  FLEXIBLE_TIME_WINDOW_MODES,
  SCHEDULE_STATES,
  type ScheduleDefinition,
  type TargetRecord,
} from './records.ts';
import type { RequestFields } from './request-fields.ts';

export type ParsedExpression = ReturnType<typeof parseScheduleExpression>;

export interface ScheduleRequest {
  groupName: string;
  clientToken?: string;
  definition: ScheduleDefinition;
  expression: ParsedExpression;
}

/**
 * Reads and checks the body of CreateSchedule or UpdateSchedule (the same members: an update
 * replaces the whole definition, and members it leaves out take their defaults again, as on
 * AWS). The expression and time zone are checked with the same parser that later computes the
 * firings, so what is accepted here can always be fired.
 */
export function readScheduleRequest(body: RequestFields, now: number): ScheduleRequest {
  const groupName = body.string('GroupName', NAME_RULE) ?? DEFAULT_GROUP;
  const clientToken = body.string('ClientToken', CLIENT_TOKEN_RULE);
  const expressionText = body.string('ScheduleExpression', { ...SCHEDULE_EXPRESSION_RULE, required: true });
  const timeZone = body.string('ScheduleExpressionTimezone', TIME_ZONE_RULE) ?? DEFAULT_TIME_ZONE;
  const target = readTarget(body.object('Target', true));
  const flexible = body.object('FlexibleTimeWindow', true);
  const mode = flexible.enumValue('Mode', FLEXIBLE_TIME_WINDOW_MODES, true);
  const maximumWindowInMinutes = flexible.integer('MaximumWindowInMinutes', MAXIMUM_WINDOW_MINUTES.min, MAXIMUM_WINDOW_MINUTES.max);
  const startDate = body.timestamp('StartDate');
  const endDate = body.timestamp('EndDate');
  const description = body.string('Description', DESCRIPTION_RULE);
  const state = body.enumValue('State', SCHEDULE_STATES) ?? 'ENABLED';
  const kmsKeyArn = body.string('KmsKeyArn', KMS_KEY_ARN_RULE);
  const actionAfterCompletion = body.enumValue('ActionAfterCompletion', ACTIONS_AFTER_COMPLETION) ?? 'NONE';

  if (mode === 'FLEXIBLE' && maximumWindowInMinutes === undefined) {
    throw validationError('MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.');
  }
  if (mode === 'OFF' && maximumWindowInMinutes !== undefined) {
    throw validationError('MaximumWindowInMinutes must not be specified when FlexibleTimeWindow Mode is OFF.');
  }
  if (!isValidTimeZone(timeZone)) throw validationError(`Invalid ScheduleExpressionTimezone ${timeZone}.`);
  let expression: ParsedExpression;
  try {
    expression = parseScheduleExpression(expressionText);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validationError(`Invalid Schedule Expression ${expressionText}: ${error.message}`);
    throw error;
  }
  if (expression.kind !== 'at' && startDate !== undefined && startDate < now - START_DATE_PAST_TOLERANCE_MS) {
    throw validationError('The StartDate you specify cannot be earlier than 5 minutes ago.');
  }
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    throw validationError('The EndDate you specify must be after the StartDate.');
  }

  const definition: ScheduleDefinition = {
    expression: expressionText,
    timeZone,
    state,
    flexibleTimeWindow: { mode, ...(maximumWindowInMinutes === undefined ? {} : { maximumWindowInMinutes }) },
    target,
    actionAfterCompletion,
    ...(startDate === undefined ? {} : { startDate }),
    ...(endDate === undefined ? {} : { endDate }),
    ...(description === undefined ? {} : { description }),
    ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }),
  };
  return { groupName, ...(clientToken === undefined ? {} : { clientToken }), definition, expression };
}

function readTarget(target: RequestFields): TargetRecord {
  const arn = target.string('Arn', { ...TARGET_ARN_RULE, required: true });
  const roleArn = target.string('RoleArn', { ...ROLE_ARN_RULE, required: true });
  const input = target.string('Input', INPUT_RULE);
  const retry = target.object('RetryPolicy');
  const deadLetterArn = target.object('DeadLetterConfig')?.string('Arn', DEAD_LETTER_ARN_RULE);
  const sqs = target.object('SqsParameters');
  const messageGroupId = sqs?.string('MessageGroupId', MESSAGE_GROUP_ID_RULE);
  return {
    arn,
    roleArn,
    ...(input === undefined ? {} : { input }),
    // A RetryPolicy that leaves a member out gets the service default for that member.
    retryPolicy: {
      maximumEventAgeInSeconds:
        retry?.integer('MaximumEventAgeInSeconds', MAXIMUM_EVENT_AGE_SECONDS.min, MAXIMUM_EVENT_AGE_SECONDS.max) ??
        DEFAULT_RETRY_POLICY.maximumEventAgeInSeconds,
      maximumRetryAttempts:
        retry?.integer('MaximumRetryAttempts', MAXIMUM_RETRY_ATTEMPTS.min, MAXIMUM_RETRY_ATTEMPTS.max) ??
        DEFAULT_RETRY_POLICY.maximumRetryAttempts,
    },
    ...(deadLetterArn === undefined ? {} : { deadLetterArn }),
    ...(sqs === undefined ? {} : { sqsParameters: messageGroupId === undefined ? {} : { messageGroupId } }),
  };
}
