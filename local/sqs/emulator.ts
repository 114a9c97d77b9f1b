import { randomUUID } from 'node:crypto';
import { SQS_ERRORS, SqsRequestError, queueDoesNotExist } from './errors.ts';
import { SqsJournal } from './journal.ts';
import { LongPolls } from './long-poll.ts';
import type { Mutation } from './mutations.ts';
import type { Operation, OperationContext, OperationOutput } from './operation-context.ts';
import * as queueOperations from './queue-operations.ts';
import type { Queue } from './queue.ts';
import * as receiptOperations from './receipt-operations.ts';
import { receiveMessage } from './receive-operation.ts';
import { RequestFields } from './request-fields.ts';
import * as sendOperations from './send-operations.ts';
import { SqsState } from './sqs-state.ts';

export interface SqsEmulatorOptions {
  /** Base URL used to build QueueUrl values, e.g. http://localhost:4566 (can change later via setEndpoint). */
  endpoint: string;
  region?: string; // default 'us-east-1'
  accountId?: string; // default '000000000000'
  /** Folder for persistent state; omitted = in memory only. */
  dataDir?: string;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
  /**
   * Messages that were in flight when the state was loaded were received by a process that is
   * gone (the local cloud was killed): they become visible at most this many ms after the load.
   * Default: they keep their visibility, as SQS would.
   */
  releaseInFlightAfterMs?: number;
}

export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Compact the journal into a snapshot once this many bytes were appended since the last one. */
const COMPACT_AFTER_BYTES = 64 * 1024 * 1024;
/** With an injected clock, time-based wake-ups look at the clock this often (see LongPollOptions). */
const INJECTED_CLOCK_POLL_MS = 100;
/** Longest timer sleep with the real clock (setTimeout cannot sleep much longer than 24 days anyway). */
const REAL_CLOCK_MAX_SLEEP_MS = 60_000;

/** True for X-Amz-Target values of SQS's JSON protocol (`AmazonSQS.<Operation>`). */
export function isSqsTarget(target: string | undefined): boolean {
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX);
}

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateQueue: queueOperations.createQueue,
  GetQueueUrl: queueOperations.getQueueUrl,
  ListQueues: queueOperations.listQueues,
  GetQueueAttributes: queueOperations.getQueueAttributes,
  SetQueueAttributes: queueOperations.setQueueAttributes,
  DeleteQueue: queueOperations.deleteQueue,
  PurgeQueue: queueOperations.purgeQueue,
  ListDeadLetterSourceQueues: queueOperations.listDeadLetterSourceQueues,
  TagQueue: queueOperations.tagQueue,
  UntagQueue: queueOperations.untagQueue,
  ListQueueTags: queueOperations.listQueueTags,
  SendMessage: sendOperations.sendMessage,
  SendMessageBatch: sendOperations.sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: receiptOperations.deleteMessage,
  DeleteMessageBatch: receiptOperations.deleteMessageBatch,
  ChangeMessageVisibility: receiptOperations.changeMessageVisibility,
  ChangeMessageVisibilityBatch: receiptOperations.changeMessageVisibilityBatch,
};

/**
 * The local cloud's SQS: the AWS JSON 1.0 protocol of today's `@aws-sdk/client-sqs`, standard
 * queues only. `handle` takes one request and never assumes it owns the HTTP server, so the
 * local cloud can mount it on a shared edge port next to DynamoDB and route by X-Amz-Target.
 *
 * @example
 * const sqs = new SqsEmulator({ endpoint: 'http://localhost:4566', dataDir: '.skyforge/sqs' });
 * await sqs.open();
 * const response = await sqs.handle('AmazonSQS.ListQueues', Buffer.from('{}'));
 */
export class SqsEmulator {
  /** Number of calls per operation name since start (benchmarks count AWS calls with it). */
  readonly calls = new Map<string, number>();

  private endpoint: string;
  private readonly region: string;
  private readonly accountId: string;
  private readonly now: () => number;
  private readonly releaseInFlightAfterMs: number | undefined;
  private readonly state = new SqsState();
  private readonly journal: SqsJournal | undefined;
  private readonly longPolls: LongPolls<OperationOutput>;
  private readonly context: OperationContext;
  private opened = false;
  private closed = false;

  constructor(options: SqsEmulatorOptions) {
    this.endpoint = trimSlash(options.endpoint);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.now = options.now ?? Date.now;
    this.releaseInFlightAfterMs = options.releaseInFlightAfterMs;
    this.journal = options.dataDir === undefined ? undefined : new SqsJournal(options.dataDir);
    this.longPolls = new LongPolls<OperationOutput>({
      now: this.now,
      nextVisibleAt: (queue) => this.state.get(queue)?.nextVisibleAt(),
      maxSleepMs: options.now === undefined ? REAL_CLOCK_MAX_SLEEP_MS : INJECTED_CLOCK_POLL_MS,
    });
    this.context = this.createContext();
  }

