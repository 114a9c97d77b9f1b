import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from './aws-client-config.ts';
import { INTERNAL_REQUEST_HEADER, type ForwardedResponse } from './dynamodb-capacity.ts';

/**
 * The local cloud's own requests to its edge (bootstrap, TTL emulation, the capacity meter, the
 * benchmark's progress checks): marked so that the edge neither counts nor meters them, as AWS
 * would not bill them to the workload.
 */
/** Adds INTERNAL_REQUEST_HEADER to every request of an SDK client; returns the client. */
export function markInternal<C extends DynamoDBClient>(client: C): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[INTERNAL_REQUEST_HEADER] = '1';
      return next(args);
    },
    { step: 'build', name: 'skyforgeInternalRequest' },
  );
  return client;
}

/**
 * One DynamoDB JSON request through the edge, marked internal. dynalite checks only that an
 * Authorization header of the SigV4 shape is present, not the signature.
 */
export async function internalDynamoDbCall(edgeUrl: string, operation: string, body: unknown): Promise<ForwardedResponse> {
  const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const response = await fetch(edgeUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': now,
      authorization: `AWS4-HMAC-SHA256 Credential=test/${now.slice(0, 8)}/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
      [INTERNAL_REQUEST_HEADER]: '1',
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}
