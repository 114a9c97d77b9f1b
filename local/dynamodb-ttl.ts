import { readFile, rename, writeFile } from 'node:fs/promises';
import { awsJsonError, awsJsonResult, type AwsJsonResponse } from './aws-json-response.ts';

/** What the TTL emulation needs to know about a table (from DescribeTable). */
export interface TtlTableFacts {
  creationDateTime: number;
}

export interface DynamoDbTtlOptions {
  /** JSON file the settings persist in; null keeps them in memory. */
  file: string | null;
  /** Looks a table up in dynalite; null when it does not exist. */
  describeTable: (tableName: string) => Promise<TtlTableFacts | null>;
}

/** A table whose TTL is on, and the attribute that holds each item's expiry (epoch seconds). */
export interface TtlEnabledTable {
  tableName: string;
  attributeName: string;
}

interface StoredSetting {
  attributeName: string;
  /** The setting belongs to this incarnation of the table; a re-created table starts without TTL. */
  tableCreatedAt: number;
}

const VALIDATION = 'com.amazon.coral.validate#ValidationException';
const NOT_FOUND = 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException';
const SERIALIZATION = 'com.amazon.coral.service#SerializationException';

/** The two TTL operations the edge router hands to this emulation instead of dynalite. */
export const TTL_OPERATIONS = ['UpdateTimeToLive', 'DescribeTimeToLive'] as const;
export type TtlOperation = (typeof TTL_OPERATIONS)[number];

export function isTtlOperation(operation: string): operation is TtlOperation {
  return (TTL_OPERATIONS as readonly string[]).includes(operation);
}

/**
 * UpdateTimeToLive and DescribeTimeToLive, which dynalite 4 lacks (it has no UpdateTimeToLive
 * and always describes TTL as DISABLED). With them the bootstrap can set TTL through the SDK
 * exactly as it would on AWS, and the TTL sweeper knows which attribute to expire on.
 * Errors follow DynamoDB's: enabling twice is a ValidationException, as on AWS.
 */
export class DynamoDbTtl {
  private settings = new Map<string, StoredSetting>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: DynamoDbTtlOptions) {}

  /** Loads persisted settings (a missing file is an empty one). */
  async open(): Promise<void> {
    if (this.options.file === null) return;
    try {
      const raw = JSON.parse(await readFile(this.options.file, 'utf8')) as Record<string, StoredSetting>;
      this.settings = new Map(Object.entries(raw));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** Waits for the last write of the settings file. */
  async close(): Promise<void> {
    await this.writing;
  }

  /** Answers one TTL request (the body of an AWS JSON 1.0 call). */
  async handle(operation: TtlOperation, body: Buffer): Promise<AwsJsonResponse> {
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return awsJsonError(400, SERIALIZATION, 'Start of structure or map found where not expected');
    }
    const request = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    const tableName = request['TableName'];
    if (typeof tableName !== 'string' || tableName.length < 3 || tableName.length > 255) {
      return awsJsonError(400, VALIDATION, "1 validation error detected: Value at 'tableName' failed to satisfy constraint");
    }
    const table = await this.options.describeTable(tableName);
    if (table === null) return awsJsonError(400, NOT_FOUND, 'Requested resource not found');
    const current = this.current(tableName, table);
    if (operation === 'DescribeTimeToLive') {
      return awsJsonResult(200, {
        TimeToLiveDescription: current
          ? { TimeToLiveStatus: 'ENABLED', AttributeName: current.attributeName }
          : { TimeToLiveStatus: 'DISABLED' },
      });
    }
    return this.update(tableName, table, current, request['TimeToLiveSpecification']);
  }

  /** Tables with TTL on, for the sweeper. */
  async enabledTables(): Promise<TtlEnabledTable[]> {
    const out: TtlEnabledTable[] = [];
    for (const [tableName, setting] of this.settings) {
      const table = await this.options.describeTable(tableName);
      if (table !== null && this.current(tableName, table)) out.push({ tableName, attributeName: setting.attributeName });
    }
    return out;
  }

  private current(tableName: string, table: TtlTableFacts): StoredSetting | undefined {
    const setting = this.settings.get(tableName);
    return setting && setting.tableCreatedAt === table.creationDateTime ? setting : undefined;
  }

  private update(
    tableName: string,
    table: TtlTableFacts,
    current: StoredSetting | undefined,
    specification: unknown,
  ): AwsJsonResponse {
    const spec = (typeof specification === 'object' && specification !== null ? specification : {}) as Record<string, unknown>;
    const enabled = spec['Enabled'];
    const attributeName = spec['AttributeName'];
    if (typeof enabled !== 'boolean' || typeof attributeName !== 'string' || attributeName.length < 1 || attributeName.length > 255) {
      return awsJsonError(400, VALIDATION, 'TimeToLiveSpecification needs Enabled (boolean) and AttributeName (1..255 characters)');
    }
    if (enabled && current?.attributeName === attributeName) return awsJsonError(400, VALIDATION, 'TimeToLive is already enabled');
    if (enabled && current) {
      return awsJsonError(400, VALIDATION, `TimeToLive is active on a different AttributeName: current AttributeName is ${current.attributeName}`);
    }
    if (!enabled && !current) return awsJsonError(400, VALIDATION, 'TimeToLive is already disabled');
    if (enabled) this.settings.set(tableName, { attributeName, tableCreatedAt: table.creationDateTime });
    else this.settings.delete(tableName);
    this.persist();
    return awsJsonResult(200, { TimeToLiveSpecification: { AttributeName: attributeName, Enabled: enabled } });
  }

  private persist(): void {
    const file = this.options.file;
    if (file === null) return;
    const snapshot = JSON.stringify(Object.fromEntries(this.settings), null, 2);
    // Writes are chained so an older snapshot can never land after a newer one; the rename makes
    // each one atomic, so a crash mid-write leaves the previous settings, not half a file.
    this.writing = this.writing
      .then(async () => {
        await writeFile(`${file}.tmp`, snapshot);
        await rename(`${file}.tmp`, file);
      })
      .catch((error: unknown) => {
        console.error('[local] could not save the DynamoDB TTL settings:', error);
      });
  }
}
