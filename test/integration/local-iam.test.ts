import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliOptions } from '../../local/cli-options.ts';
import { startLocalCloud, type LocalCloud, type LocalCloudHandlers } from '../../local/cloud.ts';

/**
 * The local IAM on the wire, with the AWS SDK a handler uses: a call signed as a function that
 * its policy does not allow fails with an error named AccessDeniedException in each service's
 * protocol; the same call with any other key (the tests', the AWS CLI's) is not checked; and
 * `iam: false` (`--no-iam`) checks nothing. The functions are stubs (no handler modules load).
 */
const STUBS: LocalCloudHandlers = {
  api: async () => ({ statusCode: 200, body: '' }),
  metrics: async () => ({ statusCode: 200, body: '' }),
  worker: async () => ({ batchItemFailures: [] }),
  deadLetter: async () => ({ batchItemFailures: [] }),
};

function clientsAs(cloud: LocalCloud, accessKeyId: string) {
  const config = { endpoint: cloud.edgeUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'local' }, maxAttempts: 1 };
  return { dynamodb: new DynamoDBClient(config), sqs: new SQSClient(config), scheduler: new SchedulerClient(config) };
}

/** The three calls the metrics function's role may not make (it only reads). */
function forbiddenCalls(cloud: LocalCloud, clients: ReturnType<typeof clientsAs>) {
  return {
    dynamodb: () =>
      clients.dynamodb.send(new PutItemCommand({ TableName: cloud.resources.tableName, Item: { pk: { S: 'iam-test' }, sk: { S: 'x' } } })),
    sqs: () => clients.sqs.send(new SendMessageCommand({ QueueUrl: cloud.resources.queueUrls.low, MessageBody: 'iam-test' })),
    scheduler: () =>
      clients.scheduler.send(
        new CreateScheduleCommand({
          Name: 'iam-test',
          GroupName: cloud.resources.scheduleGroupName,
          ScheduleExpression: 'cron(0 3 1 1 ? *)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: cloud.resources.queueArns.low, RoleArn: cloud.resources.schedulerRoleArn, Input: '{}' },
        }),
      ),
  };
}

describe('local IAM on the wire', () => {
  let cloud: LocalCloud;
  let metrics: ReturnType<typeof clientsAs>;
  let developer: ReturnType<typeof clientsAs>;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, handlers: STUBS });
    metrics = clientsAs(cloud, 'skyforge-metrics');
    developer = clientsAs(cloud, 'test');
  });
  afterAll(async () => {
    for (const c of [metrics, developer]) for (const client of Object.values(c ?? {})) client.destroy();
    await cloud?.stop();
  });

  it.each([
    ['dynamodb', 400, 'dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/skyforge-jobs'],
    ['sqs', 403, 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:skyforge-low'],
    ['scheduler', 403, 'scheduler:CreateSchedule', 'arn:aws:scheduler:us-east-1:000000000000:schedule/skyforge-schedules/iam-test'],
  ] as const)('%s: the SDK throws AccessDeniedException (HTTP %i) naming the identity, %s and the resource', async (service, status, action, resource) => {
    // Act
    const error = await forbiddenCalls(cloud, metrics)[service]().then(
      () => undefined,
      (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
    );

    // Assess
    expect(error?.name).toBe('AccessDeniedException');
    expect(error?.$metadata?.httpStatusCode).toBe(status);
    expect(error?.message).toMatch(
      new RegExp(`^User: arn:aws:sts::000000000000:assumed-role/\\S+/skyforge-metrics is not authorized to perform: ${action} on resource: ${resource.replace(/[/.]/g, '\\$&')} because no identity-based policy allows the ${action} action$`),
    );
  });

  it('lets the function do what its policy allows', async () => {
    const out = await metrics.sqs.send(new GetQueueAttributesCommand({ QueueUrl: cloud.resources.queueUrls.low, AttributeNames: ['All'] }));

    expect(out.Attributes?.VisibilityTimeout).toBeDefined();
  });

  it('does not check calls signed with any other key', async () => {
    const calls = forbiddenCalls(cloud, developer);

    await expect(calls.dynamodb()).resolves.toBeDefined();
    await expect(calls.sqs()).resolves.toMatchObject({ MessageId: expect.any(String) });
    await expect(calls.scheduler()).resolves.toMatchObject({ ScheduleArn: expect.stringContaining('iam-test') });
    // Only the four calls above were checked as the metrics function (the pollers sign as theirs).
    expect(cloud.iam?.checked()['skyforge-metrics']).toBe(4);
    expect(cloud.iam?.checked()['skyforge-worker']).toBeGreaterThan(0);
  });
});

describe('--no-iam', () => {
  it('is a flag of npm start (on by default)', () => {
    expect(parseCliOptions([], {}).iam).toBe(true);
    expect(parseCliOptions(['--no-iam'], {}).iam).toBe(false);
  });

  it('checks nothing: a call the policy forbids goes through', async () => {
    const cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, handlers: STUBS, iam: false });
    const metrics = clientsAs(cloud, 'skyforge-metrics');
    try {
      expect(cloud.iam).toBeNull();
      await expect(forbiddenCalls(cloud, metrics).sqs()).resolves.toMatchObject({ MessageId: expect.any(String) });
    } finally {
      for (const client of Object.values(metrics)) client.destroy();
      await cloud.stop();
    }
  });
});
