import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PayloadTooLargeError, SkyForgeError, ValidationError, type ErrorCode } from '../../shared/domain/errors.ts';
import { ApiRequest, parseWith } from '../../shared/http/api-request.ts';
import { ERROR_STATUS } from '../../shared/http/error-status.ts';
import { Router, type Route } from '../../shared/http/router.ts';
import { jobRequestSchema, listQuerySchema } from '../../shared/http/schemas.ts';
import { OPENAPI_EXAMPLES } from '../../shared/http/openapi-examples.ts';

const MIB = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JSON_TYPE = { 'content-type': 'application/json' };

interface EventOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** An API Gateway HTTP API (payload 2.0) event, as the api Lambda receives it. */
function apiEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/jobs';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api1234567',
      domainName: 'api1234567.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'api1234567',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: 'gw-request-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1_767_225_600_000,
    },
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
}

/** Runs `act` and returns what it threw (fails the test when it does not throw). */
function thrownBy(act: () => unknown): SkyForgeError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(SkyForgeError);
    return error as SkyForgeError;
  }
  throw new Error('expected a throw, got none');
}

async function rejectionOf(act: () => Promise<unknown>): Promise<SkyForgeError> {
  try {
    await act();
  } catch (error) {
    expect(error).toBeInstanceOf(SkyForgeError);
    return error as SkyForgeError;
  }
  throw new Error('expected a rejection, got none');
}

const anything = z.unknown();

describe('ApiRequest: X-Request-ID', () => {
  it.each([
    ['a uuid', '9b2f6a3c-1d4e-4f5a-8b6c-7d8e9f0a1b2c'],
    ['word characters and dashes', 'req_1-abc'],
    ['the allowed punctuation', 'trace.1:2@host/x+y=z'],
    ['128 characters', 'a'.repeat(128)],
  ])('echoes %s', (_name, sent) => {
    // Act
    const request = new ApiRequest(apiEvent({ headers: { 'x-request-id': sent } }));

    // Assess
    expect(request.requestId).toBe(sent);
  });

  it('echoes it whatever the header name case', () => {
    // Act
    const request = new ApiRequest(apiEvent({ headers: { 'X-Request-ID': 'mixed-case-1' } }));

    // Assess
    expect(request.requestId).toBe('mixed-case-1');
  });

  it.each([
    ['empty', ''],
    ['with a space', 'has space'],
    ['129 characters', 'a'.repeat(129)],
    ['with a newline (header injection)', 'ok\r\nSet-Cookie: x=1'],
    ['with a semicolon', 'a;b'],
    ['with angle brackets', '<script>'],
    ['two values joined by API Gateway', 'a,b'],
  ])('generates a uuid when the sent one is invalid: %s', (_name, sent) => {
    // Act
    const request = new ApiRequest(apiEvent({ headers: { 'x-request-id': sent } }));

    // Assess
    expect(request.requestId).toMatch(UUID);
    expect(request.requestId).not.toBe(sent);
  });

  it('generates a fresh uuid per request when none was sent', () => {
    // Act
    const first = new ApiRequest(apiEvent());
    const second = new ApiRequest(apiEvent());

    // Assess
    expect(first.requestId).toMatch(UUID);
    expect(second.requestId).toMatch(UUID);
    expect(first.requestId).not.toBe(second.requestId);
  });
});

