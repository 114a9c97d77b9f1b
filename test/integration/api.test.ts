import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.ts';
import { createWorkerApp } from '../../functions/worker/app.ts';
import { encodeJobMessage } from '../../shared/domain/queue-message.ts';
import { jobIdForIdempotencyKey } from '../../shared/use-cases/body-hash.ts';
import { apiEvent } from '../support/api-event.ts';
import { createHarness, queueArn, TEST_QUEUE_URLS, type Harness } from '../support/harness.ts';
import type { Context } from 'aws-lambda';

/** The api function's contract (API.md), one route at a time, with dynalite behind it. */

import type { Json } from '../support/http-client.ts';
import {
  batchResponseSchema,
  errorBodySchema,
  jobPageSchema,
  jobViewSchema,
  readinessSchema,
  statsSchema,
} from '../../shared/http/response-schemas.ts';

describe('api', () => {
  let h: Harness;
  let api: ReturnType<typeof createApiApp>;
  let worker: ReturnType<typeof createWorkerApp>;

  beforeAll(async () => {
    h = await createHarness();
    api = createApiApp(h.deps);
    worker = createWorkerApp(h.deps, { queueUrls: TEST_QUEUE_URLS });
  });
  afterAll(async () => h.stop());

  async function call(method: string, path: string, options?: Parameters<typeof apiEvent>[2]) {
    const result = await api(apiEvent(method, path, options));
    const body = result.body ? (JSON.parse(result.body) as Json) : undefined;
    return { status: result.statusCode ?? 200, headers: result.headers ?? {}, body: body as Json };
  }
  /** Delivers the messages the API sent, as the SQS event source mapping would. */
  async function drain() {
    const messages = h.queue.sent.splice(0);
    if (messages.length === 0) return;
    await worker(
      {
        Records: messages.map((m, i) => ({
          messageId: `m${i}-${m.jobId}`,
          receiptHandle: `rh${i}`,
          body: encodeJobMessage(m.jobId),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 't', ApproximateFirstReceiveTimestamp: '0' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn(m.priority),
          awsRegion: 'us-east-1',
        })),
      },
      {} as Context,
    );
  }
  function expectError(res: { status: number; body: Json; headers: Record<string, unknown> }, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, message: expect.any(String), details: expect.any(Object), requestId: expect.any(String) });
    expect(res.headers['X-Request-ID']).toBe(res.body.requestId);
  }

  describe('POST /jobs', () => {
    it('creates a job with the documented defaults', async () => {
      const res = await call('POST', '/jobs', { body: { type: 'demo.echo', payload: { to: 'a@b.com' } } });
      expect(res.status).toBe(201);
      expect(res.headers.Location).toBe(`/jobs/${res.body.id}`);
      expect(res.body).toMatchObject({
        type: 'demo.echo',
        payload: { to: 'a@b.com' },
        priority: 'normal',
        status: 'QUEUED',
        attempts: 0,
        maxAttempts: 3,
        backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 300000, jitter: false },
        timeoutMs: 30000,
        runAt: null,
        nextRunAt: null,
        result: null,
        progress: null,
        lastError: null,
        idempotencyKey: null,
        metadata: {},
        scheduleName: null,
        history: [],
      });
      expect(res.body).not.toHaveProperty('leaseToken');
      expect(res.body).not.toHaveProperty('bodyHash');
      // The job continues the request's trace: its message carries the request's span as parent.
      expect(res.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(res.body.traceId).toBe(String(res.headers.traceparent).slice(3, 35));
      expect(h.queue.sent.at(-1)).toEqual({ jobId: res.body.id, priority: 'normal', delaySeconds: 0, timeoutMs: 30_000, traceparent: res.headers.traceparent });
    });

    it('echoes X-Request-ID, or makes one', async () => {
      const echoed = await call('GET', '/healthz', { headers: { 'X-Request-ID': 'trace-123' } });
      expect(echoed.headers['X-Request-ID']).toBe('trace-123');
      const made = await call('GET', '/healthz');
      expect(made.headers['X-Request-ID']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('routes a delayed job through SQS DelaySeconds and shows it SCHEDULED', async () => {
      const res = await call('POST', '/jobs', { body: { type: 'demo.echo', delayMs: 61_500, priority: 'low' } });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('SCHEDULED');
      expect(Date.parse(res.body.runAt) - Date.parse(res.body.createdAt)).toBe(61_500);
      expect(h.queue.sent.at(-1)).toEqual({ jobId: res.body.id, priority: 'low', delaySeconds: 62, timeoutMs: 30_000, traceparent: res.headers.traceparent });
    });

    it('holds a job due beyond 15 minutes in a one-time schedule instead of an SQS delay', async () => {
      const sentBefore = h.queue.sent.length;
      const res = await call('POST', '/jobs', { body: { type: 'demo.echo', delayMs: 2 * 3600_000, priority: 'high' } });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('SCHEDULED');
      expect(h.queue.sent.length).toBe(sentBefore);
      const schedule = h.scheduler.oneTime.get(`job.${res.body.id}.0`);
      expect(schedule).toEqual({ jobId: res.body.id, priority: 'high', dueAt: Date.parse(res.body.runAt), timeoutMs: 30_000 });
      const cancelled = await call('POST', `/jobs/${res.body.id}/cancel`);
      expect(cancelled.body.status).toBe('CANCELLED');
      expect(h.scheduler.removed).toContain(`job.${res.body.id}.0`);
      expect(h.scheduler.oneTime.has(`job.${res.body.id}.0`)).toBe(false);
    });

    it('marks a job DEAD and answers 500 when its schedule cannot be created for good', async () => {
      const id = '01KFAILSCHEDULE00000000000';
      h.scheduler.failPermanentlyFor.add(`job.${id}.0`);
      const original = h.deps.newId;
      h.deps.newId = () => id;
      try {
        const res = await call('POST', '/jobs', { body: { type: 'demo.echo', delayMs: 3600_000 } });
        expectError(res, 500, 'INTERNAL');
        expect(res.body.details.jobId).toBe(id);
      } finally {
        h.deps.newId = original;
      }
      const dead = await call('GET', `/dlq/${id}`);
      expect(dead.body.deadReason).toMatch(/could not be scheduled \(ResourceNotFoundException/);
      expect(dead.body.nextRunAt).toBeNull();
    });

    it('answers 503 with Retry-After when a schedule is throttled, and takes back a job without a key', async () => {
      const id = '01KTHROTTLEDSCHEDULE000000';
      h.scheduler.failFor.add(`job.${id}.0`);
      const original = h.deps.newId;
      h.deps.newId = () => id;
      try {
        const res = await call('POST', '/jobs', { body: { type: 'demo.echo', delayMs: 3600_000 } });
        expectError(res, 503, 'UNAVAILABLE');
        expect(res.headers['Retry-After']).toBe('1');
      } finally {
        h.deps.newId = original;
      }
      // Nothing was created: the client's retry makes the only job.
      expectError(await call('GET', `/jobs/${id}`), 404, 'NOT_FOUND');
    });

    it('keeps a keyed job whose message could not be sent yet, and its retry with the key sends it', async () => {
      const body = { type: 'demo.echo', payload: { n: 1 }, idempotencyKey: 'throttled-send-1' };
      h.queue.sent.length = 0;
      // Fail the next send of the id the key derives.
      const id = jobIdForIdempotencyKey(body.idempotencyKey);
      h.queue.failFor.add(id);
      const refused = await call('POST', '/jobs', { body });
      expectError(refused, 503, 'UNAVAILABLE');
      expect(refused.headers['Retry-After']).toBe('1');
      expect(refused.body.details.jobId).toBe(id);
      expect(h.queue.sent).toEqual([]);
      const stored = await call('GET', `/jobs/${id}`);
      expect(stored.body.status).toBe('QUEUED');

      // The retry, a second later: 200 with the same job, and its message goes out now.
      const later = Date.parse(stored.body.updatedAt) + 1500;
      const clock = h.deps.clock;
      h.deps.clock = { now: () => later };
      try {
        const retried = await call('POST', '/jobs', { body });
        expect(retried.status).toBe(200);
        expect(retried.body.id).toBe(id);
      } finally {
        h.deps.clock = clock;
      }
      // The resend carries the trace of the request that stored the job, not the retry's.
      expect(h.queue.sent).toEqual([{ jobId: id, priority: 'normal', delaySeconds: 0, timeoutMs: 30_000, traceparent: refused.headers.traceparent }]);
    });

    it.each([
      ['INVALID_JSON', 400, { rawBody: '{"type":', headers: { 'content-type': 'application/json' } }],
      ['UNSUPPORTED_MEDIA_TYPE', 415, { rawBody: 'type=demo.echo', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      ['VALIDATION_ERROR', 400, { body: { type: 'demo.echo', maxAttempts: 0 } }],
      ['VALIDATION_ERROR', 400, { body: { type: 'demo.echo', priorty: 'high' } }],
      ['VALIDATION_ERROR', 400, { body: { payload: {} } }],
      ['VALIDATION_ERROR', 400, { body: { type: 'demo.sleep', payload: { ms: 'long' } } }],
      ['VALIDATION_ERROR', 400, { body: { type: 'demo.echo', timeoutMs: 899_000 } }],
      ['UNKNOWN_JOB_TYPE', 400, { body: { type: 'email.send' } }],
      ['PAYLOAD_TOO_LARGE', 413, { body: { type: 'demo.echo', payload: 'x'.repeat(300_000) } }],
    ] as const)('answers %s (%i) and creates nothing', async (code, status, options) => {
      const before = h.queue.sent.length;
      const res = await call('POST', '/jobs', options);
      expectError(res, status, code);
      expect(h.queue.sent.length).toBe(before);
    });

    it('names the field in a validation error', async () => {
      const res = await call('POST', '/jobs', { body: { type: 'demo.echo', maxAttempts: 101 } });
      expect(res.body.message).toBe('maxAttempts must be between 1 and 100');
      expect(res.body.details.field).toBe('maxAttempts');
      const unknown = await call('POST', '/jobs', { body: { type: 'demo.echo', priorty: 'high' } });
      expect(unknown.body.message).toMatch(/priorty/);
      const payload = await call('POST', '/jobs', { body: { type: 'demo.sleep', payload: { ms: 'long' } } });
      expect(payload.body.details.field).toBe('payload.ms');
      const limit = await call('POST', '/jobs', { body: { type: 'demo.echo', payload: 'x'.repeat(300_000) } });
      expect(limit.body.details).toMatchObject({ limitBytes: 262144 });
    });

    it('replays an idempotent submit with 200 and Idempotent-Replayed, refuses a reused key', async () => {
      const body = { type: 'demo.echo', payload: { n: 1 }, idempotencyKey: 'api-key-1' };
      const first = await call('POST', '/jobs', { body });
      const second = await call('POST', '/jobs', { body });
      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.headers['Idempotent-Replayed']).toBe('true');
      expect(second.body.id).toBe(first.body.id);
      const reused = await call('POST', '/jobs', { body: { ...body, payload: { n: 2 } } });
      expectError(reused, 409, 'IDEMPOTENCY_KEY_REUSED');
      expect(reused.body.details.jobId).toBe(first.body.id);
    });

    it('answers 401 without the configured token, except on /healthz', async () => {
      const guarded = createApiApp(h.deps, { apiToken: 'a-very-secret-token-123' });
      const denied = await guarded(apiEvent('GET', '/stats'));
      expect(denied.statusCode).toBe(401);
      expect(JSON.parse(denied.body as string).code).toBe('UNAUTHORIZED');
      const wrong = await guarded(apiEvent('GET', '/stats', { headers: { authorization: 'Bearer nope' } }));
      expect(wrong.statusCode).toBe(401);
      const allowed = await guarded(apiEvent('GET', '/stats', { headers: { authorization: 'Bearer a-very-secret-token-123' } }));
      expect(allowed.statusCode).toBe(200);
      expect((await guarded(apiEvent('GET', '/healthz'))).statusCode).toBe(200);
    });
  });

  describe('POST /jobs/batch', () => {
    it('creates the good items and reports each bad one in place', async () => {
      const res = await call('POST', '/jobs/batch', {
        body: {
          jobs: [
            { type: 'demo.echo', payload: 1 },
            { type: 'nope' },
            { type: 'demo.echo', maxAttempts: 0 },
            'not an object',
            { type: 'demo.echo', priority: 'critical' },
          ],
        },
      });
      expect(res.status).toBe(200);
      const results = res.body.results as Json[];
      expect(results.map((r) => [r.index, r.status])).toEqual([
        [0, 201],
        [1, 400],
        [2, 400],
        [3, 400],
        [4, 201],
      ]);
      expect(results[1]?.error.code).toBe('UNKNOWN_JOB_TYPE');
      expect(results[2]?.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'jobs.2.maxAttempts' } });
      expect(results[4]?.job.priority).toBe('critical');
    });

    it('refuses more than 100 jobs and an empty list', async () => {
      expectError(await call('POST', '/jobs/batch', { body: { jobs: Array.from({ length: 101 }, () => ({ type: 'demo.echo' })) } }), 400, 'VALIDATION_ERROR');
      expectError(await call('POST', '/jobs/batch', { body: { jobs: [] } }), 400, 'VALIDATION_ERROR');
    });
  });

  describe('job lifecycle routes', () => {
    it('GET /jobs/{id} shows a finished job with its history; unknown ids are 404', async () => {
      const created = await call('POST', '/jobs', { body: { type: 'demo.echo', payload: { x: 1 } } });
      await drain();
      const res = await call('GET', `/jobs/${created.body.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'SUCCEEDED', attempts: 1, result: { x: 1 }, history: [{ attempt: 1, outcome: 'SUCCEEDED', error: null }] });
      expect(res.body.startedAt).toEqual(expect.any(String));
      expect(res.body.finishedAt).toEqual(expect.any(String));
      expectError(await call('GET', '/jobs/01HZZZZZZZZZZZZZZZZZZZZZZZ'), 404, 'NOT_FOUND');
      expectError(await call('GET', '/jobs/bad%20id!'), 404, 'NOT_FOUND');
    });

    it('cancel, retry, dlq and delete follow the lifecycle table', async () => {
      const created = await call('POST', '/jobs', { body: { type: 'demo.echo', delayMs: 60_000 } });
      const id = created.body.id as string;
      const cancelled = await call('POST', `/jobs/${id}/cancel`, { body: { reason: 'not needed' } });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'not needed' });
      const again = await call('POST', `/jobs/${id}/cancel`);
      expectError(again, 409, 'INVALID_STATE');
      expect(again.body.details.status).toBe('CANCELLED');

      const retried = await call('POST', `/jobs/${id}/retry`, { body: { resetAttempts: true } });
      expect(retried.body).toMatchObject({ status: 'QUEUED', cancelReason: null });
      const dead = await call('POST', `/jobs/${id}/dlq`, { body: { reason: 'poison' } });
      expect(dead.body).toMatchObject({ status: 'DEAD' });
      expect(dead.body.deadReason).toMatch(/poison/);
      expect((await call('DELETE', `/jobs/${id}`)).status).toBe(204);
      expectError(await call('GET', `/jobs/${id}`), 404, 'NOT_FOUND');
      expectError(await call('DELETE', `/jobs/${id}`), 404, 'NOT_FOUND');
    });

    it('refuses to retry a job that is not DEAD or CANCELLED, and to delete a RUNNING one', async () => {
      const created = await call('POST', '/jobs', { body: { type: 'demo.echo' } });
      const id = created.body.id as string;
      const retry = await call('POST', `/jobs/${id}/retry`);
      expectError(retry, 409, 'INVALID_STATE');
      expect(retry.body.details.status).toBe('QUEUED');
      await h.deps.store.transition(id, { event: 'CLAIM', newLease: { token: 't', graceMs: 60_000 } }, Date.now());
      expectError(await call('DELETE', `/jobs/${id}`), 409, 'INVALID_STATE');
    });

    it('refuses unknown fields in action bodies', async () => {
      const created = await call('POST', '/jobs', { body: { type: 'demo.echo' } });
      expectError(await call('POST', `/jobs/${created.body.id}/cancel`, { body: { reson: 'typo' } }), 400, 'VALIDATION_ERROR');
    });
  });

  describe('listing', () => {
    it('GET /jobs filters and pages; limit is clamped and checked', async () => {
      for (let i = 0; i < 5; i += 1) await call('POST', '/jobs', { body: { type: 'demo.sleep', priority: 'high', payload: { ms: 1 } } });
      const first = await call('GET', '/jobs?type=demo.sleep&limit=3');
      expect(first.body.items).toHaveLength(3);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await call('GET', `/jobs?type=demo.sleep&limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(second.body.items).toHaveLength(2);
      expect(second.body.nextCursor).toBeNull();
      const ids = [...first.body.items, ...second.body.items].map((j: Json) => j.id);
      expect(new Set(ids).size).toBe(5);
      expect((await call('GET', '/jobs?limit=500')).status).toBe(200);
      expectError(await call('GET', '/jobs?limit=0'), 400, 'VALIDATION_ERROR');
      expectError(await call('GET', '/jobs?status=DONE'), 400, 'VALIDATION_ERROR');
      expectError(await call('GET', '/jobs?cursor=garbage'), 400, 'VALIDATION_ERROR');
      const byQueue = await call('GET', '/queues/high/jobs?status=QUEUED&limit=200');
      expect(byQueue.body.items.length).toBeGreaterThanOrEqual(5);
      expect(byQueue.body.items.every((j: Json) => j.priority === 'high' && j.status === 'QUEUED')).toBe(true);
      expectError(await call('GET', '/queues/urgent/jobs'), 400, 'VALIDATION_ERROR');
    });
  });

  describe('dead letters', () => {
    it('lists, shows and replays dead jobs one by one and in bulk', async () => {
      const a = await call('POST', '/jobs', { body: { type: 'demo.fail', payload: { permanent: true, message: 'bad input' } } });
      const b = await call('POST', '/jobs', { body: { type: 'demo.fail', payload: { permanent: true } } });
      const c = await call('POST', '/jobs', { body: { type: 'demo.fail', maxAttempts: 1 } });
      await drain();
      const list = await call('GET', '/dlq?type=demo.fail&limit=10');
      expect(list.body.items.map((j: Json) => j.id).sort()).toEqual([a.body.id, b.body.id, c.body.id].sort());
      expect(list.body.items.every((j: Json) => typeof j.deadReason === 'string')).toBe(true);

      const one = await call('GET', `/dlq/${a.body.id}`);
      expect(one.body).toMatchObject({ status: 'DEAD', lastError: { message: 'bad input', name: 'PermanentError' } });
      const queued = await call('POST', '/jobs', { body: { type: 'demo.echo', delayMs: 60_000 } });
      expectError(await call('GET', `/dlq/${queued.body.id}`), 404, 'NOT_FOUND');

      const replayed = await call('POST', `/dlq/${a.body.id}/replay`);
      expect(replayed.body).toMatchObject({ status: 'QUEUED', attempts: 0 });
      expectError(await call('POST', `/dlq/${a.body.id}/replay`), 409, 'INVALID_STATE');

      const bulk = await call('POST', '/dlq/replay', { body: { type: 'demo.fail' } });
      expect(bulk.body).toEqual({ replayed: 2 });
      expect((await call('GET', '/dlq?type=demo.fail')).body.items).toEqual([]);
    });
  });

  describe('operations', () => {
    it('GET /stats reports queues and job counts; /readyz checks the services', async () => {
      const stats = await call('GET', '/stats');
      expect(Object.keys(stats.body.queues).sort()).toEqual(['critical', 'high', 'low', 'normal']);
      expect(stats.body.queues.normal).toEqual({ ready: 0, inFlight: 0, delayed: 0, deadLetters: 0 });
      expect(Object.keys(stats.body.jobs).sort()).toEqual(['BLOCKED', 'CANCELLED', 'DEAD', 'QUEUED', 'RETRYING', 'RUNNING', 'SCHEDULED', 'SUCCEEDED']);
      expect(stats.body.jobs.SUCCEEDED).toBeGreaterThan(0);
      const ready = await call('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ ready: true, checks: { dynamodb: { ok: true }, sqs: { ok: true } } });
    });

    it('answers match the response schemas the OpenAPI document is generated from', async () => {
      const created = await call('POST', '/jobs', { body: { type: 'demo.fail', payload: { permanent: true } } });
      await drain();
      jobViewSchema.parse(created.body);
      jobViewSchema.parse((await call('GET', `/jobs/${created.body.id}`)).body);
      jobPageSchema.parse((await call('GET', '/jobs?limit=5')).body);
      jobPageSchema.parse((await call('GET', '/dlq')).body);
      batchResponseSchema.parse((await call('POST', '/jobs/batch', { body: { jobs: [{ type: 'demo.echo' }, { type: 'x' }] } })).body);
      statsSchema.parse((await call('GET', '/stats')).body);
      readinessSchema.parse((await call('GET', '/readyz')).body);
      errorBodySchema.parse((await call('GET', '/jobs/nope')).body);
      const document = (await call('GET', '/openapi.json')).body;
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths)).toContain('/schedules/{name}/trigger');
    });

    it('unknown routes are 404 NOT_FOUND in the error shape', async () => {
      expectError(await call('GET', '/nope'), 404, 'NOT_FOUND');
      const wrongMethod = await call('PUT', '/jobs');
      expectError(wrongMethod, 404, 'NOT_FOUND');
      expect(wrongMethod.body.details.allowedMethods).toEqual(['POST', 'GET']);
    });

    it('an unexpected failure is 500 INTERNAL without internals', async () => {
      const broken = createApiApp({
        ...h.deps,
        store: { ...h.deps.store, get: async () => { throw new Error('secret table detail'); } } as never,
      });
      const res = await broken(apiEvent('GET', '/jobs/abc'));
      expect(res.statusCode).toBe(500);
      const body = JSON.parse(res.body as string) as Json;
      expect(body.code).toBe('INTERNAL');
      expect(res.body).not.toMatch(/secret table detail/);
    });
  });
});
