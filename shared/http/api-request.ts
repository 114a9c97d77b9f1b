import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { safeParse } from 'zod/mini';
import type * as z from 'zod/v4/core';
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors.ts';
import { continueTrace, type TraceContext } from '../domain/trace-context.ts';

/** API Gateway passes at most ~6 MB to Lambda; refuse earlier with a clear 413. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * A caller's `X-Request-ID` if it is one we echo (1-128 characters of a safe set), else
 * undefined: anything else could forge log lines or inject headers where it is echoed.
 */
export function acceptedRequestId(sent: string | undefined): string | undefined {
  return sent !== undefined && REQUEST_ID.test(sent) ? sent : undefined;
}

/** One API call, parsed from the API Gateway (payload 2.0) event. */
export class ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | undefined>;
  readonly headers: Record<string, string | undefined>;
  readonly requestId: string;
  /** This request's span: it continues the caller's `traceparent`, or starts a new trace. */
  readonly trace: TraceContext;
  private readonly rawBody: string | undefined;

  constructor(event: APIGatewayProxyEventV2) {
    this.method = event.requestContext.http.method.toUpperCase();
    this.path = normalizePath(event.rawPath ?? event.requestContext.http.path);
    this.query = event.queryStringParameters ?? {};
    this.headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.requestId = acceptedRequestId(this.headers['x-request-id']) ?? randomUUID();
    // An invalid header starts a new trace rather than failing the request (docs/tracing.md).
    this.trace = continueTrace({ traceparent: this.headers['traceparent'], tracestate: this.headers['tracestate'] });
    this.rawBody =
      event.body === undefined || event.body === null
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
  }

  /**
   * The JSON body validated by `schema`. Checks run in the order that changes nothing and costs
   * nothing: size (413), media type (415), JSON syntax (400 INVALID_JSON), then shape.
   * An empty body counts as `{}` where the schema allows it.
   */
  body<S extends z.$ZodType>(schema: S): z.output<S> {
    const raw = this.rawBody ?? '';
    const size = Buffer.byteLength(raw, 'utf8');
    if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError('request body', size, MAX_BODY_BYTES);
    let value: unknown = {};
    if (raw.trim().length > 0) {
      const type = (this.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json' && !type?.endsWith('+json')) {
        throw new UnsupportedMediaTypeError(this.headers['content-type'] ?? null);
      }
      try {
        value = JSON.parse(raw) as unknown;
      } catch (error) {
        throw new InvalidJsonError((error as Error).message);
      }
    }
    return parseWith(schema, value);
  }

  queryParams<S extends z.$ZodType>(schema: S): z.output<S> {
    return parseWith(schema, this.query);
  }
}

/**
 * Validates a value, turning the first problem into a VALIDATION_ERROR that names the field.
 * Takes any zod schema, classic or zod/mini (the API's own are mini: see schemas.ts).
 */
export function parseWith<S extends z.$ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const parsed = safeParse(schema, value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const segments = [prefix, ...issue.path.map(String)];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      // zod reports unknown keys against their object; the field to name is the key itself.
      segments.push(issue.keys[0] ?? '');
      message = `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    }
    const path = segments.filter(Boolean).join('.');
    return { field: path || null, message };
  });
  const first = issues[0] ?? { field: null, message: 'invalid request' };
  const text = first.field && !first.message.startsWith(first.field) ? `${first.field}: ${first.message}` : first.message;
  throw new ValidationError(text, { field: first.field, issues });
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}
