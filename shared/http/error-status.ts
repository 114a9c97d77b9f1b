import type { ErrorCode } from '../domain/errors.ts';

/** The one table from error codes to HTTP statuses (API.md). */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_JSON: 400,
  VALIDATION_ERROR: 400,
  UNKNOWN_JOB_TYPE: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};
