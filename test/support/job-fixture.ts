import { JOB_STATUS, type Job } from '../../shared/domain/job.ts';

/** A job as submit creates it (QUEUED, nothing run yet), for tests that write items directly. */
export function newJob(id: string, overrides: Partial<Job> = {}, at = '2026-11-23T12:00:00.000Z'): Job {
  return {
    id,
    type: 'demo.echo',
    payload: { n: id },
    priority: 'normal',
    status: JOB_STATUS.QUEUED,
    attempts: 0,
    maxAttempts: 3,
    backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: false },
    timeoutMs: 30_000,
    runAt: null,
    nextRunAt: null,
    createdAt: at,
    updatedAt: at,
    startedAt: null,
    finishedAt: null,
    result: null,
    progress: null,
    lastError: null,
    idempotencyKey: null,
    metadata: {},
    scheduleName: null,
    history: [],
    deadReason: null,
    cancelReason: null,
    fingerprint: null,
    leaseToken: null,
    leaseUntil: null,
    bodyHash: null,
    expiresAt: null,
    pendingSchedule: null,
    ...overrides,
  };
}
