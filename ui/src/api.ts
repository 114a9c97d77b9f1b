/** The dashboard's view of the SkyForge HTTP API (API.md): same-origin JSON calls. */
import type { JobStatus, JobView } from '../../shared/domain/job.ts';

/**
 * The wire types come from the server's own (type-only imports: nothing of shared/ enters the
 * bundle); only the lists the views iterate over are the dashboard's own values.
 */
export type { JobStatus } from '../../shared/domain/job.ts';
/** Every status, in the order the views show them; a Record so that a new status fails to compile until it is listed. */
const STATUS_ORDER: Record<JobStatus, true> = { BLOCKED: true, SCHEDULED: true, QUEUED: true, RUNNING: true, RETRYING: true, SUCCEEDED: true, DEAD: true, CANCELLED: true };
export const JOB_STATUSES = Object.keys(STATUS_ORDER) as readonly JobStatus[];
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export type Job = JobView;
export type JobError = NonNullable<JobView['lastError']>;
export type Attempt = JobView['history'][number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface QueueDepth {
  ready: number;
  inFlight: number;
  delayed: number;
  deadLetters: number;
}

export interface Stats {
  queues: Record<Priority, QueueDepth>;
  jobs: Partial<Record<JobStatus, number>>;
}

export interface MinuteCounts {
  minute: string;
  succeeded: number;
  failed: number;
  retried: number;
  dead: number;
  cancelled: number;
}

export type { FailureGroup } from '../../shared/use-cases/failure-groups.ts';

export type { ScheduleView as Schedule } from '../../shared/use-cases/schedule-view.ts';

export type { FlowStatus } from '../../shared/domain/flow.ts';
export type { FlowView as Flow } from '../../shared/use-cases/flow-view.ts';

/** An error answer of the API (`{ code, message, details, requestId }`) or a network failure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Calls the API on the dashboard's own origin (the local cloud, or `skyforge ui`'s signing proxy). */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `the API did not answer (${(error as Error).message})`);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: a gateway error page; reported below with its status.
  }
  if (!response.ok) {
    const error = (parsed ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
    throw new ApiError(response.status, error.code ?? `HTTP_${response.status}`, error.message ?? `HTTP ${response.status}`, error.details ?? {});
  }
  return parsed as T;
}

/** Builds a query string from the set values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
