import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws-client-config.ts';

export interface LambdaContextOptions {
  functionName: string;
  /** The function's timeout; getRemainingTimeInMillis counts down from it. */
  timeoutMs: number;
  memoryMb?: number;
  region?: string;
  accountId?: string;
  now?: () => number;
}

/**
 * A Context like the one Lambda passes to every invocation: a fresh awsRequestId, the function's
 * names and ARN, and a getRemainingTimeInMillis that handlers (and Powertools) use to stop before
 * the function times out.
 *
 * @example
 * const context = createLambdaContext({ functionName: 'skyforge-api', timeoutMs: 30_000 });
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const now = options.now ?? Date.now;
  const region = options.region ?? LOCAL_REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const deadline = now() + options.timeoutMs;
  const awsRequestId = randomUUID();
  const notSupported = (what: string) => (): void => {
    // The callback-style completion methods were removed from the Node.js runtimes.
    throw new Error(`context.${what}() is not supported by the Node.js Lambda runtime`);
  };
  const today = new Date(now()).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? 1024),
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${today}/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: notSupported('done'),
    fail: notSupported('fail'),
    succeed: notSupported('succeed'),
  };
}
