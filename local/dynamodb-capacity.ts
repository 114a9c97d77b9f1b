import { itemSizeBytes, readUnitsFor, writeUnitsFor, type WireItem } from './dynamodb-item-size.ts';

/**
 * Header that marks the local cloud's own requests to the edge (the capacity meter's reads, the
 * TTL emulation): on AWS they would not exist, so the edge neither counts nor meters them.
 */
export const INTERNAL_REQUEST_HEADER = 'x-skyforge-internal';

/** What DynamoDB would bill, by DynamoDB's rules, for the requests the meter saw. */
export interface DynamoDbCapacity {
  /** Write request units by table and by index (`<table>` and `<table>/index/<name>`). */
  writeUnits: Record<string, number>;
  /** Write request units (table plus index writes) by operation. */
  writeUnitsByOperation: Record<string, number>;
  /** Read request units by operation. */
  readUnitsByOperation: Record<string, number>;
  /** Writes refused by their condition (billed, changing nothing). */
  failedConditionalWrites: number;
  /** Per operation: items written and the sum of their sizes after the write (bytes, DynamoDB's rules). */
  itemsWritten: Record<string, { count: number; bytes: number }>;
}

/** The response of one request, as dynalite sent it. */
export interface ForwardedResponse {
  status: number;
  body: string;
}

interface IndexSchema {
  name: string;
  keys: string[];
  /** Attributes the index stores besides its keys and the table's keys, or 'ALL'. */
  projected: string[] | 'ALL';
}

interface TableSchema {
  keys: string[];
  indexes: IndexSchema[];
}

interface WriteTarget {
  table: string;
  key: WireItem;
}

/** Sends one DynamoDB JSON request to dynalite, marked internal. */
export type InternalDynamoDbCall = (operation: string, body: unknown) => Promise<ForwardedResponse>;

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
/** Storage overhead DynamoDB adds to every index entry. */
const INDEX_ENTRY_OVERHEAD_BYTES = 100;

/**
 * Meters DynamoDB capacity the way AWS bills it, which dynalite cannot: a write costs 1 WRU per
 * started KB of the larger of the old and new item, plus, per global secondary index, one write
 * when an entry appears, disappears or changes its projected attributes, and two (delete + put)
 * when its key changes; a write refused by its condition still costs the item's size. Reads cost
 * 1 RRU per started 4 KB of what they return (half when eventually consistent).
 *
 * Every write is wrapped in a consistent read of the item before and after it, serialized per
 * item, so concurrent writes to one item are metered one at a time. That doubles dynalite's work:
 * the local cloud meters only when asked (the cost benchmark), never by default.
 *
 * @example
 * const meter = new DynamoDbCapacityMeter(internalCall);
 * await meter.meter('PutItem', requestBody, () => forwardToDynalite());
 */
export class DynamoDbCapacityMeter {
  private readonly schemas = new Map<string, Promise<TableSchema>>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly capacity: DynamoDbCapacity = {
    writeUnits: {},
    writeUnitsByOperation: {},
    readUnitsByOperation: {},
    failedConditionalWrites: 0,
    itemsWritten: {},
  };

  constructor(private readonly call: InternalDynamoDbCall) {}

  /** A copy of the totals so far. */
  snapshot(): DynamoDbCapacity {
    return structuredClone(this.capacity);
  }

