import type { MiddlewareObj } from '@middy/core';
import type { SpanSink } from '../../ports/span-sink.ts';

/**
 * Tracing as the handlers use it. Which implementation a function gets is decided at bundle time
 * through the `skyforge-tracing` alias (like the job registry): `tracing-off.ts` by default,
 * `tracing-xray.ts` when the SkyForge construct's `tracing` is `true` / `'xray'`, and
 * `tracing-otel.ts` (OpenTelemetry over OTLP/HTTP) for `'otel'`. So a function without tracing
 * carries neither the X-Ray SDK (about 120 KB minified) nor its async hooks, which tax every
 * promise of every invocation, nor the OTLP exporter. W3C trace context (traceparent, trace ids
 * in logs, `ctx.trace`) works in every mode: it lives in shared/domain/trace-context.ts.
 */
export interface Tracing {
  /** True when SDK calls and invocations are recorded (X-Ray) or spans are exported (OpenTelemetry). */
  readonly enabled: boolean;
  /** Wraps an AWS SDK client once, before use, so its calls become subsegments. */
  captureClient<T>(client: T): T;
  /** The handler middlewares (X-Ray: Powertools' captureLambdaHandler; OpenTelemetry: the flush), in order. */
  middlewares(): MiddlewareObj[];
  /** Where the handlers' spans go (OpenTelemetry only). */
  readonly spans?: SpanSink;
}

/** What the OpenTelemetry mode needs to know; the other modes ignore it. */
export interface TracingSettings {
  /** The collector's OTLP/HTTP traces URL and headers; no export without it. */
  otlp?: { tracesUrl: string; headers: Record<string, string> } | undefined;
  /** Where an export that failed is reported (it never fails the invocation). */
  warn?: (message: string, extra: Record<string, unknown>) => void;
}

export type CreateTracing = (serviceName: string, settings?: TracingSettings) => Tracing;
