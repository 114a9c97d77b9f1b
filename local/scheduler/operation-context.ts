import type { Mutation } from './mutations.ts';
import type { ScheduleRecord } from './records.ts';
import type { RequestFields } from './request-fields.ts';
import type { SchedulerState } from './scheduler-state.ts';

/** A JSON output document of one operation. */
export type OperationOutput = Record<string, unknown>;

/** One REST request, taken apart. */
export interface OperationRequest {
  /** The path label ({Name} or {ResourceArn}), decoded; '' for list operations. */
  label: string;
  query: URLSearchParams;
  body: RequestFields;
}

/** What an operation may use of the emulator: state to read, and the only ways to change it. */
export interface OperationContext {
  readonly state: SchedulerState;
  now(): number;
  /** Uniform in [0, 1): where in a flexible window an invocation falls (injected so tests can pin it). */
  random(): number;
  scheduleArn(groupName: string, name: string): string;
  groupArn(name: string): string;
  /** Journals, then applies, a mutation. Nothing reaches the state any other way. */
  commit(mutation: Mutation): void;
  /** A schedule was created or updated: if its first firing is due, the firing loop runs now. */
  scheduleChanged(schedule: ScheduleRecord): void;
}

export type Operation = (context: OperationContext, request: OperationRequest) => OperationOutput;
