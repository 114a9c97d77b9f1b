import { ValidationError } from '../errors.ts';

/**
 * A schedule expression or time zone that EventBridge Scheduler would refuse. A
 * ValidationError, so the API answers 400 VALIDATION_ERROR with the message as it stands;
 * `field` names the part that is wrong ('expression', 'rate.unit', 'cron.dayOfWeek',
 * 'timezone', ...) and is repeated in `details.field`.
 *
 * @example
 * try { parseScheduleExpression('rate(1 minutes)'); }
 * catch (error) { if (error instanceof ScheduleExpressionError) console.log(error.field); } // 'rate.unit'
 */
export class ScheduleExpressionError extends ValidationError {
  override name = 'ScheduleExpressionError';
  readonly field: string;

  constructor(message: string, field: string) {
    super(message, { field });
    this.field = field;
  }
}
