import { describe, expect, it } from 'vitest';
import { OtlpHttpExporter, otlpTraceRequest } from '../../shared/runtime/tracing/otlp-http-exporter.ts';
import { createTracing } from '../../shared/runtime/tracing/tracing-otel.ts';
import type { FinishedSpan } from '../../shared/ports/span-sink.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const span = (over: Partial<FinishedSpan> = {}): FinishedSpan => ({
  name: 'job.attempt',
  kind: 'internal',
  trace: { traceId: TRACE, spanId: '1111111111111111', parentSpanId: '00f067aa0ba902b7', flags: '01' },
  startMs: 1_764_892_800_000.5,
  endMs: 1_764_892_800_250,
  attributes: { 'skyforge.job.id': 'job-1', 'skyforge.job.attempt': 2, 'skyforge.claimed': true, ratio: 0.5 },
  ...over,
});

/** A fetch that keeps what it was sent and answers `status`. */
function recordingFetch(status = 200) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response('{}', { status });
  }) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

describe('otlpTraceRequest (OTLP/HTTP JSON)', () => {
  it('writes ids as hex, times as nanosecond strings, attributes by type, and the status', () => {
    // Act
    const body = otlpTraceRequest('skyforge-worker', [span(), span({ name: 'job.finish', kind: 'consumer', error: 'Error: boom' })]) as {
      resourceSpans: { resource: { attributes: unknown[] }; scopeSpans: { scope: unknown; spans: Record<string, unknown>[] }[] }[];
    };
    // Assess
    const [resource] = body.resourceSpans;
    expect(resource?.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'skyforge-worker' } });
    const [first, second] = resource?.scopeSpans[0]?.spans ?? [];
    expect(first).toEqual({
      traceId: TRACE,
      spanId: '1111111111111111',
      parentSpanId: '00f067aa0ba902b7',
      name: 'job.attempt',
      kind: 1,
      startTimeUnixNano: '1764892800000500000',
      endTimeUnixNano: '1764892800250000000',
      attributes: [
        { key: 'skyforge.job.id', value: { stringValue: 'job-1' } },
        { key: 'skyforge.job.attempt', value: { intValue: '2' } },
        { key: 'skyforge.claimed', value: { boolValue: true } },
        { key: 'ratio', value: { doubleValue: 0.5 } },
      ],
      status: { code: 1 },
    });
    expect(second).toMatchObject({ name: 'job.finish', kind: 5, status: { code: 2, message: 'Error: boom' } });
  });
});

describe('OtlpHttpExporter', () => {
  it('POSTs the sampled spans of an invocation on flush, with the headers, then starts over', async () => {
    // Arrange
    const { calls, fetch } = recordingFetch();
    const exporter = new OtlpHttpExporter({ serviceName: 'skyforge-api', tracesUrl: 'http://collector/v1/traces', headers: { 'api-key': 'k' }, fetch });
    exporter.record(span());
    exporter.record(span({ trace: { traceId: TRACE, spanId: '2222222222222222', flags: '00' } }));
    // Act
    await exporter.flush();
    await exporter.flush();
    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('http://collector/v1/traces');
    expect(calls[0]?.init.headers).toEqual({ 'content-type': 'application/json', 'api-key': 'k' });
    const sent = JSON.parse(String(calls[0]?.init.body)) as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
    expect(sent.resourceSpans[0]?.scopeSpans[0]?.spans.map((s) => s.spanId)).toEqual(['1111111111111111']);
  });

  it.each([
    ['a refusal', async () => new Response('no', { status: 503 }), /refused/],
    ['a network error', async () => Promise.reject(new TypeError('fetch failed')), /could not export/],
  ])('reports %s as a warning and never throws', async (_, answer, warning) => {
    // Arrange
    const warnings: string[] = [];
    const exporter = new OtlpHttpExporter({
      serviceName: 's',
      tracesUrl: 'http://collector/v1/traces',
      headers: {},
      fetch: answer as unknown as typeof globalThis.fetch,
      warn: (message) => warnings.push(message),
    });
    exporter.record(span());
    // Act
    await exporter.flush();
    // Assess
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });
});

describe("tracing-otel (the module bundled for tracing: 'otel')", () => {
  it('without a collector exports nothing and says so', () => {
    const warnings: string[] = [];
    const tracing = createTracing('skyforge-api', { warn: (message) => warnings.push(message) });
    expect(tracing.enabled).toBe(false);
    expect(tracing.spans).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT')]);
  });

  it('with one, flushes in the handler middleware after the invocation and after an error', () => {
    const tracing = createTracing('skyforge-api', { otlp: { tracesUrl: 'http://collector/v1/traces', headers: {} } });
    expect(tracing.enabled).toBe(true);
    expect(tracing.spans).toBeDefined();
    const [middleware] = tracing.middlewares();
    expect(typeof middleware?.after).toBe('function');
    expect(typeof middleware?.onError).toBe('function');
  });
});