  /** Loads persisted state (if dataDir) — call once before serving. */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    if (this.journal === undefined) return;
    const loaded = this.journal.load();
    if (loaded.snapshot !== undefined) this.state.restore(loaded.snapshot);
    for (const mutation of loaded.mutations) this.state.apply(mutation);
    if (this.releaseInFlightAfterMs !== undefined) this.releaseInFlight(this.now() + this.releaseInFlightAfterMs);
    // Start from a fresh snapshot so the journal only ever holds this run's changes.
    this.journal.compact(this.state.snapshot(), this.now(), true);
  }

  /** Every in-flight message (it has a receipt handle) visible again by `until` at the latest. */
  private releaseInFlight(until: number): void {
    for (const queue of this.state.queues.values()) {
      for (const message of [...queue.values()]) {
        if (message.receiptHandle !== undefined && message.visibleAt > until) queue.reschedule(message, until);
      }
    }
  }

  setEndpoint(url: string): void {
    this.endpoint = trimSlash(url);
  }

  /**
   * One AWS JSON 1.0 request. `target` is the X-Amz-Target header (e.g. 'AmazonSQS.SendMessage').
   * Long polls resolve when a message arrives, the wait ends, `signal` aborts (pass one that
   * fires when the client disconnects, so a gone client cannot swallow a message) or close()
   * is called.
   */
  async handle(target: string, body: Buffer, signal?: AbortSignal): Promise<EmulatorResponse> {
    const operationName = isSqsTarget(target) ? target.slice(TARGET_PREFIX.length) : target;
    this.calls.set(operationName, (this.calls.get(operationName) ?? 0) + 1);
    try {
      if (this.closed) throw new SqsRequestError('ServiceUnavailable', 'The SQS emulator is shut down.');
      if (!this.opened) await this.open();
      if (!isSqsTarget(target)) {
        throw new SqsRequestError('InvalidAddress', `The target ${target || '(none)'} is not an Amazon SQS operation.`);
      }
      const operation = OPERATIONS[operationName];
      if (operation === undefined) {
        throw new SqsRequestError('UnsupportedOperation', `The operation ${operationName} is not supported by the SkyForge SQS emulator.`);
      }
      const output = await operation(this.context, RequestFields.parse(body), signal);
      return jsonResponse(200, output);
    } catch (error) {
      if (error instanceof SqsRequestError) return errorResponse(error);
      const message = error instanceof Error ? error.message : String(error);
      return errorResponse(new SqsRequestError('InternalFailure', `The SQS emulator failed: ${message}`));
    } finally {
      this.afterRequest();
    }
  }

  /** Ends long polls (empty answers), stops timers, flushes/compacts persisted state. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.longPolls.closeAll();
    if (this.journal !== undefined && this.opened) {
      this.journal.compact(this.state.snapshot(), this.now(), false);
      this.journal.close();
    }
  }

  private afterRequest(): void {
    if (this.closed) return;
    // Time-based wake-ups depend on what this request changed (new in-flight messages ...).
    if (this.longPolls.size > 0) this.longPolls.rearm();
    if (this.journal !== undefined && this.journal.size > COMPACT_AFTER_BYTES) {
      const owned = this.journal.compact(this.state.snapshot(), this.now(), true);
      if (!owned) console.warn('[sqs-emulator] another emulator took over the data folder; this one no longer persists.');
    }
  }

  private commit(mutation: Mutation): void {
    // Journal first: if the write fails, the state stays as the (failed) answer says.
    this.journal?.append(mutation);
    this.state.apply(mutation);
  }

  private createContext(): OperationContext {
    return {
      state: this.state,
      accountId: this.accountId,
      now: () => this.now(),
      queueUrl: (name) => `${this.endpoint}/${this.accountId}/${name}`,
      queueArn: (name) => this.queueArn(name),
      queueNameFromArn: (arn) => {
        const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
        if (!arn.startsWith(prefix)) return undefined;
        const name = arn.slice(prefix.length);
        return this.state.get(name) === undefined ? undefined : name;
      },
      requireQueue: (fields) => this.requireQueue(fields.requiredString('QueueUrl')),
      commit: (mutation) => this.commit(mutation),
      notify: (queue) => this.longPolls.notify(queue),
      longPoll: (queue, waitMs, attempt, signal) => this.longPolls.wait(queue, waitMs, attempt, {}, signal),
    };
  }

  private queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /**
   * Any URL whose last path segment names a queue is accepted: clients may reach the emulator
   * as localhost or 127.0.0.1, or hold URLs built before the port was known.
   */
  private requireQueue(queueUrl: string): Queue {
    const path = queueUrl.split(/[?#]/)[0] ?? '';
    const name = path.split('/').filter((segment) => segment !== '').at(-1);
    const queue = name === undefined ? undefined : this.state.get(name);
    if (queue === undefined) throw queueDoesNotExist();
    return queue;
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function jsonResponse(status: number, output: OperationOutput): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(output),
  };
}

function errorResponse(error: SqsRequestError): EmulatorResponse {
  const wire = SQS_ERRORS[error.code];
  const fault = wire.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: wire.status,
    headers: {
      'content-type': CONTENT_TYPE,
      'x-amzn-requestid': randomUUID(),
      'x-amzn-query-error': `${wire.queryCode};${fault}`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${wire.shape}`, message: error.message }),
  };
}
