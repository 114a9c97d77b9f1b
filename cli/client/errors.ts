import type { JobView } from '../../shared/domain/job.ts';
import type { FlowView } from './types.ts';

/**
 * The client's errors. Each class sets a literal `name` (minified bundles mangle class names), so
 * callers can branch on `error.name` or `instanceof`; API errors also carry the API's `code`.
 */

/** The API's error body (API.md): `{ code, message, details, requestId }`. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
  requestId: string;
}

export interface ApiErrorInit {
  code: string;
  message: string;
  status: number;
  requestId: string | null;
  details?: Record<string, unknown>;
}

/** The API answered with an error status. `code` is the API's code (or the gateway's, see below). */
export class SkyForgeApiError extends Error {
  override name = 'SkyForgeApiError';
  /** API.md's code, e.g. NOT_FOUND; for API Gateway's own answers, one derived from the status (FORBIDDEN, SERVICE_UNAVAILABLE...). */
  readonly code: string;
  readonly status: number;
  /** The request's X-Request-ID as the API answered it; quote it when reporting a problem. */
  readonly requestId: string | null;
  readonly details: Record<string, unknown>;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details ?? {};
  }
}

/** 400: INVALID_JSON, VALIDATION_ERROR (details.field names the field), UNKNOWN_JOB_TYPE. */
export class ValidationError extends SkyForgeApiError {
  override name = 'ValidationError';
}

/** 401 UNAUTHORIZED (bearer token missing or wrong), or API Gateway's 403 (IAM refused the caller or the signature). */
export class UnauthorizedError extends SkyForgeApiError {
  override name = 'UnauthorizedError';
}

/** 404 NOT_FOUND: no such job, schedule or route. */
export class NotFoundError extends SkyForgeApiError {
  override name = 'NotFoundError';
}

/** 409: INVALID_STATE (details.status is the job's current status), CONFLICT, IDEMPOTENCY_KEY_REUSED. */
export class ConflictError extends SkyForgeApiError {
  override name = 'ConflictError';
}

/** 413 PAYLOAD_TOO_LARGE (details give the limit). */
export class PayloadTooLargeError extends SkyForgeApiError {
  override name = 'PayloadTooLargeError';
}

/** 429 RATE_LIMITED, after the client's retries ran out. */
export class RateLimitedError extends SkyForgeApiError {
  override name = 'RateLimitedError';
  /** The last answer's Retry-After, in milliseconds (null when it had none). */
  readonly retryAfterMs: number | null;

  constructor(init: ApiErrorInit & { retryAfterMs: number | null }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 5xx: the API's INTERNAL, or the gateway's 502/503/504 after the client's retries (if any) ran out. */
export class ServerError extends SkyForgeApiError {
  override name = 'ServerError';
}

/** `waitFor` gave up before the job finished. `job` is the last state seen (null when no poll answered). */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  readonly code = 'WAIT_TIMEOUT';
  readonly jobId: string;
  readonly job: JobView | null;
  readonly timeoutMs: number;

  constructor(jobId: string, timeoutMs: number, job: JobView | null) {
    super(`job ${jobId} did not finish within ${timeoutMs} ms${job ? ` (last status ${job.status})` : ''}`);
    this.jobId = jobId;
    this.timeoutMs = timeoutMs;
    this.job = job;
  }
}

/** `flows.wait` gave up before the flow finished. `flow` is the last state seen (null when no poll answered). */
export class FlowWaitTimeoutError extends Error {
  override name = 'FlowWaitTimeoutError';
  readonly code = 'WAIT_TIMEOUT';
  readonly flowId: string;
  readonly flow: FlowView | null;
  readonly timeoutMs: number;

  constructor(flowId: string, timeoutMs: number, flow: FlowView | null) {
    super(`flow ${flowId} did not finish within ${timeoutMs} ms${flow ? ` (last status ${flow.status})` : ''}`);
    this.flowId = flowId;
    this.timeoutMs = timeoutMs;
    this.flow = flow;
  }
}

/** No HTTP answer: connection refused or reset, DNS failure, or the per-request timeout. `cause` has the detail. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  readonly code = 'NETWORK_ERROR';
  readonly method: string;
  readonly url: string;
  /** The X-Request-ID that was sent. */
  readonly requestId: string;
  /** True when the client's per-request timeout (timeoutMs) ended the attempt. */
  readonly timedOut: boolean;

