import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { chain, CredentialsProviderError, memoize } from '@smithy/core/config';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Logger } from '@smithy/types';

/** What the SDK clients pass to their `credentialDefaultProvider` (a subset of credential-provider-node's init). */
export interface LambdaCredentialProviderInit {
  logger?: Logger;
}

/** Refresh five minutes before expiry, as @aws-sdk/credential-provider-node does. */
const REFRESH_MARGIN_MS = 300_000;

/**
 * The AWS SDK's default credential chain as a Lambda function needs it: the bundles alias
 * `@aws-sdk/credential-provider-node` to this module (infra/bundling.ts). The SDK's own chain
 * also tries SSO, shared ini files, credential processes, web identity tokens and EC2 instance
 * metadata, and for that bundles STS, SSO, SSO-OIDC and Sign-In clients: about 120 KB of
 * minified code and a fifth of the module init, none of which can run in Lambda. Lambda puts
 * the role's keys in the environment (the first link); container credentials
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI) are the second, for runtimes that serve
 * them over HTTP. Only the bundles use it: the local cloud and the CLI run with the SDK's chain.
 *
 * @example
 * new SQSClient({ credentialDefaultProvider: defaultProvider }); // what the alias amounts to
 */
export function defaultProvider(init: LambdaCredentialProviderInit = {}): AwsCredentialIdentityProvider {
  return memoize(
    chain(
      fromEnv(init),
      // fromHttp reads its settings (and throws when there are none) when it is built: build it at the first call.
      async () => fromHttp(init)(),
      async () => {
        throw new CredentialsProviderError(
          'no AWS credentials: a SkyForge Lambda bundle takes them from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) ' +
            'or the container credentials endpoint only',
          { tryNextLink: false, ...(init.logger ? { logger: init.logger } : {}) },
        );
      },
    ),
    (credentials: AwsCredentialIdentity) => credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS,
    (credentials: AwsCredentialIdentity) => credentials.expiration !== undefined,
  );
}
