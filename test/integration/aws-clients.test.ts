import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, CreateQueueCommand } from '@aws-sdk/client-sqs';
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

  it('uses the AWS endpoints when no endpoint is set', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', endpoint: undefined });
    expect(clients.sqs.config.endpoint).toBeUndefined();
    expect(await clients.dynamo.config.region()).toBe('eu-west-1');
  });
});
