import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApiApp } from '../../functions/api/app.ts';
import { createWorkerApp } from '../../functions/worker/app.ts';
import { encodeFiringMessageTemplate, encodeJobMessage } from '../../shared/domain/queue-message.ts';
import { defineJob, type JobTrace } from '../../shared/jobs/registry.ts';
import type { FinishedSpan } from '../../shared/ports/span-sink.ts';
import { apiEvent } from '../support/api-event.ts';
import { createHarness, sqsRecord, TEST_QUEUE_URLS, type Harness } from '../support/harness.ts';
import type { Json } from '../support/http-client.ts';

/** W3C trace context from the API call through the message to the handler, with dynalite behind it. */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${CALLER_SPAN}-01`;
const TRACEPARENT_SHAPE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/** What the probe handler saw, by job id. */
const seen = new Map<string, JobTrace>();

const jobs = {
  'trace.probe': defineJob({
    schema: z.object({}),
    handler: (_payload, ctx) => {
      seen.set(ctx.jobId, ctx.trace);
      ctx.logger.info('probe ran');
      return { traceparent: ctx.trace.traceparent };
    },
  }),
};

describe('trace context', () => {
  let h: Harness;
  let api: ReturnType<typeof createApiApp>;
  let worker: ReturnType<typeof createWorkerApp>;
  const spans: FinishedSpan[] = [];

  beforeAll(async () => {
    h = await createHarness({ jobs });
    h.deps.spans = { record: (span) => spans.push(span) };
    api = createApiApp(h.deps);
    worker = createWorkerApp(h.deps, { queueUrls: TEST_QUEUE_URLS });
  });
  afterAll(async () => h.stop());
  beforeEach(() => {
    spans.length = 0;
    h.logger.lines.length = 0;
  });

  async function call(method: string, path: string, options?: Parameters<typeof apiEvent>[2]) {
    const result = await api(apiEvent(method, path, options));
    return { status: result.statusCode ?? 200, headers: result.headers ?? {}, body: (result.body ? JSON.parse(result.body) : undefined) as Json };
  }

  /** Delivers bodies to the worker as the event source mapping would. */
  async function deliver(bodies: string[]) {
    const records = bodies.map((body) => sqsRecord(body));
    return worker({ Records: records }, {} as Context);
  }

  /** Runs the messages the API sent, with the trace context they carry. */
  async function drain() {
    const sent = h.queue.sent.splice(0);
    await deliver(sent.map((m) => encodeJobMessage(m.jobId, m.timeoutMs, m.flow, m.traceparent)));
  }

  it('continues the caller’s trace from the request to the handler, in spans and log lines', async () => {
    // Act
    const res = await call('POST', '/jobs', {
      headers: { traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' },
      body: { type: 'trace.probe', payload: {} },
    });
    await drain();
    const recorded = spans.splice(0);

    // Assess: the answer names the request's span in the caller's trace.
    expect(res.status).toBe(201);
    const [, traceId, requestSpan] = TRACEPARENT_SHAPE.exec(String(res.headers.traceparent)) ?? [];
    expect(traceId).toBe(TRACE);
    expect(requestSpan).not.toBe(CALLER_SPAN);
    expect(res.headers.tracestate).toBe('congo=t61rcWkgMzE');
    expect(res.body.traceId).toBe(TRACE);
    expect((await call('GET', `/jobs/${res.body.id}`)).body).toMatchObject({ status: 'SUCCEEDED', traceId: TRACE });

    // The handler saw its attempt's span, a child of the request's.
    const trace = seen.get(res.body.id);
    expect(trace).toMatchObject({ traceId: TRACE, tracestate: 'congo=t61rcWkgMzE' });
    expect(trace?.traceparent).toBe(`00-${TRACE}-${trace?.spanId}-01`);

    // Spans in order: request, claim, attempt, finish; the job's three are children of the request.
    expect(recorded.map((s) => s.name)).toEqual(['api.request', 'job.claim', 'job.attempt', 'job.finish']);
    expect(recorded.every((s) => s.trace.traceId === TRACE)).toBe(true);
    expect(recorded[0]?.trace).toMatchObject({ spanId: requestSpan, parentSpanId: CALLER_SPAN });
    expect(recorded.slice(1).map((s) => s.trace.parentSpanId)).toEqual([requestSpan, requestSpan, requestSpan]);
    expect(recorded[2]?.trace.spanId).toBe(trace?.spanId);
    expect(recorded[2]?.attributes).toEqual({
      'skyforge.job.id': res.body.id,
      'skyforge.job.type': 'trace.probe',
      'skyforge.job.queue': 'normal',
      'skyforge.job.attempt': 1,
      'skyforge.job.outcome': 'succeeded',
    });
    expect(recorded[0]?.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/jobs', 'http.response.status_code': 201 });

    // Every line the worker wrote about the job carries the trace id, and a span id.
    const lines = h.logger.lines.filter((l) => l.extra?.jobId === res.body.id);
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['probe ran', 'attempt finished']));
    expect(lines.every((l) => l.extra?.traceId === TRACE && typeof l.extra?.spanId === 'string')).toBe(true);
  });

  it.each([
    ['no traceparent', {}],
    ['an invalid traceparent (all-zero trace id)', { traceparent: `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`, tracestate: 'congo=x' }],
  ])('starts a new trace for %s, without failing the request', async (_, headers) => {
    // Act
    const res = await call('POST', '/jobs', { headers, body: { type: 'trace.probe', payload: {} } });
    // Assess
    expect(res.status).toBe(201);
    const [, traceId] = TRACEPARENT_SHAPE.exec(String(res.headers.traceparent)) ?? [];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
    expect(res.headers.tracestate).toBeUndefined();
    expect(res.body.traceId).toBe(traceId);
  });

  it('gives every job of a batch the request’s trace', async () => {
    // Act
    const res = await call('POST', '/jobs/batch', {
      headers: { traceparent: TRACEPARENT },
      body: { jobs: [{ type: 'trace.probe', payload: {} }, { type: 'trace.probe', payload: {} }] },
    });
    await drain();
    // Assess
    const ids = (res.body.results as Json[]).map((r) => r.job.id as string);
    expect((res.body.results as Json[]).map((r) => r.job.traceId)).toEqual([TRACE, TRACE]);
    expect(ids.map((id) => seen.get(id)?.traceId)).toEqual([TRACE, TRACE]);
    // Two attempts, two spans of their own.
    expect(new Set(ids.map((id) => seen.get(id)?.spanId)).size).toBe(2);
  });

  it('gives each schedule firing a trace of its own', async () => {
    // Arrange
    const created = await call('POST', '/schedules', {
      headers: { traceparent: TRACEPARENT },
      body: { name: 'traced-nightly', expression: 'rate(1 hour)', job: { type: 'trace.probe', payload: {} } },
    });
    expect(created.status).toBe(201);
    const firing = (at: string) => encodeFiringMessageTemplate('traced-nightly').replace('<aws.scheduler.scheduled-time>', at);
    // Act
    await deliver([firing('2026-11-23T12:00:00Z'), firing('2026-11-23T13:00:00Z')]);
    // Assess
    const fired = (await call('GET', '/jobs?limit=100')).body.items.filter((j: Json) => j.scheduleName === 'traced-nightly') as Json[];
    expect(fired).toHaveLength(2);
    const traces = fired.map((j) => j.traceId as string);
    expect(traces.every((t) => /^[0-9a-f]{32}$/.test(t) && t !== TRACE)).toBe(true);
    expect(new Set(traces).size).toBe(2);
    expect(fired.map((j) => seen.get(j.id)?.traceId)).toEqual(traces);
  });
});