  /** Runs `forward` (the request itself) and meters it. */
  async meter(operation: string, requestBody: Buffer, forward: () => Promise<ForwardedResponse>): Promise<void> {
    if (!WRITE_OPERATIONS.has(operation) && !READ_OPERATIONS.has(operation)) {
      await forward();
      return;
    }
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(requestBody.toString('utf8')) as Record<string, unknown>;
    } catch {
      await forward(); // dynalite answers the malformed request itself
      return;
    }
    if (READ_OPERATIONS.has(operation)) {
      const response = await forward();
      if (response.status === 200) this.addReads(operation, request, response.body);
      return;
    }
    const targets = await this.writeTargets(operation, request);
    if (targets === undefined) {
      await forward();
      return;
    }
    await this.withLocks(targets, async () => {
      const before = await Promise.all(targets.map((t) => this.readItem(t)));
      const response = await forward();
      if (response.status === 200) {
        const after = await Promise.all(targets.map((t) => this.readItem(t)));
        for (const [i, target] of targets.entries()) await this.addWrite(operation, target.table, before[i], after[i]);
      } else if (response.body.includes('ConditionalCheckFailedException')) {
        this.capacity.failedConditionalWrites += 1;
        const item = before[0];
        this.add(this.capacity.writeUnits, targets[0]?.table ?? '?', writeUnitsFor(item ? itemSizeBytes(item) : 0, 0));
        this.add(this.capacity.writeUnitsByOperation, operation, writeUnitsFor(item ? itemSizeBytes(item) : 0, 0));
      }
    });
  }

  private async addWrite(operation: string, table: string, before: WireItem | undefined, after: WireItem | undefined): Promise<void> {
    const schema = await this.schema(table);
    const afterBytes = after ? itemSizeBytes(after) : 0;
    const written = (this.capacity.itemsWritten[operation] ??= { count: 0, bytes: 0 });
    written.count += 1;
    written.bytes += afterBytes;
    let units = writeUnitsFor(before ? itemSizeBytes(before) : 0, afterBytes);
    this.add(this.capacity.writeUnits, table, units);
    for (const index of schema.indexes) {
      const indexUnits = indexWriteUnits(index, schema.keys, before, after);
      if (indexUnits === 0) continue;
      this.add(this.capacity.writeUnits, `${table}/index/${index.name}`, indexUnits);
      units += indexUnits;
    }
    this.add(this.capacity.writeUnitsByOperation, operation, units);
  }

  private addReads(operation: string, request: Record<string, unknown>, responseBody: string): void {
    const response = JSON.parse(responseBody) as Record<string, unknown>;
    const consistent = request['ConsistentRead'] === true;
    let units: number;
    if (operation === 'GetItem') {
      const item = response['Item'] as WireItem | undefined;
      units = readUnitsFor(item ? itemSizeBytes(item) : 0, consistent);
    } else if (operation === 'BatchGetItem') {
      // Each item is billed as its own GetItem.
      const tables = (response['Responses'] ?? {}) as Record<string, WireItem[]>;
      units = Object.values(tables)
        .flat()
        .reduce((sum, item) => sum + readUnitsFor(itemSizeBytes(item), consistent), 0);
    } else {
      // Query and Scan are billed on what they read before any filter; the response shows only
      // what passed it, so a filtered read is undercounted (SkyForge filters little).
      const items = (response['Items'] ?? []) as WireItem[];
      units = readUnitsFor(
        items.reduce((sum, item) => sum + itemSizeBytes(item), 0),
        consistent,
      );
    }
    this.add(this.capacity.readUnitsByOperation, operation, units);
  }

  /** The items a write touches, or undefined when the request is not one the meter understands. */
  private async writeTargets(operation: string, request: Record<string, unknown>): Promise<WriteTarget[] | undefined> {
    if (operation === 'BatchWriteItem') {
      const targets: WriteTarget[] = [];
      for (const [table, writes] of Object.entries((request['RequestItems'] ?? {}) as Record<string, unknown[]>)) {
        const schema = await this.schema(table);
        for (const write of writes as Array<{ PutRequest?: { Item: WireItem }; DeleteRequest?: { Key: WireItem } }>) {
          const key = write.PutRequest ? pick(write.PutRequest.Item, schema.keys) : write.DeleteRequest?.Key;
          if (key) targets.push({ table, key });
        }
      }
      return targets;
    }
    const table = request['TableName'];
    if (typeof table !== 'string') return undefined;
    let schema: TableSchema;
    try {
      schema = await this.schema(table);
    } catch {
      return undefined; // no such table: dynalite says so
    }
    const key = operation === 'PutItem' ? pick((request['Item'] ?? {}) as WireItem, schema.keys) : (request['Key'] as WireItem | undefined);
    return key ? [{ table, key }] : undefined;
  }

  private async readItem(target: WriteTarget): Promise<WireItem | undefined> {
    const response = await this.call('GetItem', { TableName: target.table, Key: target.key, ConsistentRead: true });
    if (response.status !== 200) return undefined;
    return (JSON.parse(response.body) as { Item?: WireItem }).Item;
  }

  private schema(table: string): Promise<TableSchema> {
    let schema = this.schemas.get(table);
    if (!schema) {
      schema = this.describe(table);
      schema.catch(() => this.schemas.delete(table));
      this.schemas.set(table, schema);
    }
    return schema;
  }

  private async describe(table: string): Promise<TableSchema> {
    const response = await this.call('DescribeTable', { TableName: table });
    if (response.status !== 200) throw new Error(`DescribeTable ${table}: ${response.body}`);
    const description = (JSON.parse(response.body) as { Table: TableDescriptionWire }).Table;
    return {
      keys: description.KeySchema.map((k) => k.AttributeName),
      indexes: (description.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName,
        keys: index.KeySchema.map((k) => k.AttributeName),
        projected: index.Projection?.ProjectionType === 'ALL' ? 'ALL' : (index.Projection?.NonKeyAttributes ?? []),
      })),
    };
  }

  /** Runs `work` holding the lock of every target item (taken in a fixed order: no deadlock). */
  private async withLocks(targets: WriteTarget[], work: () => Promise<void>): Promise<void> {
    const names = [...new Set(targets.map((t) => `${t.table}\u0000${JSON.stringify(t.key)}`))].sort();
    const previous = names.map((name) => this.locks.get(name) ?? Promise.resolve());
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const mine = Promise.all(previous).then(() => held);
    for (const name of names) this.locks.set(name, mine);
    try {
      await Promise.all(previous);
      await work();
    } finally {
      release();
      for (const name of names) if (this.locks.get(name) === mine) this.locks.delete(name);
    }
  }

  private add(totals: Record<string, number>, name: string, units: number): void {
    totals[name] = (totals[name] ?? 0) + units;
  }
}

