import type { Schedule } from '../domain/schedule.ts';
import type { Page } from './job-store.ts';

/** Recurring schedules in the table: one item each, listed by name. */
export interface ScheduleStore {
  /** Puts a new schedule; false when the name is taken. */
  create(schedule: Schedule): Promise<boolean>;
  get(name: string): Promise<Schedule | null>;
  /** Replaces a schedule if it exists; the stored one after the write, or null when there is none. */
  replace(schedule: Schedule): Promise<Schedule | null>;
  /** Deletes a schedule; false when there was none. */
  delete(name: string): Promise<boolean>;
  list(query: { limit: number; cursor?: string }): Promise<Page<Schedule>>;
}
