import { ValidationError } from '../domain/errors.ts';
import type { JobTemplate, Schedule } from '../domain/schedule.ts';
import { isValidTimeZone, parseScheduleExpression, ScheduleExpressionError } from '../domain/schedule-expression.ts';
import type { RecurringScheduleSpec } from '../ports/job-scheduler.ts';
import type { Dependencies } from './dependencies.ts';
import { buildJob } from './build-job.ts';
import { JOB_DEFAULTS } from '../domain/job-defaults.ts';

export interface ScheduleInput {
  expression: string;
  timezone?: string | undefined;
  job: JobTemplate;
  enabled?: boolean | undefined;
  description?: string | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
}

/**
 * Checks a schedule before anything reaches AWS: the expression as EventBridge Scheduler reads
 * it (cron with 6 fields or rate; at() belongs to POST /jobs runAt), the time zone, the dates,
 * and the job template exactly as POST /jobs would check it.
 */
export function validateSchedule(input: ScheduleInput, deps: Dependencies, now: number): void {
  try {
    const parsed = parseScheduleExpression(input.expression);
    if (parsed.kind === 'at') {
      throw new ValidationError('expression: a schedule repeats (cron(...) or rate(...)); for one run at a given time, POST /jobs with runAt', {
        field: 'expression',
      });
    }
  } catch (error) {
    if (error instanceof ScheduleExpressionError) {
      throw new ValidationError(`expression: ${error.message}`, { field: 'expression', part: error.field });
    }
    throw error;
  }
  const timezone = input.timezone ?? 'UTC';
  if (!isValidTimeZone(timezone)) {
    throw new ValidationError(`timezone: "${timezone}" is not an IANA time zone such as Europe/Berlin or UTC`, { field: 'timezone' });
  }
  if (input.startDate && input.endDate && Date.parse(input.endDate) <= Date.parse(input.startDate)) {
    throw new ValidationError('endDate must be after startDate', { field: 'endDate' });
  }
  if (input.endDate && Date.parse(input.endDate) <= now) {
    throw new ValidationError('endDate must be in the future', { field: 'endDate' });
  }
  try {
    buildJob(input.job, deps, now);
  } catch (error) {
    if (error instanceof ValidationError) {
      const field = typeof error.details.field === 'string' ? `job.${error.details.field}` : 'job';
      throw new ValidationError(`job.${error.message}`, { ...error.details, field });
    }
    throw error;
  }
}

export function recurringSpec(schedule: Schedule): RecurringScheduleSpec {
  return {
    name: schedule.name,
    expression: schedule.expression,
    timezone: schedule.timezone,
    enabled: schedule.enabled,
    priority: schedule.job.priority ?? JOB_DEFAULTS.priority,
    startDate: schedule.startDate,
    endDate: schedule.endDate,
  };
}
