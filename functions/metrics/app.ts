import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { continueTrace, formatTraceparent } from '../../shared/domain/trace-context.ts';
import { acceptedRequestId } from '../../shared/http/api-request.ts';
import { renderPrometheus } from '../../shared/runtime/prometheus-exposition.ts';
import { metricsCollector } from '../../shared/use-cases/collect-metrics.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';

/** GET /metrics: Prometheus text exposition, at most a few seconds stale. */
export function createMetricsApp(deps: Pick<Dependencies, 'counters' | 'queue' | 'clock' | 'logger'> & { config?: { workerCapacity?: Dependencies['config']['workerCapacity'] } }) {
  const collect = metricsCollector(deps);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    // Checked as the api function checks it: echoed only if it is a safe id.
    const requestId = acceptedRequestId(event.headers?.['x-request-id']) ?? event.requestContext.requestId;
    // Answered like every API request: the caller's trace continued, or a new one (docs/tracing.md).
    const trace = continueTrace({ traceparent: event.headers?.['traceparent'], tracestate: event.headers?.['tracestate'] });
    const ids = { 'X-Request-ID': requestId, traceparent: formatTraceparent(trace) };
    if (event.requestContext.http.method !== 'GET') {
      return { statusCode: 405, headers: { Allow: 'GET', ...ids }, body: '' };
    }
    try {
      const { contentType, body } = await renderPrometheus(await collect(), deps.config?.workerCapacity);
      return { statusCode: 200, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...ids }, body };
    } catch (error) {
      deps.logger.error('metrics scrape failed', { error: error instanceof Error ? error.message : String(error), requestId, traceId: trace.traceId, spanId: trace.spanId });
      return {
        statusCode: 503,
        headers: { 'Content-Type': 'application/json', ...ids },
        body: JSON.stringify({ code: 'INTERNAL', message: 'metrics are unavailable right now', details: {}, requestId }),
      };
    }
  };
}
