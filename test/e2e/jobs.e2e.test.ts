import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { httpClient, type Json } from '../support/http-client.ts';

/**
 * The whole system over HTTP: the local cloud (dynalite, the SQS emulator, the real handlers,
 * the event source mappings) started in this process on free ports. With SKYFORGE_E2E_API_URL
 * set, the same tests run against that deployment instead (LocalStack, or an API without IAM
 * auth), e.g. `SKYFORGE_E2E_API_URL=http://<api-id>.execute-api.localhost.localstack.cloud:4566 npx vitest run test/e2e/jobs`.
 */
const externalApi = process.env.SKYFORGE_E2E_API_URL;

describe('jobs end to end', () => {
  let cloud: LocalCloud | undefined;
  let http: ReturnType<typeof httpClient>;

  beforeAll(async () => {
    if (externalApi) {
      http = httpClient(externalApi.replace(/\/+$/, ''));
      return;
    }
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_CANCEL_POLL_MS: '100' } });
    http = httpClient(cloud.apiUrl);
  });
  afterAll(async () => cloud?.stop());

  const submit = async (body: Json) => {
    const res = await http.post('/jobs', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  it('runs a demo.echo job to SUCCEEDED', async () => {
    const started = Date.now();
    const job = await submit({ type: 'demo.echo', payload: { hello: 'world' } });
    const done = await http.waitFor(job.id, ['SUCCEEDED'], 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', result: { hello: 'world' }, attempts: 1 });
  });

  it('retries a failing job until it succeeds', async () => {
    const job = await submit({ type: 'demo.fail', payload: { failTimes: 2 }, backoff: { type: 'fixed', delayMs: 200 } });
    const done = await http.waitFor(job.id, ['SUCCEEDED'], 10_000);
    expect(done.attempts).toBe(3);
    expect(done.history.map((a: Json) => a.outcome)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    expect(done.lastError).toMatchObject({ message: 'boom', name: 'Error' });
  });

  it('dead-letters a job whose retries run out, and replays it', async () => {
    const job = await submit({ type: 'demo.fail', maxAttempts: 2, backoff: { type: 'fixed', delayMs: 100 } });
    const dead = await http.waitFor(job.id, ['DEAD'], 10_000);
    expect(dead.attempts).toBe(2);
    const listed = await http.get('/dlq?type=demo.fail&limit=200');
    const entry = listed.body.items.find((j: Json) => j.id === job.id);
    expect(entry.deadReason).toMatch(/failed on attempt 2 of 2/);
    const replayed = await http.post(`/dlq/${job.id}/replay`);
    expect(replayed.body).toMatchObject({ status: 'QUEUED', attempts: 0 });
    const deadAgain = await http.waitFor(job.id, ['DEAD'], 10_000);
    expect(deadAgain.history.length).toBe(4);
  });

  it('sends a permanent error to DEAD at once', async () => {
    const job = await submit({ type: 'demo.fail', payload: { permanent: true, message: 'invalid card' }, maxAttempts: 5 });
    const dead = await http.waitFor(job.id, ['DEAD']);
    expect(dead).toMatchObject({ attempts: 1, lastError: { name: 'PermanentError', message: 'invalid card' } });
  });

  it('times out an attempt that runs too long', async () => {
    const job = await submit({ type: 'demo.sleep', payload: { ms: 5_000 }, timeoutMs: 300, maxAttempts: 1 });
    const dead = await http.waitFor(job.id, ['DEAD'], 5_000);
    expect(dead.lastError.name).toBe('JobTimeoutError');
    expect(dead.history[0].outcome).toBe('DEAD');
  });

  it('cancels a delayed job before it runs', async () => {
    const job = await submit({ type: 'demo.echo', delayMs: 2_000 });
    expect(job.status).toBe('SCHEDULED');
    const cancelled = await http.post(`/jobs/${job.id}/cancel`, { reason: 'no longer needed' });
    expect(cancelled.body.status).toBe('CANCELLED');
    // Fixed wait on purpose: proves that the cancelled job does not run when its 2 s delay is over (within 2,500 ms).
    await new Promise((r) => setTimeout(r, 2_500));
    const after = await http.get(`/jobs/${job.id}`);
    expect(after.body).toMatchObject({ status: 'CANCELLED', attempts: 0 });
  });

  it('runs a job with delayMs after about that long', async () => {
    const job = await submit({ type: 'demo.echo', delayMs: 1_500 });
    const done = await http.waitFor(job.id, ['SUCCEEDED'], 6_000);
    const waited = Date.parse(done.startedAt) - Date.parse(done.createdAt);
    expect(waited).toBeGreaterThanOrEqual(1_500);
    expect(waited).toBeLessThan(4_000);
  });

  it('cancels a running job: its AbortSignal fires and it ends CANCELLED', async () => {
    const job = await submit({ type: 'demo.sleep', payload: { ms: 20_000 } });
    await http.waitFor(job.id, ['RUNNING']);
    const cancelled = await http.post(`/jobs/${job.id}/cancel`);
    expect(cancelled.body.status).toBe('CANCELLED');
    // The attempt is recorded once the handler has stopped on its signal.
    const stored = await vi.waitFor(
      async () => {
        const body = (await http.get(`/jobs/${job.id}`)).body;
        if (body.history.length === 0) throw new Error(`no attempt recorded yet: ${JSON.stringify(body)}`);
        return body;
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(stored.history).toEqual([expect.objectContaining({ attempt: 1, outcome: 'CANCELLED' })]);
    expect(stored.status).toBe('CANCELLED');
  });

  it('deletes a job, and its pending message is dropped', async () => {
    const job = await submit({ type: 'demo.echo', delayMs: 1_000 });
    expect((await http.del(`/jobs/${job.id}`)).status).toBe(204);
    expect((await http.get(`/jobs/${job.id}`)).status).toBe(404);
    // Fixed wait on purpose: proves that the job does not come back when its message (due after 1 s) arrives, within 1,800 ms.
    await new Promise((r) => setTimeout(r, 1_800));
    expect((await http.get(`/jobs/${job.id}`)).status).toBe(404);
  });

  it('holds an idempotency key under 20 concurrent submissions over HTTP', async () => {
    const body = { type: 'demo.echo', payload: { order: 7 }, idempotencyKey: `e2e-${Date.now()}` };
    const results = await Promise.all(Array.from({ length: 20 }, () => http.post('/jobs', body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const replays = results.filter((r) => r.status === 200);
    expect(replays).toHaveLength(19);
    expect(replays.every((r) => r.headers.get('idempotent-replayed') === 'true')).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const done = await http.waitFor(results[0]!.body.id, ['SUCCEEDED']);
    expect(done.attempts).toBe(1);
  });

  it('submits a batch and pages through the listing', async () => {
    const type = 'demo.progress';
    const res = await http.post('/jobs/batch', {
      jobs: Array.from({ length: 25 }, (_, i) => ({ type, payload: { steps: 1, stepMs: 0 }, metadata: { i } })),
    });
    expect(res.status).toBe(200);
    expect(res.body.results.every((r: Json) => r.status === 201)).toBe(true);
    const ids = res.body.results.map((r: Json) => r.job.id as string);
    await Promise.all(ids.map((id: string) => http.waitFor(id, ['SUCCEEDED'])));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await http.get(`/jobs?type=${type}&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.body.items.map((j: Json) => j.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
    const succeeded = await http.get(`/jobs?status=SUCCEEDED&type=${type}&limit=200`);
    expect(succeeded.body.items).toHaveLength(25);
    expect(succeeded.body.items[0].progress).toBe(100);
  });

  it.each([
    ['INVALID_JSON', 400, () => http.request('POST', '/jobs', '{oops')],
    ['UNSUPPORTED_MEDIA_TYPE', 415, () => http.request('POST', '/jobs', 'x', { 'content-type': 'text/plain' })],
    ['VALIDATION_ERROR', 400, () => http.post('/jobs', { type: 'demo.echo', priority: 'urgent' })],
    ['UNKNOWN_JOB_TYPE', 400, () => http.post('/jobs', { type: 'email.send' })],
    ['NOT_FOUND', 404, () => http.get('/jobs/00000000000000000000000000')],
    ['NOT_FOUND', 404, () => http.get('/no/such/route')],
    ['PAYLOAD_TOO_LARGE', 413, () => http.post('/jobs', { type: 'demo.echo', payload: 'x'.repeat(270_000) })],
  ] as const)('answers %s (%i) in the error shape', async (code, status, send) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
    expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
  });

  it('answers INVALID_STATE and IDEMPOTENCY_KEY_REUSED', async () => {
    const job = await submit({ type: 'demo.echo' });
    await http.waitFor(job.id, ['SUCCEEDED']);
    const cancel = await http.post(`/jobs/${job.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ code: 'INVALID_STATE', details: { status: 'SUCCEEDED' } });
    const key = `reuse-${Date.now()}`;
    await submit({ type: 'demo.echo', payload: 1, idempotencyKey: key });
    const reused = await http.post('/jobs', { type: 'demo.echo', payload: 2, idempotencyKey: key });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('reports stats and readiness', async () => {
    const stats = await http.get('/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.queues.normal).toEqual({ ready: expect.any(Number), inFlight: expect.any(Number), delayed: expect.any(Number), deadLetters: expect.any(Number) });
    expect(stats.body.jobs.SUCCEEDED).toBeGreaterThan(0);
    expect((await http.get('/readyz')).body.ready).toBe(true);
    expect((await http.get('/healthz')).status).toBe(200);
  });
});
