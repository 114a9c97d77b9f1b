import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { exited, freePort, startCloudProcess, type RunningCloud } from '../support/cloud-process.ts';
import { httpClient, type Json } from '../support/http-client.ts';
import { attributeOf, startOtlpCollector, type ExportedSpan } from '../support/otlp-collector.ts';
import { jobs as traceJobs } from './fixtures/trace-jobs.ts';

/**
 * Trace context end to end (docs/tracing.md): `npm start` as a process with a job registry whose
 * handler reports the trace it sees, OpenTelemetry export to a collector stand-in, and the
 * worker's log lines read from the process's stdout.
 */

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const JOBS_MODULE = fileURLToPath(new URL('./fixtures/trace-jobs.ts', import.meta.url));

async function waitForJob(http: ReturnType<typeof httpClient>, id: string): Promise<Json> {
  return vi.waitFor(
    async () => {
      const job = (await http.get(`/jobs/${id}`)).body;
      if (job.status !== 'SUCCEEDED') throw new Error(`job ${id} is ${job.status}`);
      return job;
    },
    { timeout: 20_000, interval: 100 },
  );
}

/** The JSON log lines of the process's output (Powertools writes one object per line). */
function logLines(output: string): Json[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Json];
    } catch {
      return [];
    }
  });
}

describe('trace context in the local cloud process, with OpenTelemetry export', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skyforge-trace-'));
  let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
  let cloud: RunningCloud;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    const [port, edgePort] = [await freePort(), await freePort()];
    cloud = await startCloudProcess({
      dataDir,
      port,
      edgePort,
      args: ['--jobs', JOBS_MODULE, '--otel-endpoint', collector.url],
      env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
    });
  }, 60_000);
  afterAll(async () => {
    if (cloud && cloud.child.exitCode === null) {
      cloud.child.kill('SIGTERM');
      await exited(cloud.child);
    }
    await collector?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('carries the caller’s traceparent to the handler, onto every worker log line of the job, and exports its spans in order', async () => {
    // Act
    const submitted = await cloud.http.post('/jobs', { type: 'trace.probe', payload: {} }, { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` });
    const job = await waitForJob(cloud.http, submitted.body.id);

    // Assess: the answer and the job name the caller's trace; the handler saw it.
    expect(submitted.status).toBe(201);
    const requestSpan = String(submitted.headers.get('traceparent')).split('-')[2];
    expect(submitted.headers.get('traceparent')).toBe(`00-${TRACE}-${requestSpan}-01`);
    expect(job.traceId).toBe(TRACE);
    expect(job.result).toMatchObject({ traceId: TRACE, traceparent: `00-${TRACE}-${job.result.spanId}-01` });

    // Every worker line about the job carries the trace id and a span id, the handler's own too.
    const lines = await vi.waitFor(() => {
      const found = logLines(cloud.output()).filter((l) => l.jobId === job.id);
      expect(found.map((l) => l.message)).toEqual(expect.arrayContaining(['probe saw its trace', 'attempt finished']));
      return found;
    });
    expect(lines.every((l) => l.traceId === TRACE && /^[0-9a-f]{16}$/.test(l.spanId))).toBe(true);
    expect(lines.find((l) => l.message === 'probe saw its trace')?.spanId).toBe(job.result.spanId);

    // The collector got the job's spans: the request's from the api function, then claim, attempt
    // and finish from the worker, children of the request's span, in this order.
    const spans = await vi.waitFor(
      () => {
        const ofJob = collector.spans.filter((s) => s.traceId === TRACE);
        expect(ofJob.map((s) => s.name).sort()).toEqual(['api.request', 'job.attempt', 'job.claim', 'job.finish']);
        return ofJob;
      },
      { timeout: 10_000, interval: 100 },
    );
    const ordered = [...spans].sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
    expect(ordered.map((s) => s.name)).toEqual(['api.request', 'job.claim', 'job.attempt', 'job.finish']);
    const [request, ...ofWorker] = ordered as [ExportedSpan, ...ExportedSpan[]];
    expect(request).toMatchObject({ spanId: requestSpan, parentSpanId: CALLER_SPAN, kind: 2, service: 'skyforge' });
    expect(ofWorker.map((s) => s.parentSpanId)).toEqual([requestSpan, requestSpan, requestSpan]);
    expect(ofWorker.find((s) => s.name === 'job.attempt')?.spanId).toBe(job.result.spanId);
    for (const span of ofWorker) {
      expect(attributeOf(span, 'skyforge.job.id')).toBe(job.id);
      expect(attributeOf(span, 'skyforge.job.type')).toBe('trace.probe');
      expect(attributeOf(span, 'skyforge.job.queue')).toBe('normal');
      expect(attributeOf(span, 'skyforge.job.attempt')).toBe('1');
      expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true);
    }
    expect(attributeOf(ordered[2] as ExportedSpan, 'skyforge.job.outcome')).toBe('succeeded');
  });

  it('starts a trace of its own for a request without one, and answers with it', async () => {
    const submitted = await cloud.http.post('/jobs', { type: 'trace.probe', payload: {} });
    const job = await waitForJob(cloud.http, submitted.body.id);
    expect(job.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(job.traceId).not.toBe(TRACE);
    expect(submitted.headers.get('traceparent')).toMatch(new RegExp(`^00-${job.traceId}-[0-9a-f]{16}-01$`));
    expect(job.result.traceId).toBe(job.traceId);
  });
});

describe('a schedule firing in the local cloud', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;
  let offsetMs = 0;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, jobs: traceJobs, schedulerNow: () => Date.now() + offsetMs });
    http = httpClient(cloud.apiUrl);
  });
  afterAll(async () => cloud?.stop());

  it('gets a trace of its own, not the trace of the request that created the schedule', async () => {
    // Arrange
    const created = await http.post(
      '/schedules',
      { name: 'traced-every-minute', expression: 'rate(1 minute)', job: { type: 'trace.probe', payload: {} } },
      { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
    );
    expect(created.status).toBe(201);
    // Act: two minutes pass on the scheduler's clock.
    for (const _ of [1, 2]) {
      offsetMs += 61_000;
      await cloud.scheduler.runDue();
    }
    // Assess
    const fired = await vi.waitFor(
      async () => {
        const items = ((await http.get('/jobs?type=trace.probe&limit=50')).body.items as Json[]).filter(
          (j) => j.scheduleName === 'traced-every-minute' && j.status === 'SUCCEEDED',
        );
        expect(items.length).toBeGreaterThanOrEqual(2);
        return items;
      },
      { timeout: 15_000, interval: 100 },
    );
    const traces = fired.map((j) => j.traceId as string);
    expect(traces.every((t) => /^[0-9a-f]{32}$/.test(t) && t !== TRACE)).toBe(true);
    expect(new Set(traces).size).toBe(traces.length);
    expect(fired.map((j) => j.result.traceId)).toEqual(traces);
  });
});
