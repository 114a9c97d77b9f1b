/** An HTTP response ready for the wire. */
export interface HttpResponseParts {
  statusCode: number;
  /** Pairs, so Set-Cookie can repeat. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Why a Lambda result could not be turned into a response (logged; the client sees a 500). */
export class MalformedLambdaResultError extends Error {
  override readonly name = 'MalformedLambdaResultError';
  readonly code = 'MALFORMED_LAMBDA_RESULT';
}

/** API Gateway's own error answers, as HTTP APIs send them. */
export function gatewayError(statusCode: number, message: string): HttpResponseParts {
  return {
    statusCode,
    headers: [['content-type', 'application/json']],
    body: Buffer.from(JSON.stringify({ message }), 'utf8'),
  };
}

/**
 * Turns what the Lambda returned into the HTTP response, by HTTP API's payload 2.0 rules:
 * a result with `statusCode` is a structured response (headers, body, isBase64Encoded, cookies
 * each becoming a Set-Cookie); anything else is a 200 with content-type application/json whose
 * body is the result (a string as is, any other value as JSON).
 * Throws MalformedLambdaResultError for a structured result API Gateway would reject.
 *
 * @example
 * toHttpResponse({ statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{}' });
 */
export function toHttpResponse(result: unknown): HttpResponseParts {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body, 'utf8') };
  }
  const structured = result as Record<string, unknown>;
  const statusCode = structured['statusCode'];
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new MalformedLambdaResultError(`statusCode must be an integer from 100 to 599, got ${JSON.stringify(statusCode)}`);
  }
  const headers: Array<[string, string]> = [];
  const rawHeaders = structured['headers'] ?? {};
  if (typeof rawHeaders !== 'object' || rawHeaders === null) throw new MalformedLambdaResultError('headers must be an object');
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new MalformedLambdaResultError(`header ${name} must be a string, number or boolean`);
    }
    headers.push([name.toLowerCase(), String(value)]);
  }
  const cookies = structured['cookies'] ?? [];
  if (!Array.isArray(cookies) || cookies.some((c) => typeof c !== 'string')) {
    throw new MalformedLambdaResultError('cookies must be an array of strings');
  }
  for (const cookie of cookies as string[]) headers.push(['set-cookie', cookie]);
  const rawBody = structured['body'] ?? '';
  if (typeof rawBody !== 'string') throw new MalformedLambdaResultError('body must be a string');
  const body = structured['isBase64Encoded'] === true ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
  return { statusCode, headers, body };
}
