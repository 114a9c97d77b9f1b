/**
 * The typed TypeScript client of the SkyForge HTTP API.
 *
 * @example
 * import { SkyForgeClient } from './cli/client/index.ts';
 * const client = new SkyForgeClient({ baseUrl: process.env.SKYFORGE_API_URL ?? 'http://localhost:3000' });
 * const job = await client.enqueue('demo.echo', { hello: 'world' });
 * console.log((await client.waitFor(job.id)).result);
 */
export {
  SkyForgeClient,
  DEFAULT_POLL_MS,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  MAX_BATCH_JOBS,
  type SkyForgeClientOptions,
} from './skyforge-client.ts';
export {
  BatchTooLargeError,
  ConflictError,
  NetworkError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ServerError,
  SkyForgeApiError,
  UnauthorizedError,
  ValidationError,
  WaitTimeoutError,
  FlowWaitTimeoutError,
  type ApiErrorBody,
} from './errors.ts';
export { DEFAULT_FLOW_POLL_MS, DEFAULT_FLOW_WAIT_TIMEOUT_MS, isFlowFinished } from './flows-api.ts';
export { Sha256 } from './sha256.ts';
export { EXECUTE_API_SERVICE, SigV4RequestSigner, type AwsCredentialIdentity, type AwsCredentialIdentityProvider, type SigV4Options } from './sigv4-signer.ts';
export type * from './types.ts';
