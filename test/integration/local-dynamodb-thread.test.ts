import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startEmulatedAws, type EmulatedAws } from '../../local/emulated-aws.ts';
import { createSimpleTable, uniqueName } from '../support/dynamo.ts';

// dynalite runs in a worker thread behind the edge (local/dynamodb.ts): these tests check that
// what crosses the thread boundary is still dynalite's own answer, to the right caller, and that
// its LevelDB folder is closed and reopened as before.

describe('dynalite in its thread', () => {
  let aws: EmulatedAws;

  beforeAll(async () => {
    aws = await startEmulatedAws({ port: 0, dataDir: null });
  });

  afterAll(async () => {
    await aws?.close();
  });

  it('answers with dynalite\'s own wire shape: request id and a CRC32 of the exact body', async () => {
    // Act: a call without a signature, which dynalite itself refuses
    const response = await fetch(`${aws.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    const body = await response.text();

    // Assess
    expect(response.status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ __type: 'com.amazon.coral.service#MissingAuthenticationTokenException' });
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[A-Z0-9]{52}$/);
    expect(response.headers.get('x-amz-crc32')).toBe(String(crc32(body)));
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
  });

  it('gives each of many concurrent calls its own answer', async () => {
    // Prepare
    const tableName = uniqueName('thread-table');
    await createSimpleTable(aws.clients.dynamodb, tableName);
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k) => aws.clients.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: k }, v: { S: `value of ${k}` } } }))));

    // Act
    const items = await Promise.all(keys.map((k) => aws.clients.dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: k } } }))));

    // Assess
    expect(items.map((r) => r.Item?.['v']?.S)).toEqual(keys.map((k) => `value of ${k}`));
  });
});

describe('dynalite in its thread, with a data folder', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'skyforge-dynamodb-thread-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('closes its LevelDB on close, so the same process reopens the folder with the data in it', async () => {
    // Prepare
    const tableName = uniqueName('kept');
    const first = await startEmulatedAws({ port: 0, dataDir });
    await createSimpleTable(first.clients.dynamodb, tableName);
    await first.clients.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'a' }, v: { N: '7' } } }));
    await first.close();

    // Act
    const second = await startEmulatedAws({ port: 0, dataDir });
    try {
      const item = await second.clients.dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } }, ConsistentRead: true }));

      // Assess
      expect(item.Item).toEqual({ pk: { S: 'a' }, v: { N: '7' } });
    } finally {
      await second.close();
    }
  });
});