interface TableDescriptionWire {
  KeySchema: Array<{ AttributeName: string }>;
  GlobalSecondaryIndexes?: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string }>;
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }>;
}

/**
 * Index writes of one item write: an entry that appears or disappears costs one write of its
 * size, a changed key two (delete + put), a changed projected attribute one, anything else none.
 */
export function indexWriteUnits(index: IndexSchema, tableKeys: string[], before: WireItem | undefined, after: WireItem | undefined): number {
  const entryBefore = before && index.keys.every((k) => k in before) ? indexEntry(index, tableKeys, before) : undefined;
  const entryAfter = after && index.keys.every((k) => k in after) ? indexEntry(index, tableKeys, after) : undefined;
  const units = (entry: WireItem): number => writeUnitsFor(itemSizeBytes(entry) + INDEX_ENTRY_OVERHEAD_BYTES, 0);
  if (!entryBefore && !entryAfter) return 0;
  if (!entryBefore) return units(entryAfter as WireItem);
  if (!entryAfter) return units(entryBefore);
  const keyChanged = index.keys.some((k) => JSON.stringify(entryBefore[k]) !== JSON.stringify(entryAfter[k]));
  if (keyChanged) return units(entryBefore) + units(entryAfter);
  if (JSON.stringify(sortedEntries(entryBefore)) === JSON.stringify(sortedEntries(entryAfter))) return 0;
  return writeUnitsFor(itemSizeBytes(entryBefore) + INDEX_ENTRY_OVERHEAD_BYTES, itemSizeBytes(entryAfter) + INDEX_ENTRY_OVERHEAD_BYTES);
}

function indexEntry(index: IndexSchema, tableKeys: string[], item: WireItem): WireItem {
  if (index.projected === 'ALL') return item;
  return pick(item, [...new Set([...tableKeys, ...index.keys, ...index.projected])]);
}

function pick(item: WireItem, names: readonly string[]): WireItem {
  const picked: WireItem = {};
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

function sortedEntries(item: WireItem): Array<[string, unknown]> {
  return Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