describe('ApiRequest.body: order of checks', () => {
  it('refuses a body over 5 MiB with 413 before looking at the content type', () => {
    // Prepare
    const request = new ApiRequest(apiEvent({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5 * MIB + 1) }));

    // Act
    const error = thrownBy(() => request.body(anything));

    // Assess
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.details.limitBytes).toBe(5_242_880);
    expect(error.details.sizeBytes).toBe(5_242_881);
  });

  it.each([
    ['invalid JSON', { 'content-type': 'application/json' }, '{'.repeat(5 * MIB + 1)],
    ['no content type', {}, `"${'a'.repeat(5 * MIB)}"`],
    ['multi-byte characters: counted in bytes, not characters', JSON_TYPE, `"${'é'.repeat(2.5 * MIB + 1)}"`],
  ])('refuses %s over 5 MiB with PAYLOAD_TOO_LARGE', (_name, headers, body) => {
    // Prepare
    const request = new ApiRequest(apiEvent({ method: 'POST', headers, body }));

    // Act
    const error = thrownBy(() => request.body(anything));

    // Assess
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.details.limitBytes).toBe(5 * MIB);
  });

  it('measures a base64 body after decoding it', () => {
    // Prepare: 5 MiB + 10 bytes of JSON
    const json = `"${'b'.repeat(5 * MIB + 8)}"`;
    const request = new ApiRequest(
      apiEvent({ method: 'POST', headers: JSON_TYPE, body: Buffer.from(json).toString('base64'), isBase64Encoded: true }),
    );

    // Act
    const error = thrownBy(() => request.body(anything));

    // Assess
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.details.sizeBytes).toBe(5 * MIB + 10);
  });

  it('accepts a body of exactly 5 MiB', () => {
    // Prepare: {"a":"xxx..."} is 8 bytes of frame around the string
    const body = `{"a":"${'x'.repeat(5 * MIB - 8)}"}`;
    const request = new ApiRequest(apiEvent({ method: 'POST', headers: JSON_TYPE, body }));

    // Act
    const value = request.body(z.object({ a: z.string() }));

    // Assess
    expect(Buffer.byteLength(body)).toBe(5 * MIB);
    expect(value.a).toHaveLength(5 * MIB - 8);
  });

  it.each([
    ['absent', undefined],
    ['text/plain', 'text/plain'],
    ['text/plain that mentions json in a parameter', 'text/plain; profile=application/json'],
    ['form encoded', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=xyz'],
    ['application/jsonp', 'application/jsonp'],
    ['text/json', 'text/json'],
  ])('refuses a body with content type %s: UNSUPPORTED_MEDIA_TYPE', (_name, contentType) => {
    // Prepare
    const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
    const request = new ApiRequest(apiEvent({ method: 'POST', headers, body: '{"type":"demo.echo"}' }));

    // Act
    const error = thrownBy(() => request.body(jobRequestSchema));

    // Assess
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('checks the media type before the JSON syntax', () => {
    // Prepare
    const request = new ApiRequest(apiEvent({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'not json' }));

    // Act
    const error = thrownBy(() => request.body(anything));

    // Assess
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['Application/JSON;charset=UTF-8'],
    ['application/vnd.x+json'],
    ['application/problem+json'],
  ])('accepts content type %s', (contentType) => {
    // Prepare
    const request = new ApiRequest(apiEvent({ method: 'POST', headers: { 'Content-Type': contentType }, body: '{"type":"demo.echo","maxAttempts":2}' }));

    // Act
    const value = request.body(jobRequestSchema);

    // Assess
    expect(value).toEqual({ type: 'demo.echo', maxAttempts: 2 });
  });

  it.each([
    ['an unfinished object', '{"type":'],
    ['a trailing comma', '{"type":"a",}'],
    ['single quotes', "{'type':'a'}"],
    ['plain text', 'not json'],
    ['a second closing brace', '{"type":"a"}}'],
  ])('refuses %s: INVALID_JSON', (_name, body) => {
    // Prepare
    const request = new ApiRequest(apiEvent({ method: 'POST', headers: JSON_TYPE, body }));

    // Act
    const error = thrownBy(() => request.body(anything));

    // Assess
    expect(error.code).toBe('INVALID_JSON');
  });

  it.each([
    ['absent', undefined, {}],
    ['empty', '', {}],
    ['whitespace', '  \n\t', {}],
    ['absent, with a JSON content type', undefined, JSON_TYPE],
  ])('treats a body that is %s as {} without asking for a content type', (_name, body, headers) => {
    // Prepare
    const request = new ApiRequest(apiEvent({ method: 'POST', headers, ...(body === undefined ? {} : { body }) }));

    // Act
    const value = request.body(anything);

    // Assess
    expect(value).toEqual({});
  });

  it('an empty body still has to satisfy the schema (type is required)', () => {
    // Prepare
    const request = new ApiRequest(apiEvent({ method: 'POST', body: '' }));

    // Act
    const error = thrownBy(() => request.body(jobRequestSchema));

    // Assess
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.field).toBe('type');
  });

  it('decodes a base64 body', () => {
    // Prepare
    const json = '{"type":"demo.echo","payload":{"city":"Zürich","emoji":"😀"}}';
    const request = new ApiRequest(
      apiEvent({ method: 'POST', headers: JSON_TYPE, body: Buffer.from(json, 'utf8').toString('base64'), isBase64Encoded: true }),
    );

    // Act
    const value = request.body(jobRequestSchema);

    // Assess
    expect(value).toEqual({ type: 'demo.echo', payload: { city: 'Zürich', emoji: '😀' } });
  });
});

