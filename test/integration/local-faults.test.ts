import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliOptions } from '../../local/cli-options.ts';
import { startEmulatedAws } from '../../local/emulated-aws.ts';
import { FAULTS, FaultInjector } from '../../local/faults/fault-injector.ts';

/**
 * Injected faults on the wire: the SDK in a function parses each one into the exception AWS
 * would raise, with AWS's status; other callers and the pollers' receives are never faulted.
 */
describe('fault injection at the edge', () => {
  let aws: Awaited<ReturnType<typeof startEmulatedAws>>;
  let faults: FaultInjector;
  const clientConfig = (accessKeyId: string) => ({
    endpoint: '',
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  beforeAll(async () => {
    aws = await startEmulatedAws({ port: 0, dataDir: null, log: () => undefined });
    faults = new FaultInjector({ rate: 0.5, seed: 7, functions: ['skyforge-worker'] });
    aws.setGuard(faults);
    await new DynamoDBClient({ ...clientConfig('test'), endpoint: aws.url }).send(
      new CreateTableCommand({
        TableName: 'faults',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await new SQSClient({ ...clientConfig('test'), endpoint: aws.url }).send(new CreateQueueCommand({ QueueName: 'faults' }));
  });
  afterAll(async () => aws.close());

  async function outcomes(call: () => Promise<unknown>, times = 60): Promise<{ ok: number; errors: Record<string, number[]> }> {
    const seen = { ok: 0, errors: {} as Record<string, number[]> };
    for (let i = 0; i < times; i += 1) {
      try {
        await call();
        seen.ok += 1;
      } catch (error) {
        const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
        (seen.errors[e.name] ??= []).push(e.$metadata?.httpStatusCode ?? 0);
      }
    }
    return seen;
  }

  it.each([
    ['dynamodb', () => new DynamoDBClient({ ...clientConfig('skyforge-worker'), endpoint: aws.url }), (c: DynamoDBClient) => c.send(new GetItemCommand({ TableName: 'faults', Key: { pk: { S: 'x' } } }))],
    ['sqs', () => new SQSClient({ ...clientConfig('skyforge-worker'), endpoint: aws.url }), async (c: SQSClient) => c.send(new SendMessageCommand({ QueueUrl: `${aws.url}/000000000000/faults`, MessageBody: 'x' }))],
    ['scheduler', () => new SchedulerClient({ ...clientConfig('skyforge-worker'), endpoint: aws.url }), (c: SchedulerClient) => c.send(new GetScheduleGroupCommand({ Name: 'default' }))],
  ] as const)('%s: about half the calls fail with AWS\'s exceptions and statuses', async (service, make, call) => {
    // Act
    const client = make();
    const seen = await outcomes(() => (call as (c: typeof client) => Promise<unknown>)(client));

    // Assess: every error is one of the service's faults, with its status.
    const expected = Object.fromEntries(FAULTS[service].map((f) => [f.name, f.status]));
    expect(Object.keys(seen.errors).length).toBeGreaterThan(0);
    for (const [name, statuses] of Object.entries(seen.errors)) {
      if (service === 'scheduler' && name === 'ResourceNotFoundException') continue; // the call itself (no such group)
      expect(expected[name], `${name} is not a ${service} fault`).toBeDefined();
      for (const status of statuses) expect(status).toBe(expected[name]);
    }
    const faulted = Object.entries(seen.errors).filter(([name]) => name in expected).reduce((n, [, s]) => n + s.length, 0);
    expect(faulted).toBeGreaterThan(10);
    expect(faulted).toBeLessThan(50);
  });

  it('never faults another key, nor the pollers\' receives', async () => {
    const before = JSON.stringify(faults.snapshot());
    const other = new SQSClient({ ...clientConfig('test'), endpoint: aws.url });
    const poller = new SQSClient({ ...clientConfig('skyforge-worker'), endpoint: aws.url });
    const queueUrl = `${aws.url}/000000000000/faults`;
    expect((await outcomes(() => other.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })), 30)).ok).toBe(30);
    expect((await outcomes(() => poller.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 })), 30)).ok).toBe(30);
    expect(JSON.stringify(faults.snapshot())).toBe(before);
  });

  it('counts what it injected, as Prometheus lines, and calls with maxAttempts 1 as not absorbed', () => {
    const { injected, unabsorbed } = faults.snapshot();
    expect(Object.keys(injected).length).toBeGreaterThan(3);
    expect(unabsorbed).toEqual(injected);
    expect(faults.exposition()).toMatch(/^skyforge_local_faults_injected_total\{service="dynamodb",error="\w+"\} \d+$/m);
  });

  it('draws the same faults from the same seed', () => {
    const req = { headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, method: 'POST', url: '/' } as never;
    const draw = (seed: number) => {
      const injector = new FaultInjector({ rate: 0.3, seed, functions: [] });
      return Array.from({ length: 50 }, () => injector.decide(req)?.status ?? 0).join(',');
    };
    expect(draw(3)).toBe(draw(3));
    expect(draw(3)).not.toBe(draw(4));
  });

  it.each([
    [['--faults', '0.05', '--faults-seed', '9'], {}, { faults: 0.05, faultsSeed: 9 }],
    [[], { SKYFORGE_FAULTS: '0.2', SKYFORGE_FAULTS_SEED: '4' }, { faults: 0.2, faultsSeed: 4 }],
    [[], {}, { faults: 0, faultsSeed: 1 }],
  ])('npm start %j with env %j turns faults on as asked', (argv, env, expected) => {
    expect(parseCliOptions(argv, env)).toMatchObject(expected);
  });

  it.each([['0.6'], ['-0.1'], ['lots']])('refuses --faults %s with a usage error', (rate) => {
    expect(() => parseCliOptions(['--faults', rate], {})).toThrow(/between 0 and 0.5/);
  });
});
