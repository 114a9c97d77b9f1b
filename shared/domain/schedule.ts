import type { BackoffPolicy, Priority } from './job.ts';

/** The job each firing of a schedule creates (a job body without delay or idempotency key). */
export interface JobTemplate {
  type: string;
  payload?: unknown;
  priority?: Priority;
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  timeoutMs?: number;
  metadata?: Record<string, unknown>;
  /** API.md "Flow control"; periodSeconds defaults to 1. */
  flowControl?: { key: string; parallelism?: number; rate?: number; periodSeconds?: number };
}

/** A recurring schedule as the table keeps it (the EventBridge schedule mirrors it). */
export interface Schedule {
  name: string;
  /** `cron(...)` (6 fields) or `rate(...)`, as EventBridge Scheduler takes it. */
  expression: string;
  /** IANA zone the cron fields are read in. */
  timezone: string;
  enabled: boolean;
  description: string | null;
  startDate: string | null;
  endDate: string | null;
  job: JobTemplate;
  createdAt: string;
  updatedAt: string;
}

/**
 * Schedule names: letters, digits, `-`, `_`, `.`, at most 60 characters, so that the
 * EventBridge schedule behind it (`rec.<name>`, at most 64 characters) is a valid name too.
 */
export const SCHEDULE_NAME = /^[0-9A-Za-z_-][0-9A-Za-z._-]{0,59}$/;
