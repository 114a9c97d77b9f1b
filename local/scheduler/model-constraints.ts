import type { RetryPolicy } from './records.ts';
import type { StringRule } from './request-fields.ts';

/**
 * Constraints of Scheduler's API model (API Reference, "Length Constraints" and "Pattern" of each
 * member), shared by the operations. Patterns are anchored here; AWS prints them as below.
 */

/** Schedule and group names, and the NamePrefix filters. */
export const NAME_RULE: StringRule = { min: 1, max: 64, pattern: /^[0-9a-zA-Z_.-]+$/, patternText: '^[0-9a-zA-Z-_.]+$' };

export const SCHEDULE_EXPRESSION_RULE: StringRule = { min: 1, max: 256 };
export const TIME_ZONE_RULE: StringRule = { min: 1, max: 50 };
export const DESCRIPTION_RULE: StringRule = { max: 512 };
export const TARGET_ARN_RULE: StringRule = { min: 1, max: 1600 };
export const ROLE_ARN_RULE: StringRule = {
  min: 1,
  max: 1600,
  pattern: /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/,
  patternText: '^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$',
};
export const DEAD_LETTER_ARN_RULE: StringRule = {
  min: 1,
  max: 1600,
  pattern: /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_-]+$/,
  patternText: '^arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+$',
};
export const INPUT_RULE: StringRule = { min: 1, max: 8192 };
export const MESSAGE_GROUP_ID_RULE: StringRule = { min: 1, max: 128 };
export const KMS_KEY_ARN_RULE: StringRule = {
  min: 1,
  max: 2048,
  pattern: /^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z_-]*$/,
  patternText: '^arn:aws(-[a-z]+)?:kms:[a-z0-9\\-]+:\\d{12}:(key|alias)\\/[0-9a-zA-Z-_]*$',
};
export const CLIENT_TOKEN_RULE: StringRule = { min: 1, max: 64, pattern: /^[a-zA-Z0-9_-]+$/, patternText: '^[a-zA-Z0-9-_]+$' };
/** TagResource and friends accept schedule groups only: schedules cannot carry tags. */
export const TAGGABLE_ARN_RULE: StringRule = {
  min: 1,
  max: 1011,
  pattern: /^arn:aws(-[a-z]+)?:scheduler:[a-z0-9-]+:\d{12}:schedule-group\/[0-9a-zA-Z_.-]+$/,
  patternText: '^arn:aws(-[a-z]+)?:scheduler:[a-z0-9\\-]+:\\d{12}:schedule-group\\/[0-9a-zA-Z-_.]+$',
};
export const TAG_KEY_RULE: StringRule = { min: 1, max: 128 };
export const TAG_VALUE_RULE: StringRule = { min: 1, max: 256 };
export const NEXT_TOKEN_RULE: StringRule = { min: 1, max: 2048 };

export const MAXIMUM_WINDOW_MINUTES = { min: 1, max: 1440 } as const;
export const MAXIMUM_RETRY_ATTEMPTS = { min: 0, max: 185 } as const;
export const MAXIMUM_EVENT_AGE_SECONDS = { min: 60, max: 86_400 } as const;
export const MAX_RESULTS = { min: 1, max: 100 } as const;
export const MAX_TAGS_PER_RESOURCE = 200;
/** Scheduler's (adjustable) quota of schedule groups per account and Region. */
export const MAX_SCHEDULE_GROUPS = 500;

/** What GetSchedule shows, and what applies, when a target names no RetryPolicy (the service's defaults). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 };

/** A recurring schedule's StartDate may lie at most this far in the past. */
export const START_DATE_PAST_TOLERANCE_MS = 5 * 60_000;

export const DEFAULT_GROUP = 'default';
export const DEFAULT_TIME_ZONE = 'UTC';
