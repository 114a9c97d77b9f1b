/**
 * Domain errors. Each sets a literal `name` (minified bundles mangle class names) and a `code`
 * from the API's error table; shared/http maps codes to HTTP statuses in one place.
 */

export type ErrorCode =
  | 'INVALID_JSON'
  | 'VALIDATION_ERROR'
  | 'UNKNOWN_JOB_TYPE'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'INVALID_STATE'
  | 'CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

/** An error the API reports to its caller with a code, a message and details. */
export class SkyForgeError extends Error {
  override name = 'SkyForgeError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends SkyForgeError {
  override name = 'ValidationError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('VALIDATION_ERROR', message, details);
  }
}

export class UnknownJobTypeError extends SkyForgeError {
  override name = 'UnknownJobTypeError';
  constructor(type: string, known: readonly string[]) {
    super('UNKNOWN_JOB_TYPE', `no handler is registered for type "${type}"`, { type, registeredTypes: known });
  }
}

export class JobNotFoundError extends SkyForgeError {
  override name = 'JobNotFoundError';
  constructor(id: string) {
    super('NOT_FOUND', `job ${id} does not exist`, { id });
  }
}

export class DeadJobNotFoundError extends SkyForgeError {
  override name = 'DeadJobNotFoundError';
  readonly jobId: string;
  readonly status: string;
  constructor(id: string, status: string) {
    super('NOT_FOUND', `job ${id} is not in the dead-letter list (it is ${status})`, { id, status });
    this.jobId = id;
    this.status = status;
  }
}

export class ScheduleNotFoundError extends SkyForgeError {
  override name = 'ScheduleNotFoundError';
  readonly scheduleName: string;
  constructor(name: string) {
    super('NOT_FOUND', `schedule ${name} does not exist`, { name });
    this.scheduleName = name;
  }
}

/** GET /flow-control/{key} of a key no job ever named. */
export class FlowKeyNotFoundError extends SkyForgeError {
  override name = 'FlowKeyNotFoundError';
  readonly key: string;
  constructor(key: string) {
    super('NOT_FOUND', `flow-control key ${key} is not known (no job has named it)`, { key });
    this.key = key;
  }
}

/** A fingerprint that cannot name a failure group (GET /dlq/groups lists the real ones). */
export class FailureGroupNotFoundError extends SkyForgeError {
  override name = 'FailureGroupNotFoundError';
  readonly fingerprint: string;
  constructor(fingerprint: string) {
    super('NOT_FOUND', `no failure group ${fingerprint}`, { fingerprint });
    this.fingerprint = fingerprint;
  }
}

export class ScheduleNameTakenError extends SkyForgeError {
  override name = 'ScheduleNameTakenError';
  readonly scheduleName: string;
  constructor(name: string) {
    super('CONFLICT', `a schedule named ${name} already exists`, { name });
    this.scheduleName = name;
  }
}

export class RouteNotFoundError extends SkyForgeError {
  override name = 'RouteNotFoundError';
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, allowedMethods: readonly string[]) {
    super('NOT_FOUND', `no route for ${method} ${path}`, { method, path, ...(allowedMethods.length > 0 ? { allowedMethods } : {}) });
    this.method = method;
    this.path = path;
  }
}

export class UnsupportedMediaTypeError extends SkyForgeError {
  override name = 'UnsupportedMediaTypeError';
  readonly contentType: string | null;
  constructor(contentType: string | null) {
    super('UNSUPPORTED_MEDIA_TYPE', 'send the body as JSON with Content-Type: application/json', { contentType });
    this.contentType = contentType;
  }
}

export class InvalidJsonError extends SkyForgeError {
  override name = 'InvalidJsonError';
  constructor(parserMessage: string) {
    super('INVALID_JSON', `body is not valid JSON: ${parserMessage}`);
  }
}

export class UnauthorizedError extends SkyForgeError {
  override name = 'UnauthorizedError';
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}

/**
 * AWS throttled or failed a call the API could not absorb (after the SDK's own retries). Nothing
 * was lost: a retry with the same idempotency key is safe and ends with one job that runs.
 */
export class UnavailableError extends SkyForgeError {
  override name = 'UnavailableError';
  /** Seconds the caller should wait before retrying (the Retry-After header). */
  readonly retryAfterSeconds: number;
  constructor(message: string, details: Record<string, unknown> = {}, retryAfterSeconds = 1) {
    super('UNAVAILABLE', message, { ...details, retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A job was stored but its message (or one-time schedule) could not be created, so it was
 * recorded DEAD with the reason (replayable from /dlq).
 */
export class JobNotSentError extends SkyForgeError {
  override name = 'JobNotSentError';
  readonly jobId: string;
  readonly reason: string;
  constructor(jobId: string, what: 'queued' | 'scheduled' | 'queued again', reason: string) {
    super('INTERNAL', `job ${jobId} was stored but could not be ${what}; it is in the dead-letter list`, { jobId });
    this.jobId = jobId;
    this.reason = reason;
  }
}

export class InvalidStateError extends SkyForgeError {
  override name = 'InvalidStateError';
  constructor(event: string, status: string, message?: string) {
    super('INVALID_STATE', message ?? `${event.toLowerCase().replace(/_/g, ' ')} is not allowed from status ${status}`, {
      status,
      event,
    });
  }
}

export class IdempotencyKeyReusedError extends SkyForgeError {
  override name = 'IdempotencyKeyReusedError';
  constructor(key: string, jobId: string) {
    super('IDEMPOTENCY_KEY_REUSED', `idempotencyKey "${key}" was already used for a different job body`, {
      idempotencyKey: key,
      jobId,
    });
  }
}

export class PayloadTooLargeError extends SkyForgeError {
  override name = 'PayloadTooLargeError';
  constructor(what: string, sizeBytes: number, limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `${what} is ${sizeBytes} bytes; the limit is ${limitBytes} bytes`, {
      sizeBytes,
      limitBytes,
    });
  }
}

/**
 * The store refused a conditional write because the item is not in the state the write
 * expected. Carries the item as it now stands (null when it no longer exists).
 */
export class StaleJobStateError<T = unknown> extends Error {
  override name = 'StaleJobStateError';
  readonly current: T | null;
  constructor(id: string, current: T | null) {
    super(`job ${id} changed under the write`);
    this.current = current;
  }
}

/**
 * Throw from a job handler to fail the job at once, without retries (BullMQ's
 * UnrecoverableError). Any error with `retryable === false` or named 'PermanentError' is
 * treated the same, so handlers need not import this class.
 */
export class PermanentError extends Error {
  override name = 'PermanentError';
  readonly retryable = false;
}

/** The attempt ran past its timeoutMs; the handler's AbortSignal fired. Retryable. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
  constructor(timeoutMs: number) {
    super(`attempt timed out after ${timeoutMs} ms`);
  }
}

/** The worker of an attempt vanished (crash, out of memory, function timeout): its lease ran out. Retryable. */
export class WorkerLostError extends Error {
  override name = 'WorkerLostError';
  constructor() {
    super('the worker stopped before finishing (crash or function timeout)');
  }
}

/** The job was cancelled (or dead-lettered by hand) while it ran; the AbortSignal fired. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError';
  readonly retryable = false;
}

/** Judged by shape, not class: errors from another bundle copy or thrown plain objects count too. */
export function isRetryable(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const { name, retryable } = error as { name?: unknown; retryable?: unknown };
    if (name === 'PermanentError' || name === 'JobCancelledError') return false;
    if (retryable === false) return false;
  }
  return true;
}
