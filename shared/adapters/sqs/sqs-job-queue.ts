import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PRIORITIES, type Priority } from '../../config/definitions.ts';
import type { EnqueueFailure, JobMessage, JobQueue, QueueDepth, VisibilityChange } from '../../ports/job-queue.ts';
import { isPermanentAwsError } from '../aws-errors.ts';
import { encodeJobMessage } from '../../domain/queue-message.ts';

/** SQS takes at most 10 entries per batch request. */
const SQS_BATCH_MAX = 10;
/** Visibility can be extended at most 12 hours from receipt. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * The four priority queues. A message is the job id only (claim check). Several messages are
 * grouped per queue into SendMessageBatch calls of 10, so a batch submit of 100 jobs costs
 * 10 SQS requests, not 100.
 */
export class SqsJobQueue implements JobQueue {
  private readonly client: SQSClient;
  private readonly queueUrls: Record<Priority, string>;
  private readonly deadLetterQueueUrls: Record<Priority, string>;
  private readonly traceHeader: () => string | undefined;

  constructor(options: {
    client: SQSClient;
    queueUrls: Record<Priority, string>;
    deadLetterQueueUrls: Record<Priority, string>;
    /** The current X-Ray trace header, sent as AWSTraceHeader so the worker's trace joins the caller's. */
    traceHeader?: () => string | undefined;
  }) {
    this.client = options.client;
    this.queueUrls = options.queueUrls;
    this.deadLetterQueueUrls = options.deadLetterQueueUrls;
    this.traceHeader = options.traceHeader ?? (() => undefined);
  }

  private traceAttributes(): { MessageSystemAttributes?: { AWSTraceHeader: { DataType: 'String'; StringValue: string } } } {
    const header = this.traceHeader();
    return header ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: header } } } : {};
  }

  async enqueue(messages: readonly JobMessage[]): Promise<EnqueueFailure[]> {
    if (messages.length === 1) {
      const [message] = messages as [JobMessage];
      try {
        await this.client.send(
          new SendMessageCommand({
            QueueUrl: this.queueUrls[message.priority],
            MessageBody: encodeJobMessage(message.jobId, message.timeoutMs, message.flow, message.traceparent),
            ...groupOf(message),
            DelaySeconds: clampDelay(message.delaySeconds),
            ...this.traceAttributes(),
          }),
        );
        return [];
      } catch (error) {
        return [{ jobId: message.jobId, reason: describe(error), permanent: isPermanentAwsError(error) }];
      }
    }
    const chunks: JobMessage[][] = [];
    for (const priority of PRIORITIES) {
      const forQueue = messages.filter((m) => m.priority === priority);
      for (let i = 0; i < forQueue.length; i += SQS_BATCH_MAX) chunks.push(forQueue.slice(i, i + SQS_BATCH_MAX));
    }
    const failed = await Promise.all(chunks.map((chunk) => this.sendBatch(chunk)));
    return failed.flat();
  }

  async defer(priority: Priority, receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrls[priority],
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: clampVisibility(seconds),
      }),
    );
  }

  async hide(changes: readonly VisibilityChange[]): Promise<number> {
    const calls: Promise<number>[] = [];
    for (const priority of PRIORITIES) {
      const forQueue = changes.filter((c) => c.priority === priority);
      for (let i = 0; i < forQueue.length; i += SQS_BATCH_MAX) calls.push(this.hideBatch(priority, forQueue.slice(i, i + SQS_BATCH_MAX)));
    }
    const failed = await Promise.all(calls);
    return failed.reduce((sum, n) => sum + n, 0);
  }

  private async hideBatch(priority: Priority, chunk: readonly VisibilityChange[]): Promise<number> {
    try {
      const out = await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrls[priority],
          Entries: chunk.map((c, i) => ({ Id: String(i), ReceiptHandle: c.receiptHandle, VisibilityTimeout: clampVisibility(c.seconds) })),
        }),
      );
      return out.Failed?.length ?? 0;
    } catch {
      return chunk.length;
    }
  }

  async depths(): Promise<Record<Priority, QueueDepth>> {
    const names: QueueAttributeName[] = [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ];
    const entries = await Promise.all(
      PRIORITIES.map(async (priority) => {
        const [main, dlq] = await Promise.all([
          this.client.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrls[priority], AttributeNames: names })),
          this.client.send(
            new GetQueueAttributesCommand({
              QueueUrl: this.deadLetterQueueUrls[priority],
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          ),
        ]);
        const a = main.Attributes ?? {};
        const d = dlq.Attributes ?? {};
        const depth: QueueDepth = {
          ready: Number(a.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
          deadLetters: Number(d.ApproximateNumberOfMessages ?? 0) + Number(d.ApproximateNumberOfMessagesNotVisible ?? 0),
        };
        return [priority, depth] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<Priority, QueueDepth>;
  }

  async ping(): Promise<void> {
    await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrls.normal, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
  }

  /** One SendMessageBatch; returns the job ids whose entries failed (whole chunk on a call error). */
  private async sendBatch(chunk: JobMessage[]): Promise<EnqueueFailure[]> {
    const first = chunk[0];
    if (!first) return [];
    try {
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrls[first.priority],
          Entries: chunk.map((m, i) => ({
            Id: String(i),
            MessageBody: encodeJobMessage(m.jobId, m.timeoutMs, m.flow, m.traceparent),
            ...groupOf(m),
            DelaySeconds: clampDelay(m.delaySeconds),
            ...this.traceAttributes(),
          })),
        }),
      );
      return (out.Failed ?? []).flatMap((f) => {
        const message = chunk[Number(f.Id)];
        // An entry the service refused (SenderFault) will be refused again; the others may pass.
        return message ? [{ jobId: message.jobId, reason: `${f.Code ?? 'Error'}: ${f.Message ?? 'send failed'}`, permanent: f.SenderFault === true }] : [];
      });
    } catch (error) {
      return chunk.map((m) => ({ jobId: m.jobId, reason: describe(error), permanent: isPermanentAwsError(error) }));
    }
  }
}

function clampVisibility(seconds: number): number {
  return Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(seconds)));
}

function clampDelay(seconds: number): number {
  return Math.max(0, Math.min(900, Math.ceil(seconds)));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * SQS fair queues: a keyed job's message carries its key as MessageGroupId on the standard queue,
 * so one key's backlog does not hold back the other keys' messages. Free: no extra call.
 */
function groupOf(message: JobMessage): { MessageGroupId?: string } {
  const key = message.flow?.flowControl?.key;
  return key ? { MessageGroupId: key } : {};
}
