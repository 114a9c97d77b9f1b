import type { Priority } from '../domain/job.ts';
import type { MessageFlow } from '../domain/queue-message.ts';

/** A recurring schedule as EventBridge Scheduler needs it. */
export interface RecurringScheduleSpec {
  name: string;
  expression: string;
  timezone: string;
  enabled: boolean;
  /** The queue its firings go to (the job template's priority). */
  priority: Priority;
  startDate: string | null;
  endDate: string | null;
}

/**
 * EventBridge Scheduler, for what SQS's 15-minute delay cannot do: one-time `at()` schedules
 * that put a job's message on its queue when it is due (long delays and long backoffs), and
 * recurring `cron()`/`rate()` schedules whose every firing becomes a job.
 */
export interface JobScheduler {
  /**
   * A one-time schedule named `name` that sends the job's message at `dueAt` (epoch ms), then
   * deletes itself. The message carries the job's limits and rate windows already reserved
   * (`flow`), as a message sent with a delay does.
   */
  scheduleJob(name: string, jobId: string, priority: Priority, dueAt: number, timeoutMs?: number, flow?: MessageFlow): Promise<void>;
  /** Removes a schedule; a schedule that is already gone is fine. */
  remove(name: string): Promise<void>;
  createRecurring(spec: RecurringScheduleSpec): Promise<void>;
  updateRecurring(spec: RecurringScheduleSpec): Promise<void>;
}
