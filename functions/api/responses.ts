import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isAwsServiceError, isPermanentAwsError } from '../../shared/adapters/aws-errors.ts';
import { SkyForgeError, UnavailableError, type ErrorCode } from '../../shared/domain/errors.ts';
import { ERROR_STATUS } from '../../shared/http/error-status.ts';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  requestId: string;
}

/**
 * The API's error shape. An AWS call that failed for a passing reason (throttling, a 5xx, the
 * network) after the SDK's retries is UNAVAILABLE (503, Retry-After); anything else that is not a
 * SkyForgeError is INTERNAL, without its stack.
 */
export function errorBody(error: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (isAwsServiceError(error) && !isPermanentAwsError(error)) {
    return errorBody(new UnavailableError('AWS is busy or failing right now; retry the request (with the same idempotency key)'), requestId);
  }
  if (error instanceof SkyForgeError) {
    return { status: ERROR_STATUS[error.code], body: { code: error.code, message: error.message, details: error.details, requestId } };
  }
  return {
    status: 500,
    body: { code: 'INTERNAL', message: 'internal error; quote the requestId when reporting it', details: {}, requestId },
  };
}

export function jsonResult(
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
      'X-Request-ID': requestId,
      ...headers,
    },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Headers an error answer carries besides the body: Retry-After for 503 and 429. */
export function errorHeaders(body: ErrorBody): Record<string, string> {
  const seconds = body.details.retryAfterSeconds;
  return (body.code === 'UNAVAILABLE' || body.code === 'RATE_LIMITED') && typeof seconds === 'number' ? { 'Retry-After': String(seconds) } : {};
}
