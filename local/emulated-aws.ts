import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localClientConfig } from './aws-client-config.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { DynamoDbCapacityMeter, type DynamoDbCapacity } from './dynamodb-capacity.ts';
import { internalDynamoDbCall, markInternal } from './internal-client.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { startDynamoDb } from './dynamodb.ts';
import { DynamoDbTtl } from './dynamodb-ttl.ts';
import { startTtlSweeper, type TtlSweeper } from './dynamodb-ttl-sweeper.ts';
import { startEdgeServer, type EdgeGuard, type EdgeRoute } from './edge.ts';
import { dynamoDbRoute, healthRoute, schedulerRoute, sqsRoute, type SqsUsage } from './edge-routes.ts';
import { SchedulerEmulator, schedulerDataDir, type ScheduleDelivery } from './scheduler/emulator.ts';
import { ScheduleDeliveryError } from './scheduler/errors.ts';
import { sqsTargetDelivery } from './scheduler/sqs-target.ts';
import { SqsEmulator } from './sqs/emulator.ts';

export interface EmulatedAwsOptions {
  /** Edge port; 0 picks a free one. */
  port: number;
  host?: string;
  /** State folder (taken with a lock file for this process), or null for memory. */
  dataDir: string | null;
  /** How often expired items are deleted (DynamoDB TTL). Default 60 s. */
  ttlSweepIntervalMs?: number;
  /** Routes tried before the built-in ones. */
  extraRoutes?: readonly EdgeRoute[];
  /** The Scheduler emulator's clock (tests drive firings with it and `scheduler.runDue()`). Default Date.now. */
  schedulerNow?: () => number;
  /**
   * Meter DynamoDB capacity by AWS's rules (see DynamoDbCapacityMeter): every write gains a
   * consistent read before and after it, so only the cost benchmark turns this on.
   */
  meterCapacity?: boolean;
  /** See SqsEmulatorOptions.releaseInFlightAfterMs (the local cloud's restart after a kill). */
  releaseInFlightAfterMs?: number;
  log?: (message: string) => void;
}

/** What the system has used of the emulated services, as AWS would bill it. */
export interface EmulatedAwsUsage {
  /** Calls per service operation ('DynamoDB.PutItem', 'SQS.SendMessageBatch', ...). */
  calls: Record<string, number>;
  sqs: SqsUsage;
  /** Null while capacity metering is off. */
  dynamodb: DynamoDbCapacity | null;
}

export interface EmulatedAws {
  /** AWS_ENDPOINT_URL for SDK clients. */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly sqs: SqsEmulator;
  /** AWS calls per service operation that reached the edge (see EdgeServer.calls). */
  readonly calls: Map<string, number>;
  /** Calls, SQS billable requests and (when metered) DynamoDB capacity so far. */
  usage(): EmulatedAwsUsage;
  /** Turns DynamoDB capacity metering on or off (totals are kept across). */
  setCapacityMetering(on: boolean): void;
  /** Checks every call before it reaches a service (the local IAM), or stops checking. */
  setGuard(guard: EdgeGuard | undefined): void;
  /**
   * Checks each Scheduler delivery as its execution role (the local IAM): a reason refuses it,
   * and the attempt fails (then retries and dead-letters) as a refused delivery does on AWS.
   */
  setDeliveryGuard(guard: ((delivery: ScheduleDelivery) => string | undefined) | undefined): void;
  /** EventBridge Scheduler; its targets are SQS queues of `sqs`. */
  readonly scheduler: SchedulerEmulator;
  readonly ttlSweeper: TtlSweeper;
  /** SDK clients pointed at the edge, with dummy credentials (destroyed by close()). */
  readonly clients: { dynamodb: DynamoDBClient; sqs: SQSClient; scheduler: SchedulerClient };
  /** Stops the Scheduler, ends long polls, closes the edge, saves the Scheduler and SQS state and closes dynalite. */
  close(): Promise<void>;
}

/**
 * The emulated AWS services behind one edge port: dynalite (DynamoDB, plus the TTL operations
 * and deletion it lacks), the SQS emulator and the Scheduler emulator (whose schedules deliver
 * to the SQS emulator in-process), persisted under `<dataDir>/dynamodb`,
 * `<dataDir>/dynamodb-ttl.json`, `<dataDir>/sqs` and `<dataDir>/scheduler`, or in memory.
 *
 * @example
 * const aws = await startEmulatedAws({ port: 4566, dataDir: '.skyforge' });
 * await aws.clients.sqs.send(new ListQueuesCommand({}));
 */
