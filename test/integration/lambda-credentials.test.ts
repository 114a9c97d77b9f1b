import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleSource, type BuiltBundle } from '../../bench/cold-start/bundle.ts';
import { startEmulatedAws } from '../../local/emulated-aws.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A client built without credentials, as the SDK's default chain would serve them. */
const SOURCE = `import { SQSClient, ListQueuesCommand, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
export async function queueNames(endpoint, name) {
  const sqs = new SQSClient({ region: 'eu-west-1', endpoint, maxAttempts: 1 });
  await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
  return QueueUrls ?? [];
}
/** SendMessage and ReceiveMessage: the SDK checks the MD5 of the body both ways (the bundles' Md5). */
export async function roundTrip(endpoint, name, body) {
  const sqs = new SQSClient({ region: 'eu-west-1', endpoint, maxAttempts: 1 });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } } }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }));
  return Messages ?? [];
}
/** A DynamoDB client: built with the endpoint-discovery stand-in, then one call. */
export async function tableNames(endpoint) {
  const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint, maxAttempts: 1 });
  return (await dynamo.send(new ListTablesCommand({}))).TableNames ?? [];
}
export const handler = async () => null;
`;

/**
 * The Lambda bundles replace the SDK's default credential chain (infra/bundling.ts): bundled with
 * the functions' own settings, a client still signs with the environment's keys, and refuses
 * clearly without them; none of the chain's other providers (and their STS/SSO clients) is in it.
 */
describe('the Lambda bundles\u2019 credential chain', () => {
  let aws: Awaited<ReturnType<typeof startEmulatedAws>>;
  let work: string;
  let built: BuiltBundle;
  let bundle: {
    queueNames: (endpoint: string, name: string) => Promise<string[]>;
    roundTrip: (endpoint: string, name: string, body: string) => Promise<{ Body?: string; MD5OfBody?: string }[]>;
    tableNames: (endpoint: string) => Promise<string[]>;
  };

  beforeAll(async () => {
    aws = await startEmulatedAws({ port: 0, dataDir: null, log: () => undefined });
    work = await mkdtemp(join(tmpdir(), 'skyforge-credentials-'));
    const layout = { projectRoot: ROOT, jobRegistryEntry: join(ROOT, 'shared', 'jobs', 'default-registry.ts') };
    built = await bundleSource(SOURCE, join(work, 'entry.mjs'), layout, join(work, 'out'));
    bundle = (await import(pathToFileURL(built.file).href)) as typeof bundle;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await aws?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('bundles neither the SDK chain nor the clients it needs (STS, SSO, Sign-In)', () => {
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.some((i) => i.includes('lambda-credential-provider'))).toBe(true);
    expect(inputs.filter((i) => /credential-provider-(node|ini|sso|process|web-identity|login)|nested-clients|token-providers/.test(i))).toEqual([]);
  });

  it('signs with the keys in the environment', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'bundle-test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'bundle-test-secret');
    const urls = await bundle.queueNames(aws.url, 'bundle-credentials');
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/\/bundle-credentials$/);
  });

  it('sends and receives through the bundled SQS client (MD5 checks) and calls DynamoDB (endpoint cache)', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'bundle-test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'bundle-test-secret');
    const body = 'grüße from the bundle';
    const [message, ...more] = await bundle.roundTrip(aws.url, 'bundle-round-trip', body);
    expect(more).toEqual([]);
    expect(message?.Body).toBe(body);
    expect(message?.MD5OfBody).toBe(createHash('md5').update(body).digest('hex'));
    expect(Array.isArray(await bundle.tableNames(aws.url))).toBe(true);
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.filter((i) => /submodules\/(checksum|event-streams)\/|mnemonist|endpoint-cache|middleware-endpoint-discovery/.test(i))).toEqual([]);
  });

  it('fails with a clear message when the environment has no keys', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', '');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', '');
    await expect(bundle.queueNames(aws.url, 'bundle-no-credentials')).rejects.toThrow(/no AWS credentials: a SkyForge Lambda bundle/);
  });
});
