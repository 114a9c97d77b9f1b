import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A payload-2.0 API Gateway event, as the HTTP API sends it to the api function. */
export function apiEvent(
  method: string,
  pathWithQuery: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [path, rawQuery = ''] = pathWithQuery.split('?') as [string, string?];
  const query = new URLSearchParams(rawQuery);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: rawQuery,
    headers,
    ...(rawQuery ? { queryStringParameters: Object.fromEntries(query.entries()) } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'gw-req',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}
