import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulatedAws } from '../../local/emulated-aws.ts';
import { createAwsClients } from '../../shared/adapters/aws-clients.ts';

/** The one client factory takes the endpoint (AWS_ENDPOINT_URL, parsed by the loader), so handlers reach LocalStack or the local cloud. */
describe('createAwsClients', () => {
  let aws: Awaited<ReturnType<typeof startEmulatedAws>>;
  beforeAll(async () => {
    aws = await startEmulatedAws({ port: 0, dataDir: null, log: () => undefined });
    // Credentials come from the SDK's own provider chain (the process environment in Lambda).
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await aws.close();
  });

  it('sends DynamoDB and SQS calls to AWS_ENDPOINT_URL', async () => {
    const clients = createAwsClients({ endpoint: aws.url, region: 'eu-west-1' });
    await clients.sqs.send(new CreateQueueCommand({ QueueName: 'wiring-check' }));
    const queues = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'wiring-' }));
    expect(queues.QueueUrls?.[0]).toMatch(/\/wiring-check$/);
    const tables = await clients.dynamo.send(new ListTablesCommand({}));
    expect(Array.isArray(tables.TableNames)).toBe(true);
    expect(await clients.sqs.config.region()).toBe('eu-west-1');
  });

  it('leaves out the SDK logger middleware (nothing logs) and keeps each call its own input with the cached middleware', async () => {
    const clients = createAwsClients({ endpoint: aws.url, region: 'eu-west-1' });
    for (const client of [clients.sqs, clients.dynamo, clients.scheduler]) {
      expect(client.middlewareStack.identify().some((name) => name.startsWith('loggerMiddleware'))).toBe(false);
      expect(client.middlewareStack.identify().some((name) => name.startsWith('serializerMiddleware'))).toBe(true);
    }
    const names = ['cache-check-a', 'cache-check-b', 'cache-check-c'];
    await Promise.all(names.map((QueueName) => clients.sqs.send(new CreateQueueCommand({ QueueName }))));
    // Same command class, different inputs, at once: the cached handler must not mix them up.
    const urls = await Promise.all(names.map((QueueName) => clients.sqs.send(new GetQueueUrlCommand({ QueueName }))));
    expect(urls.map((answer) => answer.QueueUrl?.split('/').pop())).toEqual(names);
  });

  it('uses the AWS endpoints when no endpoint is set', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', endpoint: undefined });
    expect(clients.sqs.config.endpoint).toBeUndefined();
    expect(await clients.dynamo.config.region()).toBe('eu-west-1');
  });
});
