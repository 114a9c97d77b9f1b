import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.ts';
import { createMetricsApp } from '../../functions/metrics/app.ts';
import { acceptedRequestId } from '../../shared/http/api-request.ts';
import { checkReadiness } from '../../shared/use-cases/get-stats.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { apiEvent } from '../support/api-event.ts';
import { captureLogger } from '../support/harness.ts';

/** Security findings of the review of issue 14, each pinned by a test. */

const TOKEN = 'the-right-token-0123456789';

describe('/readyz', () => {
  it('answers the failing probe by error name only and logs the message (it names the account, role and table)', async () => {
    // Prepare
    const logger = captureLogger();
    const denied = Object.assign(
      new Error('User: arn:aws:sts::123456789012:assumed-role/SkyForgeApiRole/skyforge-api is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/prod-jobs'),
      { name: 'AccessDeniedException' },
    );
    const deps = {
      store: { ping: async () => Promise.reject(denied) },
      queue: { ping: async () => undefined },
      logger,
    } as unknown as Dependencies;

    // Act
    const readiness = await checkReadiness(deps);

    // Assess
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.dynamodb).toMatchObject({ ok: false, error: 'AccessDeniedException' });
    expect(readiness.checks.sqs).toMatchObject({ ok: true });
    expect(JSON.stringify(readiness)).not.toContain('123456789012');
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ probe: 'dynamodb', error: `AccessDeniedException: ${denied.message}` }) }),
    ]);
  });
});

describe('X-Request-ID', () => {
  it.each([
    ['a safe id', 'client-req-42', 'client-req-42'],
    ['a header injection attempt', 'x\r\nSet-Cookie: a=b', undefined],
    ['an id over 128 characters', 'a'.repeat(129), undefined],
    ['no header', undefined, undefined],
  ])('is accepted only when safe: %s', (_, sent, expected) => {
    expect(acceptedRequestId(sent)).toBe(expected);
  });

  it('is checked by the metrics function as by the api function', async () => {
    const deps = { counters: {}, queue: {}, clock: { now: () => 0 }, logger: captureLogger() } as unknown as Dependencies;
    const metrics = createMetricsApp(deps);
    const post = (headers: Record<string, string>): APIGatewayProxyEventV2 => apiEvent('POST', '/metrics', { headers });

    const echoed = await metrics(post({ 'X-Request-ID': 'scrape-1' }));
    const replaced = await metrics(post({ 'X-Request-ID': 'bad id\nforged: line' }));

    expect(echoed.headers?.['X-Request-ID']).toBe('scrape-1');
    // Like the api function, it answers with a traceparent: here a new trace (none was sent).
    expect(echoed.headers?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(replaced.headers?.['X-Request-ID']).not.toContain('forged');
    expect(replaced.headers?.['X-Request-ID']).toBe(post({}).requestContext.requestId);
  });
});

describe('bearer token', () => {
  const app = createApiApp({ logger: captureLogger() } as unknown as Dependencies, { apiToken: TOKEN });
  const status = async (authorization?: string) =>
    (await app(apiEvent('GET', '/no-such-route', authorization === undefined ? {} : { headers: { authorization } }))).statusCode;

  it.each([
    ['no header', undefined, 401],
    ['a shorter token', 'Bearer the-right', 401],
    ['a longer token', `Bearer ${TOKEN}-and-more`, 401],
    ['a token of the same length', `Bearer ${'x'.repeat(TOKEN.length)}`, 401],
    ['the token (then the router answers)', `Bearer ${TOKEN}`, 404],
  ])('%s -> %i', async (_, authorization, expected) => {
    expect(await status(authorization)).toBe(expected);
  });
});
