import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** A response of an AWS JSON 1.0 service, before it goes on the wire. */
export interface AwsJsonResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An error in the shape every AWS JSON 1.0 SDK parses: `__type` names the exception (the SDK
 * reads the part after '#'), and `x-amzn-ErrorType` repeats it for clients that look there.
 *
 * @example
 * awsJsonError(400, 'com.amazonaws.dynamodb.v20120810#ValidationException', 'TableName is required');
 */
export function awsJsonError(status: number, type: string, message: string): AwsJsonResponse {
  return awsJsonResult(status, { __type: type, message }, { 'x-amzn-errortype': type.split('#').pop() ?? type });
}

/** A successful (or any) AWS JSON 1.0 answer with a request id, as the real endpoints send. */
export function awsJsonResult(status: number, payload: unknown, headers: Record<string, string> = {}): AwsJsonResponse {
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      ...headers,
    },
    body: JSON.stringify(payload),
  };
}

/** Writes a prepared response (from the emulators or the helpers above) to the wire. */
export function writeAwsResponse(res: ServerResponse, response: AwsJsonResponse): void {
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}
