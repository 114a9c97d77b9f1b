import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { UnauthorizedError } from '../../shared/domain/errors.ts';
import { ApiRequest } from '../../shared/http/api-request.ts';
import { Router } from '../../shared/http/router.ts';
import { formatTraceparent, type TraceContext } from '../../shared/domain/trace-context.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { errorBody, errorHeaders, jsonResult } from './responses.ts';
import { apiRoutes } from './routes.ts';

/** Routes that answer without a credential (load balancers and uptime checks). */
const PUBLIC_PATHS = new Set(['/healthz']);

/**
 * The api function's request handling: request id, optional bearer-token auth (the local cloud's
 * and token-mode deployments' guard; on AWS, IAM auth at API Gateway comes first), routing, and
 * the one place where errors become the API's error shape.
 */
export function createApiApp(
  deps: Dependencies,
  options: {
    apiToken?: string | undefined;
    /** Called with each request's id and span first, so every log line of the request carries them. */
    onRequest?: (requestId: string, trace: TraceContext) => void;
  } = {},
) {
  const router = new Router(apiRoutes(deps));
  const token = options.apiToken ? digest(options.apiToken) : undefined;

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const request = new ApiRequest(event);
    options.onRequest?.(request.requestId, request.trace);
    // Timed only when spans are exported.
    const startMs = deps.spans ? deps.clock.now() : 0;
    const traced = (result: APIGatewayProxyStructuredResultV2) => withTrace(result, request, startMs, deps);
    try {
      if (token && !PUBLIC_PATHS.has(request.path) && !hasToken(request, token)) {
        throw new UnauthorizedError('send Authorization: Bearer <token> (SKYFORGE_API_TOKEN)');
      }
      const response = await router.dispatch(request);
      return traced(jsonResult(response.status, response.body, request.requestId, response.headers));
    } catch (error) {
      const { status, body } = errorBody(error, request.requestId);
      if (status >= 500) {
        deps.logger.error('request failed', {
          requestId: request.requestId,
          method: request.method,
          path: request.path,
          error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
        });
      }
      const headers: Record<string, string> = { ...errorHeaders(body), ...(status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}) };
      return traced(jsonResult(status, body, request.requestId, headers));
    }
  };
}

/**
 * Answers with the request's `traceparent` (and the caller's `tracestate`) and records its span
 * (OpenTelemetry only): the caller can find the trace it started or continued.
 */
function withTrace(result: APIGatewayProxyStructuredResultV2, request: ApiRequest, startMs: number, deps: Dependencies): APIGatewayProxyStructuredResultV2 {
  const status = result.statusCode ?? 200;
  if (deps.spans) deps.spans.record({
    name: 'api.request',
    kind: 'server',
    trace: request.trace,
    startMs,
    endMs: deps.clock.now(),
    attributes: { 'http.request.method': request.method, 'url.path': request.path, 'http.response.status_code': status, 'skyforge.request_id': request.requestId },
    ...(status >= 500 ? { error: `HTTP ${status}` } : {}),
  });
  const { tracestate } = request.trace;
  return { ...result, headers: { ...result.headers, traceparent: formatTraceparent(request.trace), ...(tracestate ? { tracestate } : {}) } };
}

/**
 * Compares SHA-256 digests, not the tokens: both sides are always 32 bytes, so neither the
 * comparison's time nor a length check tells a caller how long the token is.
 */
function hasToken(request: ApiRequest, expectedDigest: Buffer): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1].trim()), expectedDigest);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
