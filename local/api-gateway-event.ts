import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './aws-client-config.ts';

/** The parts of an HTTP request the event is made from (decoupled from node:http for tests). */
export interface HttpRequestFacts {
  method: string;
  /** The request target as sent: path plus optional query string. */
  url: string;
  /** 'HTTP/1.1' style. */
  protocol: string;
  /** node:http's rawHeaders: name, value, name, value ... in arrival order, names as sent. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** Local port the request arrived on (for x-forwarded-port). */
  port: number;
}

export interface ApiGatewayEventOptions {
  requestId?: string;
  now?: () => number;
  apiId?: string;
  accountId?: string;
  stage?: string;
}

/** The local API's id in events; API ids are 10 lower-case alphanumerics on AWS. */
export const LOCAL_API_ID = 'skyforge00';

/**
 * Content types HTTP APIs hand to Lambda as text; every other body (including one without a
 * content type, or a form post) arrives base64-encoded with isBase64Encoded true.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/([\w.+-]+\+)?(json|xml)$/.test(type) ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  );
}

/**
 * Builds the APIGatewayProxyEventV2 (payload format 2.0) that an HTTP API's `$default` route
 * sends to its Lambda: lower-case headers with repeated ones joined by ',', the Cookie header
 * moved into `cookies`, query parameters decoded with repeated keys joined by ',', the
 * x-forwarded-* and x-amzn-trace-id headers API Gateway adds, and the body as text or base64.
 *
 * @example
 * const event = toApiGatewayEvent({ method: 'GET', url: '/jobs?limit=5', ... });
 */
export function toApiGatewayEvent(request: HttpRequestFacts, options: ApiGatewayEventOptions = {}): APIGatewayProxyEventV2 {
  const now = (options.now ?? Date.now)();
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c.length > 0));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const traceId = `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  headers['x-amzn-trace-id'] ??= traceId;
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = String(request.port);
  headers['x-forwarded-proto'] = 'http';

  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[key] = key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
  }

  const host = headers['host'] ?? 'localhost';
  const stage = options.stage ?? '$default';
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
      apiId: options.apiId ?? LOCAL_API_ID,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId ?? newApiRequestId(),
      routeKey: '$default',
      stage,
      time: clfTime(now),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/** An id like API Gateway's (`JKJaXmPLvHcESHA=`), also sent back as the apigw-requestid header. */
export function newApiRequestId(): string {
  return randomBytes(11).toString('base64');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** requestContext.time is in the Common Log Format: `12/Mar/2020:19:03:58 +0000`. */
function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}
