import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { newApiRequestId, toApiGatewayEvent } from './api-gateway-event.ts';
import { gatewayError, toHttpResponse, type HttpResponseParts } from './api-gateway-result.ts';
import { createLambdaContext } from './lambda-context.ts';
import { closeServer, listen } from './listen.ts';
import { BodyTooLargeError, readBody } from './read-body.ts';

/** The api Lambda's shape as API Gateway sees it: an event in, any JSON value out. */
export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface ApiGatewayOptions {
  handler: ApiHandler;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** HTTP APIs give an integration at most 30 s; then the client gets a 503. */
  timeoutMs?: number;
  /**
   * The function's own timeout (the stack gives the api 29 s, below the gateway's 30): past it
   * Lambda fails the invocation and the client gets a 500. Default: the gateway timeout.
   */
  functionTimeoutMs?: number;
  functionName?: string;
  memoryMb?: number;
  region?: string;
  log?: (message: string) => void;
  /**
   * Requests this answers (true) never reach the function: the local cloud serves the operator
   * dashboard under /ui/ on the API's port this way (nothing of it exists in API Gateway on AWS).
   */
  intercept?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface ApiGateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** HTTP API's payload quota. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** Lambda's synchronous invocation quota, for the event in and the result out. */
export const MAX_LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const API_GATEWAY_TIMEOUT_MS = 30_000;

/**
 * Plays an API Gateway HTTP API with one `$default` route and a Lambda proxy integration
 * (payload format 2.0): every request becomes an APIGatewayProxyEventV2 for `handler`, and its
 * result becomes the response. Gateway-side failures answer as API Gateway does: a handler that
 * throws, returns something malformed or outlives its function timeout -> 500, one that outlives
 * the gateway's 30 s -> 503, a body over 10 MB (or an event over Lambda's 6 MB) -> 413, each with
 * `{"message": ...}`.
 *
 * @example
 * const api = await startApiGateway({ handler, port: 3000 });
 */
export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port;
  const server = createServer((req, res) => {
    const handled = options.intercept ? options.intercept(req, res) : Promise.resolve(false);
    handled.then((done) => (done ? undefined : serve(req, res, port, options))).catch((error: unknown) => {
      options.log?.(`api gateway failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, gatewayError(500, 'Internal Server Error'), newApiRequestId());
      else res.destroy();
    });
  });
  port = await listen(server, options.port, host, 'API');
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

async function serve(req: IncomingMessage, res: ServerResponse, port: number, options: ApiGatewayOptions): Promise<void> {
  const requestId = newApiRequestId();
  let body: Buffer;
  try {
    body = await readBody(req, MAX_REQUEST_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    send(res, gatewayError(413, 'Request Entity Too Large'), requestId);
    return;
  }
  const event = toApiGatewayEvent(
    {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      protocol: `HTTP/${req.httpVersion}`,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      port,
    },
    { requestId },
  );
  if (Buffer.byteLength(JSON.stringify(event)) > MAX_LAMBDA_PAYLOAD_BYTES) {
    send(res, gatewayError(413, 'Request Entity Too Large'), requestId);
    return;
  }
  send(res, await invoke(event, options), requestId);
}

async function invoke(event: APIGatewayProxyEventV2, options: ApiGatewayOptions): Promise<HttpResponseParts> {
  const gatewayTimeoutMs = options.timeoutMs ?? API_GATEWAY_TIMEOUT_MS;
  const functionTimeoutMs = options.functionTimeoutMs ?? gatewayTimeoutMs;
  const context = createLambdaContext({
    functionName: options.functionName ?? 'skyforge-api',
    timeoutMs: functionTimeoutMs,
    ...(options.memoryMb ? { memoryMb: options.memoryMb } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  const route = `${event.requestContext.http.method} ${event.rawPath}`;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'function-timeout' | 'gateway-timeout'>((resolve) => {
    const functionFirst = functionTimeoutMs < gatewayTimeoutMs;
    timer = setTimeout(() => resolve(functionFirst ? 'function-timeout' : 'gateway-timeout'), Math.min(functionTimeoutMs, gatewayTimeoutMs));
  });
  try {
    const outcome = await Promise.race([options.handler(event, context).then((value) => ({ value })), timedOut]);
    // On a timeout the handler keeps running (a local process cannot freeze it as Lambda
    // would); whatever it returns later is dropped.
    if (outcome === 'function-timeout') {
      options.log?.(`api handler timed out after ${functionTimeoutMs} ms (${route})`);
      return gatewayError(500, 'Internal Server Error');
    }
    if (outcome === 'gateway-timeout') {
      options.log?.(`api handler did not answer within the gateway's ${gatewayTimeoutMs} ms (${route})`);
      return gatewayError(503, 'Service Unavailable');
    }
    const serialized = JSON.stringify(outcome.value) ?? '';
    if (Buffer.byteLength(serialized) > MAX_LAMBDA_PAYLOAD_BYTES) {
      options.log?.(`api handler returned more than ${MAX_LAMBDA_PAYLOAD_BYTES} bytes, which Lambda refuses (${route})`);
      return gatewayError(500, 'Internal Server Error');
    }
    return toHttpResponse(outcome.value);
  } catch (error) {
    options.log?.(`api handler failed (${route}): ${(error as Error).stack ?? String(error)}`);
    return gatewayError(500, 'Internal Server Error');
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, response: HttpResponseParts, requestId: string): void {
  const headers: Array<[string, string]> = [
    ...response.headers,
    ['content-length', String(response.body.length)],
    ['apigw-requestid', requestId],
  ];
  res.statusCode = response.statusCode;
  for (const [name, value] of headers) res.appendHeader(name, value);
  res.end(response.body);
}
