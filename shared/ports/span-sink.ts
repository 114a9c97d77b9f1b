import type { TraceContext } from '../domain/trace-context.ts';

/** What a span measured: server (an API request), consumer (a claim) or internal work. */
export type SpanKind = 'server' | 'consumer' | 'internal';

/** A span that has ended, as the exporter sends it (docs/tracing.md lists the names and attributes). */
export interface FinishedSpan {
  name: string;
  kind: SpanKind;
  /** Its trace, id and parent; not recorded unless the flags say sampled. */
  trace: TraceContext;
  /** Epoch milliseconds. */
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  /** Set when the work failed: the span's status is then ERROR with this message. */
  error?: string;
}

/** Where finished spans go: the OpenTelemetry exporter when the function was bundled with it, else nowhere. */
export interface SpanSink {
  record(span: FinishedSpan): void;
}
