/** The fixed account id of the local cloud; queue URLs and ARNs carry it, as LocalStack's do. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/**
 * Dummy credentials: the emulators do not check signatures, but the SDK refuses to sign without
 * credentials, and we never want a developer's real keys on the wire, even to localhost.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Configuration for an AWS SDK v3 client that talks to the local cloud's edge port.
 *
 * @example
 * const sqs = new SQSClient(localClientConfig('http://127.0.0.1:4566'));
 */
export function localClientConfig(endpoint: string, region: string = LOCAL_REGION): LocalClientConfig {
  return { endpoint, region, credentials: { ...LOCAL_CREDENTIALS } };
}
