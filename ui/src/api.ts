/** The dashboard's view of the SkyForge HTTP API (API.md): same-origin JSON calls. */

export type JobStatus = 'BLOCKED' | 'SCHEDULED' | 'QUEUED' | 'RUNNING' | 'RETRYING' | 'SUCCEEDED' | 'DEAD' | 'CANCELLED';
export const JOB_STATUSES: readonly JobStatus[] = ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'DEAD', 'CANCELLED'];
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface JobError {
  message: string;
  name: string;
  at: string;
}

export interface Attempt {
  attempt: number;
  startedAt: string;
  finishedAt: string;
  outcome: string;
  error: JobError | null;
}

export interface Job {
  id: string;
  type: string;
  payload: unknown;
  priority: Priority;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number;
  runAt: string | null;
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: unknown;
  progress: unknown;
  lastError: JobError | null;
  idempotencyKey: string | null;
  metadata: Record<string, unknown>;
  scheduleName: string | null;
  history: Attempt[];
  deadReason?: string | null;
  cancelReason?: string | null;
  fingerprint?: string;
  flowId?: string;
  ref?: string;
  dependsOn?: string[];
  throttledUntil?: string | null;
  throttleReason?: 'rate' | 'parallelism' | null;
  flowControl?: { key: string; parallelism?: number; rate?: number; periodSeconds: number } | null;
}

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

export interface FailureGroup {
  fingerprint: string;
  type: string;
  errorName: string;
  message: string;
  count: number;
  firstDeadAt: string;
  lastDeadAt: string;
  sampleJobIds: string[];
}

export interface Schedule {
  name: string;
  expression: string;
  timezone: string;
  enabled: boolean;
  description: string | null;
  startDate: string | null;
  endDate: string | null;
  job: { type: string; payload?: unknown; priority?: Priority };
  createdAt: string;
  updatedAt: string;
  nextRunAt: string | null;
}

export interface Flow {
  id: string;
  status: string;
  jobs: Record<string, Job>;
}

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