describe('jobRequestSchema', () => {
  const validate = (body: unknown) => thrownBy(() => parseWith(jobRequestSchema, body));

  it.each([
    { name: 'missing type', body: {}, field: 'type', message: /type/ },
    { name: 'type not a string', body: { type: 42 }, field: 'type', message: /type/ },
    { name: 'empty type', body: { type: '' }, field: 'type', message: /type/ },
    { name: 'maxAttempts 0', body: { type: 'a', maxAttempts: 0 }, field: 'maxAttempts', message: /^maxAttempts must be between 1 and 100$/ },
    { name: 'maxAttempts 101', body: { type: 'a', maxAttempts: 101 }, field: 'maxAttempts', message: /^maxAttempts must be between 1 and 100$/ },
    { name: 'maxAttempts 1.5', body: { type: 'a', maxAttempts: 1.5 }, field: 'maxAttempts', message: /maxAttempts/ },
    { name: 'maxAttempts as a string', body: { type: 'a', maxAttempts: '3' }, field: 'maxAttempts', message: /maxAttempts/ },
    { name: 'unknown priority', body: { type: 'a', priority: 'urgent' }, field: 'priority', message: /priority/ },
    { name: 'priority in capitals', body: { type: 'a', priority: 'HIGH' }, field: 'priority', message: /priority/ },
    { name: 'runAt as a date only', body: { type: 'a', runAt: '2026-01-31' }, field: 'runAt', message: /runAt/ },
    { name: 'runAt as words', body: { type: 'a', runAt: 'tomorrow' }, field: 'runAt', message: /runAt/ },
    { name: 'runAt without a zone', body: { type: 'a', runAt: '2026-01-31T12:00:00' }, field: 'runAt', message: /runAt/ },
    { name: 'runAt on a day that does not exist', body: { type: 'a', runAt: '2026-02-30T12:00:00Z' }, field: 'runAt', message: /runAt/ },
    { name: 'runAt as epoch ms', body: { type: 'a', runAt: 1_769_860_800_000 }, field: 'runAt', message: /runAt/ },
    { name: 'metadata of 4097 bytes', body: { type: 'a', metadata: { a: 'x'.repeat(4089) } }, field: 'metadata', message: /metadata.*4096/ },
    { name: 'metadata of 4200 bytes in 2100 characters', body: { type: 'a', metadata: { a: 'é'.repeat(2100) } }, field: 'metadata', message: /metadata/ },
    { name: 'metadata as an array', body: { type: 'a', metadata: ['x'] }, field: 'metadata', message: /metadata/ },
    { name: 'unknown backoff type', body: { type: 'a', backoff: { type: 'linear' } }, field: 'backoff.type', message: /backoff\.type/ },
  ])('refuses $name (VALIDATION_ERROR naming $field)', ({ body, field, message }) => {
    // Act
    const error = validate(body);

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('refuses an unknown field and names it in the message ("priorty")', () => {
    // Act
    const error = validate({ type: 'a', priorty: 'high' });

    // Assess
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toContain('priorty');
  });

  it('names an unknown top-level field in details too (API.md: "details name the field")', () => {
    // Act
    const error = validate({ type: 'a', priorty: 'high' });

    // Assess
    expect(error.details.field).toBe('priorty');
  });

  it('refuses an unknown field inside backoff and names it', () => {
    // Act
    const error = validate({ type: 'a', backoff: { type: 'exponential', base: 2 } });

    // Assess
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toContain('base');
    expect(error.details.field).toMatch(/^backoff(\.base)?$/);
  });

  it('refuses delayMs together with runAt', () => {
    // Act
    const error = validate({ type: 'a', delayMs: 60_000, runAt: '2026-01-31T12:00:00Z' });

    // Assess
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(['delayMs', 'runAt']).toContain(error.details.field);
    expect(error.message).toContain('delayMs');
    expect(error.message).toContain('runAt');
  });

  it.each([
    { name: 'the minimal body', body: { type: 'demo.echo' } },
    { name: 'maxAttempts 1', body: { type: 'a', maxAttempts: 1 } },
    { name: 'maxAttempts 100', body: { type: 'a', maxAttempts: 100 } },
    { name: 'runAt in UTC', body: { type: 'a', runAt: '2026-01-31T12:00:00Z' } },
    { name: 'runAt with milliseconds', body: { type: 'a', runAt: '2026-01-31T12:00:00.123Z' } },
    { name: 'runAt with an offset', body: { type: 'a', runAt: '2026-01-31T12:00:00+01:00' } },
    { name: 'metadata of exactly 4096 bytes', body: { type: 'a', metadata: { a: 'x'.repeat(4088) } } },
    { name: 'a null payload', body: { type: 'a', payload: null } },
    { name: "API.md's example (the OpenAPI document's)", body: OPENAPI_EXAMPLES.jobRequest },
  ])('accepts $name unchanged', ({ body }) => {
    // Act
    const parsed = parseWith(jobRequestSchema, structuredClone(body));

    // Assess
    expect(parsed).toEqual(body);
  });

  it.each([['critical'], ['high'], ['normal'], ['low']])('accepts priority %s', (priority) => {
    // Act
    const parsed = parseWith(jobRequestSchema, { type: 'a', priority });

    // Assess
    expect(parsed.priority).toBe(priority);
  });
});

describe('listQuerySchema: limit', () => {
  const query = (limit?: string) =>
    new ApiRequest(apiEvent({ path: '/jobs', ...(limit === undefined ? {} : { query: { limit } }) })).queryParams(listQuerySchema);

  it.each([
    ['absent', undefined, 50],
    ['1', '1', 1],
    ['50', '50', 50],
    ['200', '200', 200],
    ['201 (clamped)', '201', 200],
    ['500 (clamped)', '500', 200],
  ])('limit %s -> %i', (_name, limit, expected) => {
    // Act
    const parsed = query(limit);

    // Assess
    expect(parsed.limit).toBe(expected);
  });

  it.each([['0'], ['-1'], ['abc'], ['1.5']])('limit %s -> VALIDATION_ERROR naming limit', (limit) => {
    // Act
    const error = thrownBy(() => query(limit));

    // Assess
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.field).toBe('limit');
  });

  it('refuses an unknown status', () => {
    // Act
    const error = thrownBy(() => new ApiRequest(apiEvent({ query: { status: 'DONE' } })).queryParams(listQuerySchema));

    // Assess
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.field).toBe('status');
  });
});