  constructor(init: { method: string; url: string; requestId: string; timedOut: boolean; cause: unknown }) {
    const reason = init.timedOut ? 'timed out' : describeCause(init.cause);
    super(`${init.method} ${init.url} failed: ${reason}`, { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
    this.requestId = init.requestId;
    this.timedOut = init.timedOut;
  }
}

/** `enqueueBatch` was given more jobs than one POST /jobs/batch takes. */
export class BatchTooLargeError extends RangeError {
  override name = 'BatchTooLargeError';
  readonly code = 'BATCH_TOO_LARGE';
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(`enqueueBatch takes at most ${limit} jobs per call (got ${size}); split the list into chunks of ${limit}`);
    this.size = size;
    this.limit = limit;
  }
}

type ApiErrorClass = new (init: ApiErrorInit) => SkyForgeApiError;

/** API.md's codes, each to its family. */
const CLASS_BY_CODE: Readonly<Record<string, ApiErrorClass>> = {
  INVALID_JSON: ValidationError,
  VALIDATION_ERROR: ValidationError,
  UNKNOWN_JOB_TYPE: ValidationError,
  UNAUTHORIZED: UnauthorizedError,
  NOT_FOUND: NotFoundError,
  INVALID_STATE: ConflictError,
  CONFLICT: ConflictError,
  IDEMPOTENCY_KEY_REUSED: ConflictError,
  PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  INTERNAL: ServerError,
};

/** Answers without an API code (API Gateway's `{"message": ...}`, a proxy's HTML): the code from the status... */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  // API Gateway's IAM authorizer: no or bad signature, or no execute-api:Invoke permission.
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  // API Gateway's throttling (stage rate and burst limits).
  429: 'RATE_LIMITED',
  500: 'INTERNAL',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/** ...and the family from the status. */
const CLASS_BY_STATUS: Readonly<Record<number, ApiErrorClass>> = {
  400: ValidationError,
  401: UnauthorizedError,
  403: UnauthorizedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
};

/** Builds the typed error for an error answer. `body` is the parsed JSON (or undefined), `text` the raw body. */
export function apiErrorFromResponse(response: {
  status: number;
  body: unknown;
  text: string;
  requestId: string | null;
  retryAfterMs: number | null;
}): SkyForgeApiError {
  const { status } = response;
  const body = isRecord(response.body) ? response.body : {};
  const apiCode = typeof body.code === 'string' ? body.code : undefined;
  const message =
    typeof body.message === 'string'
      ? body.message
      : response.text.trim()
        ? `HTTP ${status}: ${response.text.trim().slice(0, 200)}`
        : `HTTP ${status}`;
  const details = isRecord(body.details) ? body.details : {};
  const requestId = response.requestId ?? (typeof body.requestId === 'string' ? body.requestId : null);
  const code = apiCode ?? CODE_BY_STATUS[status] ?? `HTTP_${status}`;
  const init: ApiErrorInit = { code, message, status, requestId, details };

  if (status === 429 || code === 'RATE_LIMITED') return new RateLimitedError({ ...init, retryAfterMs: response.retryAfterMs });
  const errorClass = (apiCode ? CLASS_BY_CODE[apiCode] : undefined) ?? CLASS_BY_STATUS[status] ?? (status >= 500 ? ServerError : SkyForgeApiError);
  return new errorClass(init);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeCause(cause: unknown): string {
  const code = networkErrorCode(cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** The system error code under fetch's `TypeError: fetch failed` (ECONNREFUSED, ECONNRESET...), if any. */
export function networkErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    // Happy eyeballs: an AggregateError of one failure per address.
    if (Array.isArray(errors)) {
      const inner = errors.map(networkErrorCode).find((c) => c !== undefined);
      if (inner) return inner;
    }
    current = cause;
  }
  return undefined;
}