export async function startEmulatedAws(options: EmulatedAwsOptions): Promise<EmulatedAws> {
  const host = options.host ?? '127.0.0.1';
  const region = LOCAL_REGION;
  const { dataDir } = options;
  const cleanups = new CleanupStack(options.log);

  try {
    if (dataDir !== null) {
      const lock = await lockDataDir(dataDir);
      cleanups.push(() => lock.release());
    }

    const dynamodb = await startDynamoDb({ dataDir });
    cleanups.push(() => dynamodb.close());

    // The TTL emulation asks dynalite about tables through the edge, once it listens.
    let dynamoDbClient: DynamoDBClient | undefined;
    const ttl = new DynamoDbTtl({
      file: dataDir === null ? null : join(dataDir, 'dynamodb-ttl.json'),
      describeTable: async (tableName) => {
        try {
          const table = (await dynamoDbClient?.send(new DescribeTableCommand({ TableName: tableName })))?.Table;
          return table?.CreationDateTime ? { creationDateTime: table.CreationDateTime.getTime() } : null;
        } catch (error) {
          if ((error as Error).name === 'ResourceNotFoundException') return null;
          throw error;
        }
      },
    });
    await ttl.open();
    cleanups.push(() => ttl.close());

    const sqs = new SqsEmulator({
      endpoint: `http://${host}:${options.port}`,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      ...(dataDir === null ? {} : { dataDir: join(dataDir, 'sqs') }),
      ...(options.releaseInFlightAfterMs === undefined ? {} : { releaseInFlightAfterMs: options.releaseInFlightAfterMs }),
    });
    await sqs.open();
    cleanups.push(() => sqs.close());

    const toSqs = sqsTargetDelivery(sqs, { region, accountId: LOCAL_ACCOUNT_ID });
    let deliveryGuard: ((delivery: ScheduleDelivery) => string | undefined) | undefined;
    const scheduler = new SchedulerEmulator({
      region,
      accountId: LOCAL_ACCOUNT_ID,
      dataDir: dataDir === null ? null : schedulerDataDir(dataDir),
      deliver: async (delivery) => {
        const refused = deliveryGuard?.(delivery);
        if (refused !== undefined) throw new ScheduleDeliveryError(delivery.targetArn, refused);
        await toSqs(delivery);
      },
      ...(options.schedulerNow ? { now: options.schedulerNow } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    await scheduler.open();
    cleanups.push(() => scheduler.close());

    // The meter reads items through the edge (marked internal), once it listens.
    let edgeUrl = '';
    const meter = new DynamoDbCapacityMeter((operation, body) => internalDynamoDbCall(edgeUrl, operation, body));
    let metering = options.meterCapacity ?? false;
    const sqsUsage: SqsUsage = { billableRequests: 0, emptyReceives: 0, messagesReceived: 0, messagesDeleted: 0 };
    const routes: EdgeRoute[] = [
      ...(options.extraRoutes ?? []),
      dynamoDbRoute(dynamodb.handle, ttl, () => (metering ? meter : undefined)),
      sqsRoute(sqs, sqsUsage),
      schedulerRoute(scheduler),
    ];
    routes.push(healthRoute(() => routes.map((r) => r.name)));
    const edge = await startEdgeServer({ port: options.port, host, routes, ...(options.log ? { log: options.log } : {}) });
    cleanups.push(async () => {
      // The Scheduler first: it delivers into SQS, so it must stop firing before SQS shuts.
      await scheduler.close();
      // Then SQS: it answers parked long polls, so their connections can close.
      await sqs.close();
      await edge.close();
    });
    sqs.setEndpoint(edge.url);
    edgeUrl = edge.url;

    // The local cloud's own DynamoDB client (bootstrap, TTL emulation) is marked internal: AWS
    // deletes expired items for free, and creating the table is not part of any workload.
    dynamoDbClient = new DynamoDBClient(localClientConfig(edge.url, region));
    markInternal(dynamoDbClient);
    const sqsClient = new SQSClient(localClientConfig(edge.url, region));
    const schedulerClient = new SchedulerClient(localClientConfig(edge.url, region));
    const clients = { dynamodb: dynamoDbClient, sqs: sqsClient, scheduler: schedulerClient };
    cleanups.push(async () => {
      clients.dynamodb.destroy();
      clients.sqs.destroy();
      clients.scheduler.destroy();
    });

    const ttlSweeper = startTtlSweeper({
      client: dynamoDbClient,
      tables: () => ttl.enabledTables(),
      intervalMs: options.ttlSweepIntervalMs ?? 60_000,
      ...(options.log ? { log: options.log } : {}),
    });
    cleanups.push(() => ttlSweeper.stop());

    return {
      url: edge.url,
      port: edge.port,
      region,
      sqs,
      calls: edge.calls,
      usage: () => ({
        calls: Object.fromEntries(edge.calls),
        sqs: { ...sqsUsage },
        dynamodb: metering ? meter.snapshot() : null,
      }),
      setCapacityMetering: (on) => {
        metering = on;
      },
      setGuard: (guard) => edge.setGuard(guard),
      setDeliveryGuard: (guard) => {
        deliveryGuard = guard;
      },
      scheduler,
      ttlSweeper,
      clients,
      close: () => cleanups.run(),
    };
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}

