import type { Mutation } from './mutations.ts';
import type { Queue } from './queue.ts';
import type { RequestFields } from './request-fields.ts';
import type { SqsState } from './sqs-state.ts';

/** A JSON output document of one operation. */
export type OperationOutput = Record<string, unknown>;

/** What an operation may use of the emulator: state to read, and the only ways to change it. */
export interface OperationContext {
  readonly state: SqsState;
  readonly accountId: string;
  now(): number;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  /** The queue's name if `arn` is the ARN of an existing queue of this emulator. */
  queueNameFromArn(arn: string): string | undefined;
  /** The queue named by the request's QueueUrl (any host; the last path segment is the name). */
  requireQueue(fields: RequestFields): Queue;
  /** Journals, then applies, a mutation. Nothing reaches the state any other way. */
  commit(mutation: Mutation): void;
  /** Messages may have become receivable on `queue`: wake its long polls. */
  notify(queue: string): void;
  /** Parks a receive until `attempt` yields a result, `waitMs` passes, the client leaves or the emulator closes. */
  longPoll(
    queue: string,
    waitMs: number,
    attempt: () => OperationOutput | undefined,
    signal: AbortSignal | undefined,
  ): Promise<OperationOutput>;
}

export type Operation = (context: OperationContext, fields: RequestFields, signal: AbortSignal | undefined) => OperationOutput | Promise<OperationOutput>;
