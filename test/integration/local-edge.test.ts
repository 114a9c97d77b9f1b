import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startEmulatedAws, type EmulatedAws } from '../../local/emulated-aws.ts';
import { createSimpleTable, uniqueName } from '../support/dynamo.ts';
import { startEdgeServer } from '../../local/edge.ts';
import { sqsRoute, type SqsRequestHandler } from '../../local/edge-routes.ts';

let aws: EmulatedAws;
/** What the local cloud logged (a route that failed, with its error). */
const awsLog: string[] = [];

beforeAll(async () => {
  aws = await startEmulatedAws({ port: 0, dataDir: null, log: (line) => void awsLog.push(line) });
});

afterAll(async () => {
  await aws?.close();
});

async function rawAwsCall(target: string | undefined, body = '{}', method = 'POST'): Promise<Response> {
  return fetch(`${aws.url}/`, {
    method,
    headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}) },
    ...(method === 'POST' ? { body } : {}),
  });
}

describe('edge router', () => {
  it('serves DynamoDB and SQS SDK clients on one URL', async () => {
    // Prepare
    const tableName = uniqueName('edge-table');
    await createSimpleTable(aws.clients.dynamodb, tableName);
    const { QueueUrl } = await aws.clients.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('edge-queue') }));

    // Act
    await aws.clients.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    const item = await aws.clients.dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } }));
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const received = await aws.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));

    // Assess
    expect(item.Item).toEqual({ pk: { S: 'a' }, v: { N: '1' } });
    expect(QueueUrl).toBe(`${aws.url}/000000000000/${QueueUrl?.split('/').at(-1)}`);
    expect(received.Messages?.map((m) => m.Body)).toEqual(['hello']);
  });

  it.each([
    ['an unknown X-Amz-Target', 'AWSEvents.PutEvents', 'POST'],
    ['no X-Amz-Target', undefined, 'POST'],
    ['a GET without target', undefined, 'GET'],
  ])('answers %s with a JSON 400 in the AWS error shape', async (_, target, method) => {
    // Act
    const response = await rawAwsCall(target, '{}', method);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe('com.amazon.coral.service#UnknownOperationException');
    expect(body.message).toMatch(target ?? 'No emulated AWS service');
  });

  it('survives a DynamoDB client hanging up in the middle of its request body', async () => {
    // Prepare
    const { port } = new URL(aws.url);
    const listTablesBefore = aws.calls.get('DynamoDB.ListTables') ?? 0;
    const logBefore = awsLog.length;

    // Act: announce 1,000 bytes, send 10, hang up once the edge has taken the request.
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0', 'content-length': '1000' },
    });
    const closed = new Promise<void>((resolve) => {
      req.on('error', () => resolve());
      req.on('close', () => resolve());
    });
    req.write('{"Limit":1');
    await expect.poll(() => aws.calls.get('DynamoDB.ListTables') ?? 0, { timeout: 5_000, interval: 10 }).toBe(listTablesBefore + 1);
    req.destroy();
    await closed;
    // The edge has seen the hang-up: its read of the body failed (and it answered a gone client).
    await expect.poll(() => awsLog.slice(logBefore).join('\n'), { timeout: 5_000, interval: 10 }).toMatch(/^dynamodb failed: .*aborted/m);

    // Assess: the edge (and dynalite behind it) still answers.
    const tables = await aws.clients.dynamodb.send(new ListTablesCommand({}));
    expect(Array.isArray(tables.TableNames)).toBe(true);
  });

  it('answers the health route with the services it routes to', async () => {
    const response = await fetch(`${aws.url}/_skyforge/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ services: { dynamodb: 'running', sqs: 'running', scheduler: 'running', health: 'running' } });
  });
});

describe('DynamoDB TTL emulation', () => {
  it('enables TTL once, like DynamoDB, and describes it', async () => {
    // Prepare
    const tableName = uniqueName('ttl-table');
    await createSimpleTable(aws.clients.dynamodb, tableName);
    const enable = new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });

    // Act
    const before = await aws.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const first = await aws.clients.dynamodb.send(enable);
    const second = await aws.clients.dynamodb.send(enable).catch((error: unknown) => error);
    const after = await aws.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));

    // Assess
    expect(before.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
    expect(first.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(second).toMatchObject({ name: 'ValidationException', message: 'TimeToLive is already enabled' });
    expect(after.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('answers ResourceNotFoundException for a missing table', async () => {
    await expect(
      aws.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: uniqueName('missing') })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('sweeps expired items only: numbers in the past, not future, string or ancient ones', async () => {
    // Prepare
    const tableName = uniqueName('sweep-table');
    await createSimpleTable(aws.clients.dynamodb, tableName);
    await aws.clients.dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } }),
    );
    const now = Math.floor(Date.now() / 1000);
    const items: Record<string, { N: string } | { S: string } | undefined> = {
      expired: { N: String(now - 10) },
      future: { N: String(now + 3600) },
      text: { S: String(now - 10) },
      ancient: { N: String(now - 6 * 365 * 24 * 3600) },
      none: undefined,
    };
    for (const [pk, ttl] of Object.entries(items)) {
      await aws.clients.dynamodb.send(
        new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk }, ...(ttl ? { ttl } : {}) } }),
      );
    }

    // Act
    const deleted = await aws.ttlSweeper.sweep();

    // Assess
    const left = await aws.clients.dynamodb.send(new ScanCommand({ TableName: tableName }));
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect((left.Items ?? []).map((i) => i['pk']?.S).sort()).toEqual(['ancient', 'future', 'none', 'text']);
  });
});

describe('SQS route', () => {
  it('makes messages of a long poll whose client hung up visible again', async () => {
    // Prepare: a fake emulator that hands out a message only after the client has gone.
    const calls: Array<{ target: string; body: unknown }> = [];
    const fake: SqsRequestHandler = {
      async handle(target, body, signal) {
        calls.push({ target, body: JSON.parse(body.toString('utf8')) as unknown });
        if (target === 'AmazonSQS.ReceiveMessage') {
          await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
          return { status: 200, headers: {}, body: JSON.stringify({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'rh-1' }] }) };
        }
        return { status: 200, headers: {}, body: '{}' };
      },
    };
    const edge = await startEdgeServer({ port: 0, routes: [sqsRoute(fake)] });
    const aborted = new AbortController();

    // Act
    const poll = fetch(`${edge.url}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.ReceiveMessage', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ QueueUrl: 'http://x/000000000000/q', WaitTimeSeconds: 20 }),
      signal: aborted.signal,
    });
    // The edge has handed the long poll to the emulator, which now waits for a message.
    await expect.poll(() => calls.length, { timeout: 5_000, interval: 10 }).toBe(1);
    aborted.abort();
    await poll.catch(() => undefined);
    await expect.poll(() => calls.length).toBe(2);
    await edge.close();

    // Assess
    expect(calls[1]).toEqual({
      target: 'AmazonSQS.ChangeMessageVisibilityBatch',
      body: { QueueUrl: 'http://x/000000000000/q', Entries: [{ Id: '0', ReceiptHandle: 'rh-1', VisibilityTimeout: 0 }] },
    });
  });
});
