import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { LOCAL_REGION } from './aws-client-config.ts';
import { createLambdaContext } from './lambda-context.ts';
import { interpretBatchResponse, type BatchOutcome } from './sqs-batch-response.ts';
import { queueArnFromUrl, toSqsRecord } from './sqs-event-record.ts';

/** An SQS-triggered Lambda as the mapping sees it: a batch in, a batch response (or anything) out. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface EventSourceMappingOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** Messages per invocation, 1..10,000 (above 10 several receives fill one batch). */
  batchSize?: number;
  /** How long to gather messages before invoking, 0..300 s; only whole batches skip the wait. */
  maximumBatchingWindowSeconds?: number;
  /** Batches in flight at once (ScalingConfig.MaximumConcurrency). */
  maximumConcurrency?: number;
  functionName?: string;
  /** The function's timeout: a batch still running then counts as failed, as in Lambda. */
  functionTimeoutMs?: number;
  memoryMb?: number;
  region?: string;
  /** eventSourceARN of the records; derived from the queue URL when absent. */
  queueArn?: string;
  /** Long-poll wait of each receive (SQS allows up to 20 s). */
  waitTimeSeconds?: number;
  /** Pause after a failed receive (queue missing, emulator down) before polling again. */
  errorBackoffMs?: number;
  log?: (message: string) => void;
}

export interface EventSourceMapping {
  readonly queueUrl: string;
  /** Batches whose invocation has not finished yet. */
  readonly inFlight: number;
  /**
   * Stops polling at once (an idle long poll is cancelled) and waits up to `timeoutMs` for the
   * batches in flight; resolves with the number still running when it gave up.
   */
  stop(timeoutMs?: number): Promise<number>;
}

/** Lambda's synchronous payload quota; a batch stops growing before its records pass it. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024 - 256 * 1024;
const SQS_MAX_RECEIVE = 10;
const SQS_MAX_WAIT_SECONDS = 20;

/**
 * Plays Lambda's SQS event source mapping against any SQS endpoint: long-polls the queue,
 * gathers up to `batchSize` messages within the batching window, invokes `handler` with a
 * faithful SQSEvent, and deletes every message the function did not report in
 * `batchItemFailures` (ReportBatchItemFailures on). A throw, a timeout or a malformed response
 * deletes nothing, so the whole batch comes back after its visibility timeout and, after
 * maxReceiveCount receives, SQS's redrive moves it to the DLQ: retries and dead-lettering are
 * the queue's, exactly as on AWS. At most `maximumConcurrency` batches run at once.
 *
 * @example
 * const mapping = startEventSourceMapping({ client: sqs, queueUrl, handler: worker, batchSize: 10, maximumConcurrency: 4 });
 * await mapping.stop(10_000);
 */
