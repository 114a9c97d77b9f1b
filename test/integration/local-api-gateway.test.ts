import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { startApiGateway, type ApiGateway } from '../../local/api-gateway.ts';

/** What the injected handler saw and what it should answer next. */
let seen: Array<{ event: APIGatewayProxyEventV2; context: Context; remainingMs: number }>;
let answer: (event: APIGatewayProxyEventV2) => Promise<unknown>;
let api: ApiGateway;

beforeAll(async () => {
  api = await startApiGateway({
    port: 0,
    timeoutMs: 1_000,
    functionName: 'test-api',
    handler: async (event, context) => {
      seen.push({ event, context, remainingMs: context.getRemainingTimeInMillis() });
      return answer(event);
    },
  });
});

afterAll(async () => {
  await api?.close();
});

beforeEach(() => {
  seen = [];
  answer = async () => ({ statusCode: 204 });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http, not fetch: fetch merges repeated request headers before they reach the wire. */
function send(path: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer } = {}): Promise<RawResponse> {
  const url = new URL(path, api.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('request -> APIGatewayProxyEventV2', () => {
  it('builds a payload 2.0 event with raw path, query, joined headers and cookies', async () => {
    // Act
    const response = await send('/jobs/abc?a=1&b=x%20y&a=2&empty=', {
      headers: { 'X-Custom': ['one', 'two'], Cookie: 'session=s1; theme=dark', 'User-Agent': 'skyforge-test/1' },
    });

    // Assess
    expect(response.status).toBe(204);
    expect(seen).toHaveLength(1);
    const { event } = seen[0]!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/jobs/abc',
      rawQueryString: 'a=1&b=x%20y&a=2&empty=',
      cookies: ['session=s1', 'theme=dark'],
      queryStringParameters: { a: '1,2', b: 'x y', empty: '' },
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({
      'x-custom': 'one,two',
      'user-agent': 'skyforge-test/1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': String(api.port),
      'x-forwarded-proto': 'http',
    });
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      domainName: `127.0.0.1:${api.port}`,
      http: { method: 'GET', path: '/jobs/abc', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'skyforge-test/1' },
      routeKey: '$default',
      stage: '$default',
    });
    expect(event.requestContext.requestId).toBe(response.headers['apigw-requestid']);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
  });

  it('leaves out cookies and queryStringParameters when the request has none', async () => {
    await send('/healthz');
    const { event } = seen[0]!;
    expect(event.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
  });

  it('passes a JSON body as text', async () => {
    await send('/jobs', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from('{"type":"demo.echo","x":"é"}') });
    expect(seen[0]!.event).toMatchObject({ body: '{"type":"demo.echo","x":"é"}', isBase64Encoded: false });
    expect(seen[0]!.event.requestContext.http.method).toBe('POST');
  });

  it.each([
    ['application/octet-stream', Buffer.from([0, 1, 254, 255])],
    ['image/png', Buffer.from([137, 80, 78, 71])],
    ['application/x-www-form-urlencoded', Buffer.from('a=1&b=2')],
  ])('passes a %s body base64-encoded', async (contentType, bytes) => {
    await send('/upload', { method: 'PUT', headers: { 'content-type': contentType }, body: bytes });
    const { event } = seen[0]!;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('gives the handler a Lambda context counting down from the timeout', async () => {
    await send('/');
    const { context, remainingMs } = seen[0]!;
    expect(context.functionName).toBe('test-api');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:test-api');
    expect(remainingMs).toBeGreaterThan(800);
    expect(remainingMs).toBeLessThanOrEqual(1_000);
  });

  it('answers 413 for a body over 10 MB without invoking the handler', async () => {
    const response = await send('/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Request Entity Too Large' });
    expect(seen).toHaveLength(0);
  });
});

describe('handler result -> HTTP response', () => {
  it('writes a structured result: status, headers, cookies as Set-Cookie, body', async () => {
    answer = async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Request-ID': 'r-1', 'X-Count': 3 },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: '{"id":"j1"}',
    });
    const response = await send('/jobs', { method: 'POST' });
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'r-1', 'x-count': '3' });
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(response.headers['apigw-requestid']).toBe(seen[0]!.event.requestContext.requestId);
    expect(response.body.toString()).toBe('{"id":"j1"}');
  });

  it('decodes a base64 body', async () => {
    answer = async () => ({ statusCode: 200, isBase64Encoded: true, body: Buffer.from([1, 2, 255]).toString('base64') });
    const response = await send('/blob');
    expect(response.body).toEqual(Buffer.from([1, 2, 255]));
  });

  it.each([
    ['an object without statusCode', { hello: 'world' }, '{"hello":"world"}'],
    ['a string', 'plain words', 'plain words'],
  ])('turns %s into a 200 application/json', async (_, result, body) => {
    answer = async () => result;
    const response = await send('/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body.toString()).toBe(body);
  });

  it.each([
    ['throws', async (): Promise<unknown> => {
      throw new Error('boom');
    }],
    ['returns a malformed statusCode', async (): Promise<unknown> => ({ statusCode: 'two hundred' })],
    ['returns a non-string body', async (): Promise<unknown> => ({ statusCode: 200, body: { not: 'a string' } })],
  ])('answers 500 like API Gateway when the handler %s', async (_, handler) => {
    answer = handler;
    const response = await send('/');
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
    expect(response.headers['apigw-requestid']).toBeTruthy();
  });

  it('answers 500 when the handler runs past a function timeout shorter than the gateway\'s', async () => {
    // Prepare: the stack gives the api function 29 s under the gateway's 30 s; scaled down here.
    const short = await startApiGateway({
      port: 0,
      timeoutMs: 1_000,
      functionTimeoutMs: 200,
      handler: (_event, context) =>
        new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, body: String(context.getRemainingTimeInMillis()) }), 600)),
    });

    // Act
    const response = await fetch(`${short.url}/slow`);
    await short.close();

    // Assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 503 when the handler runs past the integration timeout', async () => {
    answer = () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 1_500));
    const started = Date.now();
    const response = await send('/slow');
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(1_450);
  });
});
