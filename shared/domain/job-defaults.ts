import type { BackoffPolicy, Priority } from './job.ts';

/** Job defaults of API.md, used when neither the request nor the job type sets a field. */
export const JOB_DEFAULTS: {
  priority: Priority;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
} = {
  priority: 'normal',
  maxAttempts: 3,
  backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: false },
  timeoutMs: 30_000,
};

export const LIMITS = {
  maxAttempts: 100,
  /** SQS DelaySeconds caps a message delay at 15 minutes; longer waits need the scheduler. */
  maxSqsDelayMs: 900_000,
  minTimeoutMs: 100,
  maxBatchJobs: 100,
  maxListLimit: 200,
  defaultListLimit: 50,
  maxReplayLimit: 1000,
  maxIdempotencyKeyLength: 256,
  maxTypeLength: 128,
  maxMetadataBytes: 4096,
  maxReasonLength: 1024,
  maxErrorMessageLength: 2048,
  /** Idempotency keys are remembered at least this long, whatever the job retention. */
  idempotencyWindowSeconds: 24 * 3600,
  /** Slack between a job's timeout and its lease, for the finishing write. */
  leaseGraceMs: 10_000,
} as const;
