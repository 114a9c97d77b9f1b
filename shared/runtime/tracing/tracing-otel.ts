import type { MiddlewareObj } from '@middy/core';
import { OtlpHttpExporter } from './otlp-http-exporter.ts';
import type { CreateTracing } from './tracing.ts';

/**
 * OpenTelemetry: the handlers' spans (api.request, job.claim, job.attempt, job.finish) are sent
 * as OTLP/HTTP JSON to the collector the deployment names, at the end of each invocation, before
 * the function returns (a frozen Lambda sends nothing). Bundled only for `tracing: 'otel'`;
 * docs/tracing.md says why this is a small exporter of our own rather than the OpenTelemetry SDK.
 */
export const createTracing: CreateTracing = (serviceName, settings = {}) => {
  if (!settings.otlp) {
    settings.warn?.('tracing is otel but no collector is set (OTEL_EXPORTER_OTLP_ENDPOINT); no spans are exported', {});
    return { enabled: false, captureClient: (client) => client, middlewares: () => [] };
  }
  const exporter = new OtlpHttpExporter({ serviceName, ...settings.otlp, ...(settings.warn ? { warn: settings.warn } : {}) });
  const flush: MiddlewareObj = {
    after: async () => exporter.flush(),
    onError: async () => exporter.flush(),
  };
  return {
    enabled: true,
    captureClient: (client) => client,
    middlewares: () => [flush],
    spans: exporter,
  };
};
