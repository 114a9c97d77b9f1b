/**
 * Whether an AWS SDK error will happen again if the call is repeated as is. Client faults (4xx)
 * are, unless they are throttling: a queue that does not exist, a denied action, a bad
 * parameter. Server faults (5xx), throttling and network errors (no HTTP answer at all) pass.
 */
export function isPermanentAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; $fault?: unknown; $retryable?: { throttling?: boolean } };
  if (e.$retryable?.throttling) return false;
  const name = typeof e.name === 'string' ? e.name : '';
  if (/Throttl|TooManyRequests|RequestLimitExceeded|ProvisionedThroughputExceeded|SlowDown/i.test(name)) return false;
  return e.$fault === 'client';
}

/** An error thrown by an AWS SDK client (it carries the answer's metadata), or a network error on the way. */
export function isAwsServiceError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { $metadata?: unknown; $fault?: unknown; code?: unknown };
  return e.$metadata !== undefined || e.$fault !== undefined || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(String(e.code));
}