describe('Router', () => {
  const route = (method: string, path: string): Route => ({
    method,
    path,
    handler: async (_request, params) => ({ status: 200, body: { route: `${method} ${path}`, params } }),
  });
  const router = new Router([
    route('GET', '/jobs'),
    route('POST', '/jobs'),
    route('POST', '/jobs/batch'),
    route('GET', '/jobs/{id}'),
    route('DELETE', '/jobs/{id}'),
    route('POST', '/jobs/{id}/cancel'),
    route('GET', '/queues/{priority}/jobs'),
  ]);
  const dispatch = (method: string, path: string) => router.dispatch(new ApiRequest(apiEvent({ method, path })));

  it.each([
    { method: 'GET', path: '/jobs', route: 'GET /jobs', params: {} },
    { method: 'POST', path: '/jobs', route: 'POST /jobs', params: {} },
    { method: 'POST', path: '/jobs/batch', route: 'POST /jobs/batch', params: {} },
    { method: 'GET', path: '/jobs/01JABC', route: 'GET /jobs/{id}', params: { id: '01JABC' } },
    { method: 'DELETE', path: '/jobs/01JABC', route: 'DELETE /jobs/{id}', params: { id: '01JABC' } },
    { method: 'GET', path: '/jobs/a%20b', route: 'GET /jobs/{id}', params: { id: 'a b' } },
    { method: 'GET', path: '/jobs/a%2Fb', route: 'GET /jobs/{id}', params: { id: 'a/b' } },
    { method: 'GET', path: '/jobs/%E2%9C%93', route: 'GET /jobs/{id}', params: { id: '✓' } },
    { method: 'POST', path: '/jobs/x%3Ay/cancel', route: 'POST /jobs/{id}/cancel', params: { id: 'x:y' } },
    { method: 'GET', path: '/queues/high/jobs', route: 'GET /queues/{priority}/jobs', params: { priority: 'high' } },
    { method: 'GET', path: '/jobs/', route: 'GET /jobs', params: {} },
    { method: 'get', path: '/jobs/abc', route: 'GET /jobs/{id}', params: { id: 'abc' } },
  ])('$method $path -> $route with decoded params', async ({ method, path, route: expectedRoute, params }) => {
    // Act
    const response = await dispatch(method, path);

    // Assess
    expect(response).toEqual({ status: 200, body: { route: expectedRoute, params } });
  });

  it.each([
    { method: 'GET', path: '/nope' },
    { method: 'GET', path: '/jobs/a/b/c' },
    { method: 'POST', path: '/' },
  ])('$method $path -> NOT_FOUND with method and path in details', async ({ method, path }) => {
    // Act
    const error = await rejectionOf(() => dispatch(method, path));

    // Assess
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details.method).toBe(method);
    expect(error.details.path).toBe(path);
    expect(error.details).not.toHaveProperty('allowedMethods');
  });

  it.each([
    { method: 'PUT', path: '/jobs/abc', allowed: ['DELETE', 'GET'] },
    { method: 'GET', path: '/jobs/abc/cancel', allowed: ['POST'] },
    { method: 'DELETE', path: '/jobs', allowed: ['GET', 'POST'] },
    { method: 'POST', path: '/queues/low/jobs', allowed: ['GET'] },
  ])('$method $path (known path, wrong method) -> NOT_FOUND with allowedMethods', async ({ method, path, allowed }) => {
    // Act
    const error = await rejectionOf(() => dispatch(method, path));

    // Assess
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details.method).toBe(method);
    expect(error.details.path).toBe(path);
    expect([...(error.details.allowedMethods as string[])].sort()).toEqual(allowed);
  });
});

describe('ERROR_STATUS', () => {
  /** API.md's error table, copied by hand. */
  const API_TABLE: [ErrorCode, number][] = [
    ['INVALID_JSON', 400],
    ['VALIDATION_ERROR', 400],
    ['UNKNOWN_JOB_TYPE', 400],
    ['UNAUTHORIZED', 401],
    ['NOT_FOUND', 404],
    ['INVALID_STATE', 409],
    ['CONFLICT', 409],
    ['IDEMPOTENCY_KEY_REUSED', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['RATE_LIMITED', 429],
    ['INTERNAL', 500],
    ['UNAVAILABLE', 503],
  ];

  it.each(API_TABLE)('%s -> %i', (code, status) => {
    // Act
    const mapped = ERROR_STATUS[code];

    // Assess
    expect(mapped).toBe(status);
  });

  it('maps no code that API.md does not list', () => {
    // Act
    const codes = Object.keys(ERROR_STATUS);

    // Assess
    expect(codes.sort()).toEqual(API_TABLE.map(([code]) => code).sort());
  });
});
