import type { SQSRecord } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { DynamoDbJobCounters } from '../../shared/adapters/dynamodb/dynamodb-job-counters.ts';
import { DynamoDbFlowControlStore } from '../../shared/adapters/dynamodb/dynamodb-flow-control-store.ts';
import { DynamoDbFlowStore } from '../../shared/adapters/dynamodb/dynamodb-flow-store.ts';
import { DynamoDbJobStore } from '../../shared/adapters/dynamodb/dynamodb-job-store.ts';
import { toItem } from '../../shared/adapters/dynamodb/job-item.ts';
import type { Job } from '../../shared/domain/job.ts';
import type { MessageFlow } from '../../shared/domain/queue-message.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Priority } from '../../shared/config/definitions.ts';
import { createJobRegistry } from '../../shared/jobs/create-registry.ts';
import type { JobDefinitions, JobLogger } from '../../shared/jobs/registry.ts';
import type { EnqueueFailure, JobMessage, JobQueue, QueueDepth, VisibilityChange } from '../../shared/ports/job-queue.ts';
import type { JobScheduler, RecurringScheduleSpec } from '../../shared/ports/job-scheduler.ts';
import { DynamoDbScheduleStore } from '../../shared/adapters/dynamodb/dynamodb-schedule-store.ts';
import { EmfMetricsSink } from '../../shared/runtime/emf-metrics-sink.ts';
import type { Dependencies, UseCaseConfig } from '../../shared/use-cases/dependencies.ts';
import { startTestTable } from './dynamo.ts';

/**
 * The JobQueue port, recorded: what the use cases sent, deferred or failed to send. Used where a
 * test is about the worker's or the API's decisions; the SQS adapter itself is exercised over
 * the wire by the local-cloud tests.
 */
export class RecordingQueue implements JobQueue {
  readonly sent: JobMessage[] = [];
  readonly deferred: { priority: Priority; receiptHandle: string; seconds: number }[] = [];
  readonly hidden: VisibilityChange[] = [];
  /** Job ids whose next send fails for a passing reason (throttled). */
  readonly failFor = new Set<string>();
  /** Job ids whose next send fails for good (the queue does not exist). */
  readonly failPermanentlyFor = new Set<string>();

  async enqueue(messages: readonly JobMessage[]): Promise<EnqueueFailure[]> {
    const failures: EnqueueFailure[] = [];
    for (const m of messages) {
      if (this.failFor.delete(m.jobId)) failures.push({ jobId: m.jobId, reason: 'ServiceUnavailable: injected', permanent: false });
      else if (this.failPermanentlyFor.delete(m.jobId)) failures.push({ jobId: m.jobId, reason: 'QueueDoesNotExist: injected', permanent: true });
      else this.sent.push(m);
    }
    return failures;
  }

  async defer(priority: Priority, receiptHandle: string, seconds: number): Promise<void> {
    this.deferred.push({ priority, receiptHandle, seconds });
  }

  async hide(changes: readonly VisibilityChange[]): Promise<number> {
    this.hidden.push(...changes);
    return 0;
  }

  async depths(): Promise<Record<Priority, QueueDepth>> {
    const zero = { ready: 0, inFlight: 0, delayed: 0, deadLetters: 0 };
    return { critical: { ...zero }, high: { ...zero }, normal: { ...zero }, low: { ...zero } };
  }

  async ping(): Promise<void> {}
}

