import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localClientConfig } from '../../local/aws-client-config.ts';
import { startEmulatedAws, type EmulatedAws } from '../../local/emulated-aws.ts';
import { indexWriteUnits } from '../../local/dynamodb-capacity.ts';
import { itemSizeBytes, readUnitsFor, writeUnitsFor } from '../../local/dynamodb-item-size.ts';

describe('DynamoDB item size rules', () => {
  it('counts names and values in UTF-8 bytes', () => {
    expect(itemSizeBytes({ name: { S: 'abc' } })).toBe(7);
    expect(itemSizeBytes({ n: { S: 'é' } })).toBe(1 + 2);
    expect(itemSizeBytes({ ok: { BOOL: true }, none: { NULL: true } })).toBe(2 + 1 + 4 + 1);
  });

  it('sizes numbers by significant digits', () => {
    expect(itemSizeBytes({ a: { N: '0' } })).toBe(1 + 1);
    expect(itemSizeBytes({ a: { N: '123' } })).toBe(1 + 3);
    expect(itemSizeBytes({ a: { N: '1000' } })).toBe(1 + 2);
    expect(itemSizeBytes({ a: { N: '-0.00012' } })).toBe(1 + 2);
  });

  it('adds 3 bytes per list or map and 1 per element', () => {
    expect(itemSizeBytes({ l: { L: [{ S: 'ab' }, { N: '1' }] } })).toBe(1 + 3 + (1 + 2) + (1 + 2));
    expect(itemSizeBytes({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + (1 + 1 + 1));
    expect(itemSizeBytes({ b: { B: Buffer.from('hello').toString('base64') } })).toBe(1 + 5);
  });

  it('bills writes per started KB and reads per started 4 KB', () => {
    expect(writeUnitsFor(0, 10)).toBe(1);
    expect(writeUnitsFor(1024, 1025)).toBe(2);
    expect(writeUnitsFor(3000, 100)).toBe(3);
    expect(readUnitsFor(0, true)).toBe(1);
    expect(readUnitsFor(4097, true)).toBe(2);
    expect(readUnitsFor(4097, false)).toBe(1);
  });

  it('bills index writes by what changes in the index entry', () => {
    const index = { name: 'byX', keys: ['xpk', 'xsk'], projected: ['type'] };
    const keys = ['pk', 'sk'];
    const base = { pk: { S: 'a' }, sk: { S: 'b' }, body: { S: 'x'.repeat(3000) } };
    const inIndex = { ...base, xpk: { S: 'p' }, xsk: { S: '1' }, type: { S: 't' } };
    expect(indexWriteUnits(index, keys, undefined, base)).toBe(0);
    expect(indexWriteUnits(index, keys, undefined, inIndex)).toBe(1);
    expect(indexWriteUnits(index, keys, inIndex, { ...inIndex, body: { S: 'changed' } })).toBe(0);
    expect(indexWriteUnits(index, keys, inIndex, { ...inIndex, type: { S: 'u' } })).toBe(1);
    expect(indexWriteUnits(index, keys, inIndex, { ...inIndex, xsk: { S: '2' } })).toBe(2);
    expect(indexWriteUnits(index, keys, inIndex, base)).toBe(1);
    expect(indexWriteUnits({ ...index, projected: 'ALL' }, keys, undefined, inIndex)).toBe(4);
  });
});

describe('the edge meters DynamoDB capacity by AWS rules', () => {
  let aws: EmulatedAws;
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  const TableName = 'metered';

  beforeAll(async () => {
    aws = await startEmulatedAws({ port: 0, dataDir: null, meterCapacity: true });
    await aws.clients.dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'g1pk', AttributeType: 'S' },
          { AttributeName: 'g1sk', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byG1',
            KeySchema: [
              { AttributeName: 'g1pk', KeyType: 'HASH' },
              { AttributeName: 'g1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type'] },
          },
        ],
      }),
    );
    client = new DynamoDBClient(localClientConfig(aws.url));
    doc = DynamoDBDocumentClient.from(client);
  });

  afterAll(async () => {
    client?.destroy();
    await aws?.close();
  });

  const delta = async (work: () => Promise<unknown>) => {
    const before = aws.usage();
    await work();
    const after = aws.usage();
    const diff = (a: Record<string, number> = {}, b: Record<string, number> = {}) =>
      Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => v !== 0));
    return {
      writes: diff(after.dynamodb?.writeUnits, before.dynamodb?.writeUnits),
      reads: diff(after.dynamodb?.readUnitsByOperation, before.dynamodb?.readUnitsByOperation),
      calls: diff(after.calls, before.calls),
      failed: (after.dynamodb?.failedConditionalWrites ?? 0) - (before.dynamodb?.failedConditionalWrites ?? 0),
    };
  };

  it('charges a put by the item size and an index entry once', async () => {
    const big = 'x'.repeat(1500);
    expect((await delta(() => doc.send(new PutCommand({ TableName, Item: { pk: 'a', sk: 'A', body: big } }))))).toMatchObject({
      writes: { metered: 2 },
      calls: { 'DynamoDB.PutItem': 1 },
    });
    const withIndex = await delta(() => doc.send(new PutCommand({ TableName, Item: { pk: 'b', sk: 'B', body: big, g1pk: 'p', g1sk: '1', type: 't' } })));
    expect(withIndex.writes).toEqual({ metered: 2, 'metered/index/byG1': 1 });
  });

  it('charges the larger of old and new item, and two index writes for a moved key', async () => {
    const shrink = await delta(() =>
      doc.send(new UpdateCommand({ TableName, Key: { pk: 'b', sk: 'B' }, UpdateExpression: 'SET body = :s', ExpressionAttributeValues: { ':s': 'small' } })),
    );
    expect(shrink.writes).toEqual({ metered: 2 });
    const moved = await delta(() =>
      doc.send(new UpdateCommand({ TableName, Key: { pk: 'b', sk: 'B' }, UpdateExpression: 'SET g1sk = :s', ExpressionAttributeValues: { ':s': '2' } })),
    );
    expect(moved.writes).toEqual({ metered: 1, 'metered/index/byG1': 2 });
  });

  it('charges a write refused by its condition and changes nothing', async () => {
    const refused = await delta(async () => {
      await expect(
        doc.send(new PutCommand({ TableName, Item: { pk: 'a', sk: 'A', body: 'new' }, ConditionExpression: 'attribute_not_exists(pk)' })),
      ).rejects.toThrow(/conditional/i);
    });
    expect(refused.failed).toBe(1);
    expect(refused.writes).toEqual({ metered: 2 });
    const item = await doc.send(new GetCommand({ TableName, Key: { pk: 'a', sk: 'A' } }));
    expect((item.Item?.['body'] as string).length).toBe(1500);
  });

  it('charges a delete of an indexed item on the index too', async () => {
    const removed = await delta(() => doc.send(new DeleteCommand({ TableName, Key: { pk: 'b', sk: 'B' } })));
    expect(removed.writes).toEqual({ metered: 1, 'metered/index/byG1': 1 });
  });

  it('charges reads per 4 KB, half when eventually consistent', async () => {
    await doc.send(new PutCommand({ TableName, Item: { pk: 'c', sk: 'C', body: 'y'.repeat(5000) } }));
    expect((await delta(() => doc.send(new GetCommand({ TableName, Key: { pk: 'c', sk: 'C' }, ConsistentRead: true })))).reads).toEqual({ GetItem: 2 });
    expect((await delta(() => doc.send(new GetCommand({ TableName, Key: { pk: 'c', sk: 'C' } })))).reads).toEqual({ GetItem: 1 });
  });

  it("neither counts nor meters the local cloud's own requests", async () => {
    const own = await delta(() => aws.clients.dynamodb.send(new CreateTableCommand({
      TableName: 'other',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    })));
    expect(own).toEqual({ writes: {}, reads: {}, calls: {}, failed: 0 });
  });

  it('stops metering when turned off, and still counts calls', async () => {
    aws.setCapacityMetering(false);
    try {
      const before = aws.usage();
      await doc.send(new PutCommand({ TableName, Item: { pk: 'd', sk: 'D' } }));
      const after = aws.usage();
      expect(after.dynamodb).toBeNull();
      expect((after.calls['DynamoDB.PutItem'] ?? 0) - (before.calls['DynamoDB.PutItem'] ?? 0)).toBe(1);
    } finally {
      aws.setCapacityMetering(true);
    }
  });
});
