import { isSampled } from '../../domain/trace-context.ts';
import type { FinishedSpan, SpanKind, SpanSink } from '../../ports/span-sink.ts';

/** OTLP's SpanKind numbers (opentelemetry/proto/trace/v1/trace.proto). */
const OTLP_KIND: Record<SpanKind, number> = { internal: 1, server: 2, consumer: 5 };
/** OTLP's Status.code: OK and ERROR. */
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/** A flush waits this long for the collector at most: a slow collector must not hold the function. */
const EXPORT_TIMEOUT_MS = 3_000;
/** Spans kept between flushes at most; more are dropped (and counted) rather than growing without end. */
const MAX_BUFFERED_SPANS = 2_048;

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

function anyValue(value: string | number | boolean): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  // OTLP/JSON writes 64-bit integers as strings.
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

const attributes = (values: Record<string, string | number | boolean>) => Object.entries(values).map(([key, value]) => ({ key, value: anyValue(value) }));

const nanos = (ms: number): string => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

/**
 * The OTLP/HTTP JSON body of `spans` (ExportTraceServiceRequest): one resource (the function's
 * service name), one instrumentation scope. Ids are hex strings, as OTLP/JSON requires.
 */
export function otlpTraceRequest(serviceName: string, spans: readonly FinishedSpan[]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes({ 'service.name': serviceName, 'telemetry.sdk.name': 'skyforge', 'telemetry.sdk.language': 'nodejs' }) },
        scopeSpans: [
          {
            scope: { name: 'skyforge' },
            spans: spans.map((span) => ({
              traceId: span.trace.traceId,
              spanId: span.trace.spanId,
              ...(span.trace.parentSpanId ? { parentSpanId: span.trace.parentSpanId } : {}),
              ...(span.trace.tracestate ? { traceState: span.trace.tracestate } : {}),
              name: span.name,
              kind: OTLP_KIND[span.kind],
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(Math.max(span.endMs, span.startMs)),
              attributes: attributes(span.attributes),
              status: span.error === undefined ? { code: STATUS_OK } : { code: STATUS_ERROR, message: span.error },
            })),
          },
        ],
      },
    ],
  };
}

/**
 * Keeps the sampled spans of an invocation and POSTs them to the collector when flushed (OTLP/HTTP
 * with JSON encoding, https://opentelemetry.io/docs/specs/otlp/#otlphttp). A failed export is
 * reported once per flush and dropped: tracing never fails or retries a job.
 */
export class OtlpHttpExporter implements SpanSink {
  private buffer: FinishedSpan[] = [];
  private dropped = 0;

  constructor(
    private readonly options: {
      serviceName: string;
      tracesUrl: string;
      headers: Record<string, string>;
      warn?: (message: string, extra: Record<string, unknown>) => void;
      fetch?: typeof fetch;
    },
  ) {}

  record(span: FinishedSpan): void {
    if (!isSampled(span.trace)) return;
    if (this.buffer.length >= MAX_BUFFERED_SPANS) this.dropped += 1;
    else this.buffer.push(span);
  }

  /** Sends what was recorded since the last flush; resolves when the collector answered or timed out. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const spans = this.buffer;
    const dropped = this.dropped;
    this.buffer = [];
    this.dropped = 0;
    const send = this.options.fetch ?? fetch;
    try {
      const response = await send(this.options.tracesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body: JSON.stringify(otlpTraceRequest(this.options.serviceName, spans)),
        signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
      });
      // The body is not needed, but unread it would hold the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) this.options.warn?.('the OTLP collector refused the spans', { status: response.status, spans: spans.length });
    } catch (error) {
      this.options.warn?.('could not export spans to the OTLP collector', { error: String(error), spans: spans.length });
    }
    if (dropped > 0) this.options.warn?.('spans dropped: more than the exporter buffers between flushes', { dropped });
  }
}