export interface LogLine {
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

export function captureLogger(lines: LogLine[] = []): JobLogger & { lines: LogLine[] } {
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push({ level, message, ...(extra ? { extra } : {}) });
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const TEST_CONFIG: UseCaseConfig = {
  jobRetentionSeconds: 7 * 24 * 3600,
  deadJobRetentionSeconds: 30 * 24 * 3600,
  maxPayloadBytes: 262_144,
  maxResultBytes: 65_536,
  maxJobTimeoutMs: 285_000,
  cancelPollMs: 50,
  queueRateLimits: {},
  workerCapacity: { critical: 160, high: 80, normal: 40, low: 20 },
};

export const TEST_QUEUE_URLS: Record<Priority, string> = {
  critical: 'http://localhost:4566/000000000000/t-critical',
  high: 'http://localhost:4566/000000000000/t-high',
  normal: 'http://localhost:4566/000000000000/t-normal',
  low: 'http://localhost:4566/000000000000/t-low',
};

export function queueArn(priority: Priority): string {
  return `arn:aws:sqs:us-east-1:000000000000:t-${priority}`;
}

let recordCount = 0;

/** An SQS record as the event source mapping hands it to the worker: first delivery, a fresh id and receipt handle. */
export function sqsRecord(body: string, priority: Priority = 'normal'): SQSRecord {
  recordCount += 1;
  return {
    messageId: `m-${recordCount}`,
    receiptHandle: `rh-${recordCount}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn(priority),
    awsRegion: 'us-east-1',
  };
}

/** The JobScheduler port, recorded (the EventBridge adapter is exercised against the emulator). */
export class RecordingScheduler implements JobScheduler {
  readonly oneTime = new Map<string, { jobId: string; priority: Priority; dueAt: number; timeoutMs?: number; flow?: MessageFlow }>();
  readonly recurring = new Map<string, RecurringScheduleSpec>();
  readonly removed: string[] = [];
  /** Names whose next create fails for a passing reason (throttled). */
  readonly failFor = new Set<string>();
  /** Names whose next create fails for good (as the SDK reports a client fault). */
  readonly failPermanentlyFor = new Set<string>();

  async scheduleJob(name: string, jobId: string, priority: Priority, dueAt: number, timeoutMs?: number, flow?: MessageFlow): Promise<void> {
    if (this.failFor.delete(name)) throw Object.assign(new Error('Rate exceeded (injected)'), { name: 'ThrottlingException', $fault: 'client' });
    if (this.failPermanentlyFor.delete(name)) {
      throw Object.assign(new Error('Schedule group not found (injected)'), { name: 'ResourceNotFoundException', $fault: 'client' });
    }
    this.oneTime.set(name, { jobId, priority, dueAt, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(flow ? { flow } : {}) });
  }

  async remove(name: string): Promise<void> {
    this.removed.push(name);
    this.oneTime.delete(name);
    this.recurring.delete(name.replace(/^rec\./, ''));
  }

  async createRecurring(spec: RecurringScheduleSpec): Promise<void> {
    if (this.failFor.delete(spec.name)) throw new Error('ThrottlingException: injected');
    this.recurring.set(spec.name, spec);
  }

  async updateRecurring(spec: RecurringScheduleSpec): Promise<void> {
    this.recurring.set(spec.name, spec);
  }
}

/** A clock the test moves by hand; starts at a fixed instant. */
export class ManualClock {
  constructor(public current = Date.parse('2026-11-23T12:00:00.000Z')) {}
  now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Real dynalite-backed store and counters, the recording queue, demo jobs plus `jobs`. */
export async function createHarness(options: { jobs?: JobDefinitions; clock?: { now(): number }; config?: Partial<UseCaseConfig> } = {}) {
  const table = await startTestTable();
  const queue = new RecordingQueue();
  const scheduler = new RecordingScheduler();
  const logger = captureLogger();
  const emf: Record<string, unknown>[] = [];
  const nextId = monotonicFactory();
  const deps: Dependencies = {
    store: new DynamoDbJobStore({ client: table.client, tableName: table.tableName }),
    flowControl: new DynamoDbFlowControlStore({ client: table.client, tableName: table.tableName }),
    flows: new DynamoDbFlowStore({ client: table.client, tableName: table.tableName }),
    queue,
    scheduler,
    schedules: new DynamoDbScheduleStore({ client: table.client, tableName: table.tableName }),
    counters: new DynamoDbJobCounters({ client: table.client, tableName: table.tableName }),
    metrics: new EmfMetricsSink({ namespace: 'SkyForge', write: (line) => emf.push(JSON.parse(line) as Record<string, unknown>) }),
    registry: createJobRegistry(options.jobs ?? {}, { demoJobs: true }),
    clock: options.clock ?? { now: () => Date.now() },
    config: { ...TEST_CONFIG, ...options.config },
    logger,
    newId: (now) => nextId(now),
    random: () => 0.5,
  };
  /**
   * Puts a job item in whatever state the test needs, as a crash or a race may leave it. Only
   * tests write items this way; the system writes through the lifecycle's events.
   */
  const seed = async (job: Job): Promise<void> => {
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: toItem(job) }));
  };
  return { deps, queue, scheduler, logger, emf, table, seed, stop: () => table.stop() };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
