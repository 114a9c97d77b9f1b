import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  QUEUES,
  QUEUE_SETTINGS,
  deadLetterQueueName,
  queueName,
  visibilityTimeoutSeconds,
  type Priority,
} from '../../shared/config/definitions.ts';

export interface JobQueuesProps {
  /** Physical-name prefix; undefined lets CloudFormation generate the names. */
  readonly prefix: string | undefined;
  readonly maxReceiveCount: number;
  /** The worker's timeout, from which the main queues' visibility timeout is derived. */
  readonly workerTimeoutSeconds: number;
  /** The worker mappings' batching window, added to the main queues' visibility timeout. */
  readonly workerMaxBatchingWindowSeconds: number;
  /** The dead-letter consumer's timeout, from which the DLQs' visibility timeout is derived. */
  readonly deadLetterTimeoutSeconds: number;
}

/** One priority's queue and its dead-letter queue. */
export interface PriorityQueues {
  readonly priority: Priority;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

/**
 * The four per-priority SQS standard queues, each with its own redrive DLQ.
 *
 * Encryption is SQS-managed (SSE-SQS), not KMS: messages carry only job ids and routing facts
 * (the payload stays on the DynamoDB item), and a KMS key would make every producer and consumer
 * (api, worker, event source mappings, the scheduler's role) need kms:GenerateDataKey/Decrypt and
 * add KMS requests to every message. Every queue denies non-TLS access (`enforceSSL`).
 */
export class JobQueues extends Construct {
  readonly byPriority: Record<Priority, PriorityQueues>;

  constructor(scope: Construct, id: string, props: JobQueuesProps) {
    super(scope, id);

    const byPriority = {} as Record<Priority, PriorityQueues>;
    for (const definition of QUEUES) {
      const label = definition.priority.charAt(0).toUpperCase() + definition.priority.slice(1);

      const deadLetterQueue = new Queue(this, `${label}DeadLetterQueue`, {
        queueName: props.prefix === undefined ? undefined : deadLetterQueueName(props.prefix, definition.priority),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        maxMessageSizeBytes: QUEUE_SETTINGS.maximumMessageSizeBytes,
        retentionPeriod: Duration.seconds(QUEUE_SETTINGS.dlqRetentionSeconds),
        // The dead-letter consumer reads these queues; same 6x rule as for the worker.
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(props.deadLetterTimeoutSeconds)),
      });

      const queue = new Queue(this, `${label}Queue`, {
        queueName: props.prefix === undefined ? undefined : queueName(props.prefix, definition.priority),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // Set explicitly: some tooling still defaults MaximumMessageSize to 256 KiB.
        maxMessageSizeBytes: QUEUE_SETTINGS.maximumMessageSizeBytes,
        retentionPeriod: Duration.seconds(QUEUE_SETTINGS.retentionSeconds),
        // At least 6x the worker timeout plus the batching window: a message must stay hidden while
        // it waits in the window and while Lambda retries a throttled batch, or it is received
        // again (and counted towards the DLQ) while running.
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(props.workerTimeoutSeconds, props.workerMaxBatchingWindowSeconds)),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      });

      byPriority[definition.priority] = { priority: definition.priority, queue, deadLetterQueue };
    }
    this.byPriority = byPriority;
  }

  /** The four main queues, in priority order. */
  get queues(): Queue[] {
    return QUEUES.map((q) => this.byPriority[q.priority].queue);
  }

  /** The four dead-letter queues, in priority order. */
  get deadLetterQueues(): Queue[] {
    return QUEUES.map((q) => this.byPriority[q.priority].deadLetterQueue);
  }

  /** Queue URLs keyed by priority (tokens until deploy), for SKYFORGE_QUEUE_URLS. */
  get queueUrls(): Record<Priority, string> {
    return this.byPriorityOf((p) => p.queue.queueUrl);
  }

  /** DLQ URLs keyed by priority, for SKYFORGE_DLQ_URLS. */
  get deadLetterQueueUrls(): Record<Priority, string> {
    return this.byPriorityOf((p) => p.deadLetterQueue.queueUrl);
  }

  /** Main queue ARNs keyed by priority, for SKYFORGE_QUEUE_ARNS (the targets of scheduler schedules). */
  get queueArns(): Record<Priority, string> {
    return this.byPriorityOf((p) => p.queue.queueArn);
  }

  private byPriorityOf(pick: (p: PriorityQueues) => string): Record<Priority, string> {
    const out = {} as Record<Priority, string>;
    for (const q of QUEUES) {
      out[q.priority] = pick(this.byPriority[q.priority]);
    }
    return out;
  }
}
