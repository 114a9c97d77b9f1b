import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError, RateLimitedError, ServerError, SkyForgeClient, UnauthorizedError, type JobView } from '../../cli/client/index.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { closedPortUrl, fetchFailed, gatewayResponse, jsonResponse, route, scriptedFetch, type RecordedRequest } from './support/scripted-fetch.ts';

/**
 * The retry rules against the real API, with a fetch that misbehaves on purpose (the client
 * itself is not mocked): what is retried, what is not, and that a retried submit makes one job.
 */

let cloud: LocalCloud;
let plain: SkyForgeClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true });
  plain = new SkyForgeClient({ baseUrl: cloud.apiUrl });
});
afterAll(async () => cloud?.stop());

/** Fails the first `n` requests matching `matches` with `step`, forwards everything else. */
function failFirst(n: number, matches: (r: RecordedRequest) => boolean, step: 'lost-503' | '503' | '500') {
  let failed = 0;
  return scriptedFetch((request) => {
    if (!matches(request) || failed >= n) return 'forward';
    failed += 1;
    if (step === 'lost-503') return { forwardThenRespond: () => gatewayResponse(503, 'Service Unavailable') };
    if (step === '500') return { respond: () => jsonResponse(500, { code: 'INTERNAL', message: 'internal error', details: {}, requestId: 'r' }) };
    return { respond: () => gatewayResponse(503, 'Service Unavailable') };
  });
}

const is = (method: string, path: RegExp) => (r: RecordedRequest) => r.method === method && path.test(r.url.pathname);

async function jobsWithMarker(marker: string): Promise<JobView[]> {
  const found: JobView[] = [];
  for await (const job of plain.list({ type: 'demo.echo', pageSize: 200 })) {
    if ((job.payload as { marker?: string } | null)?.marker === marker) found.push(job);
  }
  return found;
}

describe('on 502/503/504', () => {
  it('retries a GET until it succeeds', async () => {
    const job = await plain.enqueue('demo.echo', { marker: randomUUID() });
    const flaky = failFirst(2, is('GET', /^\/jobs\//), '503');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    expect((await client.get(job.id)).id).toBe(job.id);
    expect(flaky.requests.map(route)).toEqual([`GET /jobs/${job.id}`, `GET /jobs/${job.id}`, `GET /jobs/${job.id}`]);
  });

  it('gives up after `retries` retries with ServerError', async () => {
    const flaky = failFirst(10, is('GET', /^\/stats$/), '503');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch, retries: 2 });

    await expect(client.stats()).rejects.toMatchObject({ name: 'ServerError', code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(flaky.requests).toHaveLength(3);
  });

  it('retries POST /jobs with the same idempotency key: one job, even when the lost answer followed a created job', async () => {
    const marker = randomUUID();
    const flaky = failFirst(2, is('POST', /^\/jobs$/), 'lost-503');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    const job = await client.enqueue('demo.echo', { marker });

    const bodies = flaky.requests.map((r) => JSON.parse(r.body ?? '{}') as { idempotencyKey?: string });
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies.map((b) => b.idempotencyKey)).size).toBe(1);
    expect(job.idempotencyKey).toBe(bodies[0]?.idempotencyKey);
    expect((await jobsWithMarker(marker)).map((j) => j.id)).toEqual([job.id]);
  });

  it('retries POST /jobs/batch with the same key per item: one job per item', async () => {
    const markers = [randomUUID(), randomUUID()];
    const flaky = failFirst(1, is('POST', /^\/jobs\/batch$/), 'lost-503');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    const results = await client.enqueueBatch(markers.map((marker) => ({ type: 'demo.echo' as const, payload: { marker } })));

    expect(results.map((r) => r.status)).toEqual([200, 200]); // the retry found the jobs the first attempt made
    const sent = flaky.requests.map((r) => (JSON.parse(r.body ?? '{}') as { jobs: Array<{ idempotencyKey: string }> }).jobs.map((j) => j.idempotencyKey));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(new Set(sent[0]).size).toBe(2);
    for (const marker of markers) expect(await jobsWithMarker(marker)).toHaveLength(1);
  });

  it('does not retry POST /jobs/{id}/cancel on 503: it could apply twice', async () => {
    const job = await plain.enqueue('demo.echo', { marker: randomUUID() }, { delayMs: 60_000 });
    const flaky = failFirst(1, is('POST', /\/cancel$/), '503');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    await expect(client.cancel(job.id)).rejects.toBeInstanceOf(ServerError);
    expect(flaky.requests.map(route)).toEqual([`POST /jobs/${job.id}/cancel`]);
    expect((await plain.get(job.id)).status).toBe('SCHEDULED');
    await plain.delete(job.id);
  });

  it('counts a retried DELETE that finds the job gone as done', async () => {
    const job = await plain.enqueue('demo.echo', { marker: randomUUID() }, { delayMs: 60_000 });
    const flaky = failFirst(1, is('DELETE', /^\/jobs\//), 'lost-503');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    await client.delete(job.id);
    expect(flaky.requests.map(route)).toEqual([`DELETE /jobs/${job.id}`, `DELETE /jobs/${job.id}`]);
    // Without a lost answer before it, a 404 is the caller's error.
    await expect(plain.delete(job.id)).rejects.toMatchObject({ name: 'NotFoundError', status: 404 });
  });

  it('never retries a 500: the API failed, the gateway did not', async () => {
    const flaky = failFirst(1, is('GET', /^\/stats$/), '500');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    await expect(client.stats()).rejects.toMatchObject({ name: 'ServerError', code: 'INTERNAL', status: 500 });
    expect(flaky.requests).toHaveLength(1);
  });
});

describe('on 429', () => {
  it('waits as long as Retry-After says, then retries', async () => {
    let throttled = 0;
    const flaky = scriptedFetch(() => (throttled++ === 0 ? { respond: () => gatewayResponse(429, 'Too Many Requests', { 'retry-after': '1' }) } : 'forward'));
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    const started = Date.now();
    expect(await client.stats()).toHaveProperty('queues');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(flaky.requests).toHaveLength(2);
  });

  it('retries a POST that is not idempotent: the limiter refused it before it ran', async () => {
    const job = await plain.enqueue('demo.echo', { marker: randomUUID() }, { delayMs: 60_000 });
    let throttled = 0;
    const flaky = scriptedFetch(() => (throttled++ === 0 ? { respond: () => gatewayResponse(429, 'Too Many Requests') } : 'forward'));
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });

    expect((await client.cancel(job.id)).status).toBe('CANCELLED');
    expect(flaky.requests.map(route)).toEqual([`POST /jobs/${job.id}/cancel`, `POST /jobs/${job.id}/cancel`]);
  });

  it('reports RateLimitedError with retryAfterMs once retries run out', async () => {
    const flaky = scriptedFetch(() => ({ respond: () => gatewayResponse(429, 'Too Many Requests', { 'retry-after': '2' }) }));
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch, retries: 0 });

    const error = await client.stats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ name: 'RateLimitedError', code: 'RATE_LIMITED', status: 429, retryAfterMs: 2_000, message: 'Too Many Requests' });
  });
});

