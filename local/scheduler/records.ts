/**
 * What the Scheduler emulator stores: schedules, schedule groups and deliveries under way. Plain
 * JSON-safe data (times are epoch ms), because the journal writes these records verbatim and a
 * restarted emulator must read back exactly what the last one acknowledged.
 */

export const SCHEDULE_STATES = ['ENABLED', 'DISABLED'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

export const FLEXIBLE_TIME_WINDOW_MODES = ['OFF', 'FLEXIBLE'] as const;
export type FlexibleTimeWindowMode = (typeof FLEXIBLE_TIME_WINDOW_MODES)[number];

export const ACTIONS_AFTER_COMPLETION = ['NONE', 'DELETE'] as const;
export type ActionAfterCompletion = (typeof ACTIONS_AFTER_COMPLETION)[number];

export interface RetryPolicy {
  maximumEventAgeInSeconds: number;
  maximumRetryAttempts: number;
}

export interface TargetRecord {
  arn: string;
  roleArn: string;
  input?: string;
  retryPolicy: RetryPolicy;
  deadLetterArn?: string;
  sqsParameters?: { messageGroupId?: string };
}

/** Everything a CreateSchedule / UpdateSchedule request specifies (Update replaces all of it). */
export interface ScheduleDefinition {
  expression: string;
  /** IANA zone; 'UTC' when the request named none. */
  timeZone: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: ScheduleState;
  flexibleTimeWindow: { mode: FlexibleTimeWindowMode; maximumWindowInMinutes?: number };
  target: TargetRecord;
  actionAfterCompletion: ActionAfterCompletion;
  kmsKeyArn?: string;
}

/** The next invocation a schedule has planned. */
export interface PlannedFiring {
  /** The time the expression names: `<aws.scheduler.scheduled-time>`. */
  scheduledTime: number;
  /** When it is invoked: scheduledTime plus a random offset inside a flexible window. */
  fireAt: number;
}

export interface ScheduleRecord extends ScheduleDefinition {
  name: string;
  groupName: string;
  arn: string;
  creationDate: number;
  lastModificationDate: number;
  /** The ClientToken of the CreateSchedule that made it: a retried create is answered, not refused. */
  clientToken?: string;
  /** rate() counts from here: StartDate, else the create/update that last defined the schedule. */
  anchor: number;
  /** null when it will not fire again (disabled, past its EndDate, a one-time schedule that fired). */
  next: PlannedFiring | null;
}

export interface Tag {
  key: string;
  value: string;
}

export interface GroupRecord {
  name: string;
  arn: string;
  creationDate: number;
  lastModificationDate: number;
  tags: Tag[];
  clientToken?: string;
}

/**
 * One invocation of a target, from the firing until it succeeds or is dead-lettered. Kept apart
 * from its schedule (it carries its own copy of the target) so that a schedule updated or
 * deleted meanwhile, or one that deleted itself after completion, does not change a retry.
 */
export interface DeliveryRecord {
  /** `<aws.scheduler.execution-id>`: one per invocation, the same for each of its attempts. */
  executionId: string;
  scheduleArn: string;
  scheduledTime: number;
  target: TargetRecord;
  /** The attempt to make next (1 for the first). */
  attempt: number;
  dueAt: number;
  /** When the first attempt was made: MaximumEventAgeInSeconds counts from here. */
  firedAt: number;
  lastError?: string;
}
