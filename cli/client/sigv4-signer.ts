import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { Sha256 } from './sha256.ts';

export type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** IAM-protected API (API Gateway with AWS_IAM auth): how to sign. */
export interface SigV4Options {
  /** The API's Region, e.g. eu-west-1. */
  region: string;
  /** Fixed keys or a provider; default: the SDK's default chain (env, SSO, profile, web identity, IMDS/ECS). */
  credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
}

/** A request exactly as it will be sent. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  /** Query as sent in `url` (already decoded), for the canonical query string. */
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string | undefined;
}

/** API Gateway's signing name. */
export const EXECUTE_API_SERVICE = 'execute-api';

/**
 * Signs API calls with SigV4 for service `execute-api`, using the SDK's own SignatureV4, over the
 * very method, path, query, headers and body that go on the wire.
 *
 * @example
 * const signer = new SigV4RequestSigner({ region: 'eu-west-1' });
 * const headers = await signer.sign({ method: 'GET', url, query: {}, headers: { accept: 'application/json' }, body: undefined });
 */
export class SigV4RequestSigner {
  private readonly signer: SignatureV4;

  constructor(options: SigV4Options) {
    this.signer = new SignatureV4({
      service: EXECUTE_API_SERVICE,
      region: options.region,
      credentials: options.credentials ?? lazyDefaultCredentials(),
      sha256: Sha256,
    });
  }

  /** The headers to send: the given ones plus authorization, x-amz-date, x-amz-content-sha256 (and x-amz-security-token). */
  async sign(request: OutgoingRequest, signingDate: Date = new Date()): Promise<Record<string, string>> {
    const signed = await this.signer.sign(
      {
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        ...(request.url.port ? { port: Number(request.url.port) } : {}),
        path: request.url.pathname,
        query: request.query,
        // fetch sends Host from the URL (host:port, port only when not the default): the same value.
        headers: { ...request.headers, host: request.url.host },
        ...(request.body !== undefined ? { body: request.body } : {}),
      },
      { signingDate },
    );
    const { host: _host, ...headers } = signed.headers;
    return headers;
  }
}

/**
 * The SDK's default credential chain, loaded on first use: a client in token mode (or with
 * fixed credentials) never imports it.
 */
function lazyDefaultCredentials(): AwsCredentialIdentityProvider {
  let provider: Promise<AwsCredentialIdentityProvider> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
    return (await provider)();
  };
}
