import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchTooLargeError,
  ConflictError,
  NotFoundError,
  SkyForgeClient,
  ValidationError,
  WaitTimeoutError,
  type JobView,
  type UntypedJobs,
} from '../../cli/client/index.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { rejection } from './support/rejection.ts';
import { closedPortUrl, route, scriptedFetch } from './support/scripted-fetch.ts';

/** Every method of SkyForgeClient against the real API of the local cloud, over HTTP. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FAST = { pollMs: 50, timeoutMs: 10_000 };

let cloud: LocalCloud;
let client: SkyForgeClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_CANCEL_POLL_MS: '100' } });
  client = new SkyForgeClient({ baseUrl: cloud.apiUrl });
});
afterAll(async () => cloud?.stop());

describe('jobs', () => {
  it('enqueues a job with an idempotency key of its own and waits for it to succeed', async () => {
    const job = await client.enqueue('demo.echo', { hello: 'world' });
    expect(job).toMatchObject({ type: 'demo.echo', status: 'QUEUED', payload: { hello: 'world' } });
    expect(job.idempotencyKey).toMatch(UUID);

    const done = await client.waitFor(job.id, FAST);
    expect(done).toMatchObject({ id: job.id, status: 'SUCCEEDED', result: { hello: 'world' }, attempts: 1 });
  });

  it('sends every option of the job body', async () => {
    const runAt = new Date(Date.now() + 3_600_000);
    const job = await client.enqueue(
      'demo.sleep',
      { ms: 10 },
      {
        priority: 'high',
        maxAttempts: 7,
        backoff: { type: 'fixed', delayMs: 500 },
        timeoutMs: 5_000,
        runAt,
        idempotencyKey: `options-${randomUUID()}`,
        metadata: { tenant: 'acme' },
      },
    );
    expect(job).toMatchObject({
      status: 'SCHEDULED',
      priority: 'high',
      maxAttempts: 7,
      backoff: { type: 'fixed', delayMs: 500 },
      timeoutMs: 5_000,
      runAt: runAt.toISOString(),
      metadata: { tenant: 'acme' },
    });
    expect(job.idempotencyKey).toMatch(/^options-/);
    await client.delete(job.id);
  });

  it('sends flowControl and reads the key back with flowControl(key); an unknown key is NotFoundError', async () => {
    const key = `client key/${randomUUID()}`;
    const job = await client.enqueue('demo.echo', { n: 1 }, { flowControl: { key, parallelism: 2, rate: 5 } });
    expect(job.flowControl).toEqual({ key, parallelism: 2, rate: 5, periodSeconds: 1 });
    expect(job.throttledUntil).toBeNull();
    await client.waitFor(job.id, FAST);

    expect(await client.flowControl(key)).toEqual({ key, parallelism: 2, rate: 5, periodSeconds: 1, running: 0, throttledTotal: 0 });
    expect(await rejection(client.flowControl(`missing-${randomUUID()}`))).toBeInstanceOf(NotFoundError);
  });

  it('continues the trace it is given: traceparent and tracestate go out as headers, and the job carries the trace id', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const job = await client.enqueue('demo.echo', { n: 1 }, { traceparent: `00-${traceId}-b7ad6b7169203331-01`, tracestate: 'vendor=1' });
    expect(job.traceId).toBe(traceId);
    const fresh = await client.enqueue('demo.echo', { n: 2 });
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.traceId).not.toBe(traceId);
  });

  it('resolves waitFor with a DEAD job rather than rejecting', async () => {
    const job = await client.enqueue('demo.fail', { permanent: true, message: 'invalid card' });
    const dead = await client.waitFor(job.id, FAST);
    expect(dead).toMatchObject({ status: 'DEAD', attempts: 1, lastError: { name: 'PermanentError', message: 'invalid card' } });
  });

  it('rejects waitFor with WaitTimeoutError carrying the last job seen, then cancels the running job', async () => {
    const job = await client.enqueue('demo.sleep', { ms: 20_000 });
    const started = Date.now();
    const error = await rejection(client.waitFor(job.id, { timeoutMs: 500, pollMs: 50 }));
    const elapsed = Date.now() - started;

    expect(error).toBeInstanceOf(WaitTimeoutError);
    const timeout = error as WaitTimeoutError;
    expect(timeout.name).toBe('WaitTimeoutError');
    expect(timeout.job?.id).toBe(job.id);
    expect(['QUEUED', 'RUNNING']).toContain(timeout.job?.status);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3_000);

    const cancelled = await client.cancel(job.id, 'no longer needed');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'no longer needed' });
    expect((await client.waitFor(job.id, FAST)).status).toBe('CANCELLED');
  });

  it('rejects waitFor with the signal’s reason on abort', async () => {
    const job = await client.enqueue('demo.echo', 'later', { delayMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('user pressed Ctrl-C');
    setTimeout(() => controller.abort(reason), 200);
    const started = Date.now();
    await expect(client.waitFor(job.id, { pollMs: 5_000, signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
    await client.delete(job.id);
  });

  it('rejects waitFor on a job that does not exist with NotFoundError', async () => {
    await expect(client.waitFor('no-such-job', FAST)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists jobs page by page: listPage follows cursors by hand, list iterates across pages', async () => {
    const created: JobView[] = [];
    for (let i = 0; i < 5; i += 1) created.push(await client.enqueue('demo.progress', { steps: 1, stepMs: 0 }));
    const ids = created.map((j) => j.id);

    const first = await client.listPage({ type: 'demo.progress', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await client.listPage({ type: 'demo.progress', limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.items.map((j) => j.id)).not.toContain(first.items[0]?.id);

    const counting = scriptedFetch();
    const listing = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: counting.fetch });
    const seen: JobView[] = [];
    for await (const job of listing.list({ type: 'demo.progress', pageSize: 2 })) seen.push(job);

    expect(seen.map((j) => j.id).sort()).toEqual([...ids].sort());
    // Newest first, as the API lists them.
    const createdAt = seen.map((j) => j.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());
    expect(counting.requests.map(route)).toEqual(['GET /jobs', 'GET /jobs', 'GET /jobs']);
    expect(counting.requests.map((r) => r.url.searchParams.get('limit'))).toEqual(['2', '2', '2']);
    expect(counting.requests[1]?.url.searchParams.get('cursor')).toEqual(expect.any(String));
  });

  it('cancels, retries, dead-letters and deletes', async () => {
    const delayed = await client.enqueue('demo.echo', { step: 'cancel' }, { delayMs: 60_000 });
    expect(delayed.status).toBe('SCHEDULED');

    expect(await client.cancel(delayed.id, 'changed my mind')).toMatchObject({ status: 'CANCELLED', cancelReason: 'changed my mind' });
    expect(await client.retry(delayed.id, { resetAttempts: true })).toMatchObject({ status: 'QUEUED', attempts: 0 });
    expect((await client.waitFor(delayed.id, FAST)).status).toBe('SUCCEEDED');

    await client.delete(delayed.id);
    await expect(client.get(delayed.id)).rejects.toBeInstanceOf(NotFoundError);

    const other = await client.enqueue('demo.echo', { step: 'dlq' }, { delayMs: 60_000 });
    expect(await client.deadLetter(other.id, 'by hand')).toMatchObject({ status: 'DEAD', deadReason: expect.stringContaining('by hand') });
    expect((await client.get(other.id)).status).toBe('DEAD');
  });

  it('enqueues a batch: one result per item, in order, a bad item beside good ones', async () => {
    const results = await client.enqueueBatch([
      { type: 'demo.echo', payload: { n: 1 } },
      { type: 'demo.sleep', payload: { ms: -5 } },
      { type: 'demo.echo', payload: { n: 3 }, options: { priority: 'low' } },
    ]);
    expect(results.map((r) => [r.index, r.status])).toEqual([
      [0, 201],
      [1, 400],
      [2, 201],
    ]);
    expect(results[1]?.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'payload.ms' } });
    expect(results[2]?.job).toMatchObject({ priority: 'low', payload: { n: 3 } });
    expect(results[0]?.job?.idempotencyKey).toMatch(UUID);
    expect(results[0]?.job?.idempotencyKey).not.toBe(results[2]?.job?.idempotencyKey);
    expect(await client.enqueueBatch([])).toEqual([]);
  });

  it('refuses a batch of more than 100 before sending anything', async () => {
    const counting = scriptedFetch();
    const batching = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: counting.fetch });
    const items = Array.from({ length: 101 }, (_, n) => ({ type: 'demo.echo' as const, payload: { n } }));
    const error = await rejection(batching.enqueueBatch(items));
    expect(error).toBeInstanceOf(BatchTooLargeError);
    expect(error).toMatchObject({ name: 'BatchTooLargeError', size: 101, limit: 100 });
    expect(counting.requests).toHaveLength(0);
    expect(await batching.enqueueBatch(items.slice(0, 100))).toHaveLength(100);
  });
});

describe('dead letters', () => {
  it('lists, gets and replays one dead job, then replays all of a type', async () => {
    const job = await client.enqueue('demo.fail', { permanent: true, message: 'dlq test' });
    expect((await client.waitFor(job.id, FAST)).status).toBe('DEAD');

    const dead = await client.dlq.get(job.id);
    expect(dead).toMatchObject({ id: job.id, status: 'DEAD', deadReason: expect.any(String) });

    const listed: JobView[] = [];
    for await (const entry of client.dlq.list({ type: 'demo.fail', pageSize: 1 })) listed.push(entry);
    expect(listed.map((j) => j.id)).toContain(job.id);
    expect(listed.every((j) => j.status === 'DEAD' && j.type === 'demo.fail')).toBe(true);
    const page = await client.dlq.listPage({ type: 'demo.fail', limit: 1 });
    expect(page.items).toHaveLength(1);

    expect(await client.dlq.replay(job.id)).toMatchObject({ id: job.id, status: 'QUEUED', attempts: 0 });
    expect((await client.waitFor(job.id, FAST)).history).toHaveLength(2);

    const { replayed } = await client.dlq.replayAll({ type: 'demo.fail' });
    expect(replayed).toBeGreaterThanOrEqual(1);
    // Replayed once more: a third attempt in its history once it is dead again.
    const again = await client.waitFor(job.id, FAST);
    expect(again.status).toBe('DEAD');
    expect(again.history).toHaveLength(3);
  });

  it('answers NotFoundError for a job that is not dead', async () => {
    const job = await client.enqueue('demo.echo', null, { delayMs: 60_000 });
    await expect(client.dlq.get(job.id)).rejects.toMatchObject({ name: 'NotFoundError', status: 404 });
    await client.delete(job.id);
  });
});

describe('schedules', () => {
  it('creates, reads, lists, updates, pauses, resumes, triggers and deletes a schedule', async () => {
    const name = `report-${randomUUID().slice(0, 8)}`;
    const created = await client.schedules.create({
      name,
      expression: 'cron(0 2 * * ? *)',
      timezone: 'Europe/Berlin',
      job: { type: 'demo.echo', payload: { report: 'nightly' }, priority: 'low' },
      description: 'nightly report',
    });
    expect(created).toMatchObject({ name, enabled: true, timezone: 'Europe/Berlin', job: { type: 'demo.echo' }, nextRunAt: expect.any(String) });

    expect(await client.schedules.get(name)).toMatchObject({ name, expression: 'cron(0 2 * * ? *)' });
    const names: string[] = [];
    for await (const schedule of client.schedules.list({ pageSize: 1 })) names.push(schedule.name);
    expect(names).toContain(name);

    const updated = await client.schedules.update(name, {
      expression: 'rate(5 minutes)',
      job: { type: 'demo.sleep', payload: { ms: 1 } },
      endDate: new Date(Date.now() + 86_400_000),
    });
    expect(updated).toMatchObject({ expression: 'rate(5 minutes)', timezone: 'UTC', description: null, job: { type: 'demo.sleep' } });
    expect(Date.parse(updated.nextRunAt ?? '') - Date.now()).toBeLessThanOrEqual(5 * 60_000);

    expect(await client.schedules.pause(name)).toMatchObject({ enabled: false, nextRunAt: null });
    expect(await client.schedules.resume(name)).toMatchObject({ enabled: true, nextRunAt: expect.any(String) });

    const fired = await client.schedules.trigger(name);
    expect(fired).toMatchObject({ scheduleName: name, type: 'demo.sleep' });
    expect((await client.waitFor(fired.id, FAST)).status).toBe('SUCCEEDED');

    await client.schedules.delete(name);
    await expect(client.schedules.get(name)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers ConflictError for a taken name and ValidationError naming the field for a bad expression', async () => {
    const name = `taken-${randomUUID().slice(0, 8)}`;
    const input = { name, expression: 'rate(1 hour)', job: { type: 'demo.echo' as const } };
    await client.schedules.create(input);
    await expect(client.schedules.create(input)).rejects.toMatchObject({ name: 'ConflictError', code: 'CONFLICT', status: 409 });

    const error = await rejection(client.schedules.create({ ...input, name: `${name}-2`, expression: 'cron(0 2 * * *)' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, details: { field: 'expression' } });
    await client.schedules.delete(name);
  });
});

describe('operations', () => {
  it('reads stats, health, readiness and metrics', async () => {
    const stats = await client.stats();
    expect(Object.keys(stats.queues).sort()).toEqual(['critical', 'high', 'low', 'normal']);
    expect(stats.queues.normal).toEqual({ ready: expect.any(Number), inFlight: expect.any(Number), delayed: expect.any(Number), deadLetters: expect.any(Number) });
    expect(stats.jobs.SUCCEEDED).toBeGreaterThanOrEqual(1);

    expect(await client.health()).toBe(true);
    expect(await client.ready()).toMatchObject({ ready: true, checks: { dynamodb: { ok: true }, sqs: { ok: true } } });

    const metrics = await client.metrics();
    expect(metrics).toMatch(/^# HELP skyforge_/m);
    expect(metrics).toMatch(/^skyforge_jobs_submitted_total\{/m);
  });

  it('answers health false when nothing listens', async () => {
    const down = new SkyForgeClient({ baseUrl: await closedPortUrl() });
    expect(await down.health()).toBe(false);
  });
});

describe('typed errors', () => {
  it('NotFoundError carries code, status and the request id that was sent', async () => {
    const recording = scriptedFetch();
    const traced = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: recording.fetch });
    const error = await rejection(traced.get('01NOSUCHJOB'));

    expect(error).toBeInstanceOf(NotFoundError);
    const notFound = error as NotFoundError;
    expect(notFound).toMatchObject({ name: 'NotFoundError', code: 'NOT_FOUND', status: 404, details: { id: '01NOSUCHJOB' } });
    const sent = recording.requests[0]?.headers.get('x-request-id');
    expect(sent).toMatch(UUID);
    expect(notFound.requestId).toBe(sent);
  });

  it('ValidationError names the field in details', async () => {
    const error = await rejection(client.enqueue('demo.echo', 1, { maxAttempts: 0 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ name: 'ValidationError', code: 'VALIDATION_ERROR', status: 400, details: { field: 'maxAttempts' } });

    const unknown = await rejection(new SkyForgeClient<UntypedJobs>({ baseUrl: cloud.apiUrl }).enqueue('no.such.type', {}));
    expect(unknown).toMatchObject({ name: 'ValidationError', code: 'UNKNOWN_JOB_TYPE' });
  });

  it('the same idempotency key replays the job for the same body and is ConflictError IDEMPOTENCY_KEY_REUSED for another', async () => {
    const idempotencyKey = `order-${randomUUID()}`;
    const first = await client.enqueue('demo.echo', { order: 42 }, { idempotencyKey, delayMs: 60_000 });
    const again = await client.enqueue('demo.echo', { order: 42 }, { idempotencyKey, delayMs: 60_000 });
    expect(again.id).toBe(first.id);

    const error = await rejection(client.enqueue('demo.echo', { order: 43 }, { idempotencyKey, delayMs: 60_000 }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409, details: { idempotencyKey, jobId: first.id } });
    expect((error as ConflictError).requestId).toMatch(UUID);
  });

  it('ConflictError INVALID_STATE carries the current status', async () => {
    const job = await client.enqueue('demo.echo', 'x');
    await client.waitFor(job.id, FAST);
    await expect(client.cancel(job.id)).rejects.toMatchObject({ name: 'ConflictError', code: 'INVALID_STATE', status: 409, details: { status: 'SUCCEEDED' } });
  });
});

describe('methods named after the operationIds', () => {
  it('getOpenApiDocument answers the served document, whose operationIds are all methods of the client', async () => {
    const document = (await client.getOpenApiDocument()) as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids = Object.values(document.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids).toContain('replayDeadLetterGroup');
    for (const id of ids) expect(typeof (client as unknown as Record<string, unknown>)[id], id).toBe('function');
  });

  it('listQueueJobs lists one priority queue', async () => {
    const job = await client.enqueue('demo.echo', 'queue', { priority: 'low', delayMs: 60_000 });
    const page = await client.listQueueJobs('low', { status: 'SCHEDULED', limit: 200 });
    expect(page.items.map((j) => j.id)).toContain(job.id);
    expect(page.items.every((j) => j.priority === 'low')).toBe(true);
  });

  it('getJob, listJobs, cancelJob, retryJob, deadLetterJob and deleteJob act as get, listPage, cancel, retry, deadLetter and delete', async () => {
    const job = await client.enqueue('demo.echo', 'alias', { delayMs: 60_000 });
    expect(await client.getJob(job.id)).toMatchObject({ id: job.id, status: 'SCHEDULED' });
    expect((await client.listJobs({ status: 'SCHEDULED', limit: 200 })).items.map((j) => j.id)).toContain(job.id);
    expect(await client.cancelJob(job.id, 'by alias')).toMatchObject({ status: 'CANCELLED', cancelReason: 'by alias' });
    expect(await client.retryJob(job.id)).toMatchObject({ status: 'QUEUED' });
    const other = await client.enqueue('demo.echo', 'alias', { delayMs: 60_000 });
    expect(await client.deadLetterJob(other.id, 'parked')).toMatchObject({ status: 'DEAD', deadReason: expect.stringContaining('parked') });
    expect(await client.getDeadLetter(other.id)).toMatchObject({ id: other.id, status: 'DEAD' });
    await client.deleteJob(other.id);
    await expect(client.getJob(other.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await client.getStats()).toMatchObject({ jobs: { CANCELLED: expect.any(Number) } });
  });
});