export function startEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const batchSize = options.batchSize ?? 10;
  const windowMs = (options.maximumBatchingWindowSeconds ?? 0) * 1000;
  const maximumConcurrency = options.maximumConcurrency ?? 2;
  const waitTimeSeconds = Math.min(SQS_MAX_WAIT_SECONDS, options.waitTimeSeconds ?? SQS_MAX_WAIT_SECONDS);
  const region = options.region ?? LOCAL_REGION;
  const eventSourceARN = options.queueArn ?? queueArnFromUrl(options.queueUrl, region);
  const functionName = options.functionName ?? 'function';
  const functionTimeoutMs = options.functionTimeoutMs ?? 3_000;
  const log = options.log ?? ((): void => undefined);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new RangeError('batchSize must be 1..10000');
  if (batchSize > SQS_MAX_RECEIVE && windowMs < 1000) {
    throw new RangeError('a batchSize above 10 needs a maximumBatchingWindowSeconds of at least 1, as in Lambda');
  }
  if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 1) throw new RangeError('maximumConcurrency must be >= 1');

  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  const freeSlot = new SlotWaiter(maximumConcurrency);

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const answer = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    );
    return answer.Messages ?? [];
  };

  /** One batch: a long poll for the first message, then more receives until full or the window closes. */
  const collect = async (): Promise<Message[]> => {
    const batch = await receive(Math.min(SQS_MAX_RECEIVE, batchSize), waitTimeSeconds);
    if (batch.length === 0 || windowMs === 0) return batch;
    let bytes = batch.reduce((sum, m) => sum + Buffer.byteLength(m.Body ?? ''), 0);
    const deadline = Date.now() + windowMs;
    while (batch.length < batchSize && bytes < MAX_BATCH_BYTES && !stopping.signal.aborted) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) break;
      const wait = Math.min(SQS_MAX_WAIT_SECONDS, Math.floor(remainingMs / 1000));
      let more: Message[];
      try {
        more = await receive(Math.min(SQS_MAX_RECEIVE, batchSize - batch.length), wait);
      } catch (error) {
        // Stopping (or a failing receive) ends the gathering; what is in hand still runs.
        if (!stopping.signal.aborted) log(`receive failed while gathering a batch: ${(error as Error).message}`);
        break;
      }
      if (more.length === 0 && wait === 0) await sleep(Math.min(remainingMs, 50), stopping.signal);
      batch.push(...more);
      bytes += more.reduce((sum, m) => sum + Buffer.byteLength(m.Body ?? ''), 0);
    }
    return batch;
  };

  const invoke = async (messages: Message[]): Promise<BatchOutcome> => {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, { eventSourceARN, awsRegion: region })) };
    const context = createLambdaContext({
      functionName,
      timeoutMs: functionTimeoutMs,
      region,
      ...(options.memoryMb ? { memoryMb: options.memoryMb } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), functionTimeoutMs);
    });
    try {
      const result = await Promise.race([options.handler(event, context).then((value) => ({ value })), timedOut]);
      if (result === 'timeout') return { kind: 'complete-failure', reason: `timed out after ${functionTimeoutMs} ms` };
      return interpretBatchResponse(
        result.value,
        event.Records.map((r) => r.messageId),
      );
    } catch (error) {
      return { kind: 'complete-failure', reason: `the function threw: ${(error as Error).stack ?? String(error)}` };
    } finally {
      clearTimeout(timer);
    }
  };

  const deleteMessages = async (messages: Message[]): Promise<void> => {
    for (let start = 0; start < messages.length; start += SQS_MAX_RECEIVE) {
      const chunk = messages.slice(start, start + SQS_MAX_RECEIVE);
      const answer = await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      for (const failed of answer.Failed ?? []) {
        log(`could not delete message ${chunk[Number(failed.Id)]?.MessageId ?? failed.Id}: ${failed.Code} ${failed.Message ?? ''}`);
      }
    }
  };

  const runBatch = async (messages: Message[]): Promise<void> => {
    const outcome = await invoke(messages);
    if (outcome.kind === 'complete-failure') {
      log(`${functionName}: batch of ${messages.length} failed, every message returns after its visibility timeout: ${outcome.reason}`);
      return;
    }
    const done = messages.filter((m) => !outcome.failedMessageIds.has(m.MessageId ?? ''));
    try {
      await deleteMessages(done);
    } catch (error) {
      log(`${functionName}: deleting ${done.length} processed messages failed (they will be delivered again): ${(error as Error).message}`);
    }
  };

  const poll = async (): Promise<void> => {
    let backoffMs = options.errorBackoffMs ?? 1_000;
    while (!stopping.signal.aborted) {
      if (!(await freeSlot.acquire(stopping.signal))) break;
      let messages: Message[];
      try {
        messages = await collect();
        backoffMs = options.errorBackoffMs ?? 1_000;
      } catch (error) {
        freeSlot.release();
        if (stopping.signal.aborted) break;
        log(`receive from ${options.queueUrl} failed, retrying in ${backoffMs} ms: ${(error as Error).message}`);
        await sleep(backoffMs, stopping.signal);
        backoffMs = Math.min(backoffMs * 2, 30_000);
        continue;
      }
      if (messages.length === 0) {
        freeSlot.release();
        continue;
      }
      const batch = runBatch(messages)
        .catch((error: unknown) => log(`${functionName}: batch failed unexpectedly: ${String(error)}`))
        .finally(() => {
          running.delete(batch);
          freeSlot.release();
        });
      running.add(batch);
    }
  };

  const polling = poll();

  return {
    queueUrl: options.queueUrl,
    get inFlight() {
      return running.size;
    },
    async stop(timeoutMs = 10_000) {
      stopping.abort();
      await polling;
      if (running.size === 0) return 0;
      const timer = new AbortController();
      await Promise.race([Promise.allSettled([...running]), sleep(timeoutMs, timer.signal)]);
      timer.abort();
      if (running.size > 0) log(`${functionName}: gave up waiting for ${running.size} batch(es) still running`);
      return running.size;
    },
  };
}

/** Counts free concurrency slots; waiters are woken in order, and all at once on abort. */
class SlotWaiter {
  private waiting: Array<() => void> = [];

  constructor(private free: number) {}

  /** Resolves true with a slot taken, or false if `signal` aborted first. */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiting = this.waiting.filter((w) => w !== take);
        resolve(false);
      };
      const take = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** A timer that an abort cuts short (resolves either way). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
