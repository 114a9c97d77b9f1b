import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SkyForgeError, type ErrorCode } from '../../shared/domain/errors.ts';
import { ERROR_STATUS } from '../../shared/http/error-status.ts';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  requestId: string;
}

/** The API's error shape. Anything that is not a SkyForgeError is INTERNAL, without its stack. */
export function errorBody(error: unknown, requestId: string): { status: number; body: ErrorBody } {
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