describe('without an answer', () => {
  it('retries even a POST that is not idempotent when the connection was refused (nothing was sent)', async () => {
    const counting = scriptedFetch();
    const client = new SkyForgeClient({ baseUrl: await closedPortUrl(), fetch: counting.fetch, retries: 2 });

    const error = await client.cancel('01ANYJOB').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ name: 'NetworkError', timedOut: false, message: expect.stringContaining('ECONNREFUSED') });
    expect(counting.requests).toHaveLength(3);
  });

  it('does not retry a POST that is not idempotent after a reset (it may have been applied), but does retry a GET', async () => {
    const resetting = scriptedFetch(() => ({ throw: () => fetchFailed('ECONNRESET') }));
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: resetting.fetch, retries: 2 });

    await expect(client.cancel('01ANYJOB')).rejects.toBeInstanceOf(NetworkError);
    expect(resetting.requests).toHaveLength(1);
    await expect(client.get('01ANYJOB')).rejects.toBeInstanceOf(NetworkError);
    expect(resetting.requests).toHaveLength(4);
  });

  it('ends an attempt after timeoutMs with NetworkError (timedOut)', async () => {
    const hanging = scriptedFetch(() => 'hang');
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: hanging.fetch, timeoutMs: 200, retries: 0 });

    const started = Date.now();
    const error = await client.stats().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NetworkError', timedOut: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('gateway answers without an API code', () => {
  it("maps API Gateway's 403 Forbidden to UnauthorizedError", async () => {
    const denying = scriptedFetch(() => ({ respond: () => gatewayResponse(403, 'Forbidden', { 'apigw-requestid': 'abc=' }) }));
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: denying.fetch });

    const error = await client.get('01ANYJOB').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ name: 'UnauthorizedError', code: 'FORBIDDEN', status: 403, message: 'Forbidden' });
    expect(denying.requests).toHaveLength(1);
  });

  it('reads a 503 from /readyz with checks as not ready, and a bare gateway 503 as ServerError', async () => {
    const notReady = { ready: false, checks: { dynamodb: { ok: false, error: 'no answer within 3000 ms', ms: 3000 }, sqs: { ok: true, ms: 4 } } };
    const answering = scriptedFetch(() => ({ respond: () => jsonResponse(503, notReady) }));
    expect(await new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: answering.fetch }).ready()).toEqual(notReady);
    expect(answering.requests).toHaveLength(1);

    const gateway = scriptedFetch(() => ({ respond: () => gatewayResponse(503, 'Service Unavailable') }));
    await expect(new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: gateway.fetch }).ready()).rejects.toMatchObject({
      name: 'ServerError',
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
    });
  });
});
