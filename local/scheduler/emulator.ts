import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseScheduleExpression } from '../../shared/domain/schedule-expression.ts';
import { substituteContextAttributes } from './context-attributes.ts';
import { afterFailedAttempt, defaultRetryDelayMs } from './delivery-retry.ts';
import { SCHEDULER_ERRORS, SchedulerRequestError } from './errors.ts';
import { catchUpAfterRestart, followingFiring } from './firing-plan.ts';
import * as groupOperations from './group-operations.ts';
import { SchedulerJournal } from './journal.ts';
import { DEFAULT_GROUP } from './model-constraints.ts';
import type { Mutation } from './mutations.ts';
import type { Operation, OperationContext, OperationOutput } from './operation-context.ts';
import type { DeliveryRecord, ScheduleRecord } from './records.ts';
import { RequestFields } from './request-fields.ts';
import { matchRoute, type SchedulerOperationName } from './rest-routes.ts';
import * as scheduleOperations from './schedule-operations.ts';
import { SchedulerState } from './scheduler-state.ts';
import * as tagOperations from './tag-operations.ts';

/** One invocation attempt of a target, as the emulator hands it to `deliver`. */
export interface ScheduleDelivery {
  /** The target's ARN (for a dead letter: the DeadLetterConfig queue's ARN). */
  targetArn: string;
  /** The target's Input with the context attributes substituted. */
  input: string;
  scheduleArn: string;
  /** Epoch ms of the time the expression named. */
  scheduledTime: number;
  /** 1 for the first attempt; a dead letter carries the number of the last attempt. */
  attempt: number;
  /** The execution role the schedule names: Scheduler delivers (dead letters too) as this role. */
  roleArn: string;
  sqsParameters?: { MessageGroupId?: string };
}

export interface SchedulerEmulatorOptions {
  region?: string; // default 'us-east-1'
  accountId?: string; // default '000000000000'
  /** Folder for persistent state; null or omitted = in memory only. */
  dataDir?: string | null;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
  /** Invokes a target; a throw (or rejection) is a failed attempt, retried under the target's RetryPolicy. */
  deliver: (delivery: ScheduleDelivery) => Promise<void>;
  /** Uniform in [0, 1): where in a flexible window an invocation falls. Default Math.random. */
  random?: () => number;
  /** Delay before retry number n (1 for the first). Default: 1 s doubling, capped at 60 s. */
  retryDelayMs?: (retry: number) => number;
  /** How often the firing loop runs; 0 turns it off (tests then call runDue). Default 1000. */
  tickMs?: number;
  /** Where dead letters, dropped invocations and skipped firings are reported. Default console.warn. */
  log?: (message: string) => void;
}

export interface SchedulerResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CONTENT_TYPE = 'application/json';
/** Compact the journal into a snapshot once this many bytes were appended since the last one. */
const COMPACT_AFTER_BYTES = 16 * 1024 * 1024;
/** runDue's rounds (fire, then attempt what is due) end when nothing is due; this only guards against a bug looping. */
const MAX_ROUNDS = 1_000;

const OPERATIONS: Readonly<Record<SchedulerOperationName, Operation>> = {
  CreateSchedule: scheduleOperations.createSchedule,
  GetSchedule: scheduleOperations.getSchedule,
  UpdateSchedule: scheduleOperations.updateSchedule,
  DeleteSchedule: scheduleOperations.deleteSchedule,
  ListSchedules: scheduleOperations.listSchedules,
  CreateScheduleGroup: groupOperations.createScheduleGroup,
  GetScheduleGroup: groupOperations.getScheduleGroup,
  DeleteScheduleGroup: groupOperations.deleteScheduleGroup,
  ListScheduleGroups: groupOperations.listScheduleGroups,
  TagResource: tagOperations.tagResource,
  UntagResource: tagOperations.untagResource,
  ListTagsForResource: tagOperations.listTagsForResource,
};

/**
 * The local cloud's EventBridge Scheduler: the REST-JSON API of `@aws-sdk/client-scheduler`,
 * and schedules that really fire. `handle` answers one request and never owns a server (the
 * local cloud mounts it on its edge port by path); a timer loop calls `runDue` about once a
 * second, which fires what is due and makes the attempts that are due, through `deliver`.
 *
 * @example
 * const scheduler = new SchedulerEmulator({ dataDir: '.skyforge/scheduler', deliver: async (d) => send(d) });
 * await scheduler.open();
 * const response = await scheduler.handle('GET', '/schedules', new URLSearchParams(), Buffer.alloc(0));
 */
export class SchedulerEmulator {
  /** Number of calls per operation name since start (benchmarks count AWS calls with it). */
  readonly calls = new Map<string, number>();

  private readonly region: string;
  private readonly accountId: string;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly retryDelayMs: (retry: number) => number;
  private readonly deliver: (delivery: ScheduleDelivery) => Promise<void>;
  private readonly tickMs: number;
  private readonly log: (message: string) => void;
  private readonly state = new SchedulerState();
  private readonly journal: SchedulerJournal | undefined;
  private readonly context: OperationContext;
  /** The runDue chain: one run at a time, so the timer and a test never fire the same thing twice. */
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private opened: Promise<void> | undefined;
  private closed = false;

  constructor(options: SchedulerEmulatorOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
    this.deliver = options.deliver;
    this.tickMs = options.tickMs ?? 1000;
    this.log = options.log ?? ((message) => console.warn(`[scheduler-emulator] ${message}`));
    this.journal = options.dataDir === undefined || options.dataDir === null ? undefined : new SchedulerJournal(options.dataDir);
    this.context = this.createContext();
  }

  /**
   * Loads persisted state (if dataDir), creates the `default` group on first use, deals with
   * firings missed while no emulator ran (see catchUpAfterRestart) and starts the firing loop.
   */
  open(): Promise<void> {
    this.opened ??= Promise.resolve().then(() => this.load());
    return this.opened;
  }

  /**
   * One REST-JSON request: `path` as on the wire (percent-encoded, without the query string),
   * `query` its parameters, `body` the raw body (empty for GET and DELETE).
   */
  async handle(method: string, path: string, query: URLSearchParams, body: Buffer): Promise<SchedulerResponse> {
    const route = matchRoute(method, path);
    const operationName = route?.operation ?? `${method.toUpperCase()} ${path}`;
    this.calls.set(operationName, (this.calls.get(operationName) ?? 0) + 1);
    try {
      if (this.closed) throw new SchedulerRequestError('ServiceUnavailableException', 'The Scheduler emulator is shut down.');
      await this.open();
      if (route === undefined) {
        throw new SchedulerRequestError('UnknownOperationException', `No Scheduler operation answers ${method.toUpperCase()} ${path}.`);
      }
      const output = OPERATIONS[route.operation](this.context, { label: route.label, query, body: RequestFields.parse(body) });
      return jsonResponse(200, output);
    } catch (error) {
      if (error instanceof SchedulerRequestError) return errorResponse(error);
      const message = error instanceof Error ? error.message : String(error);
      return errorResponse(new SchedulerRequestError('InternalServerException', `The Scheduler emulator failed: ${message}`));
    } finally {
      this.compactIfLarge();
    }
  }

  /**
   * Fires every schedule due at now() and makes every delivery attempt (first tries, retries,
   * dead letters) due at now(), until nothing is due. Returns how many schedules fired (retries
   * are not new firings). Runs one at a time: a call made while one runs waits for it.
   */
  runDue(): Promise<number> {
    const run = this.running.then(async () => {
      await this.open();
      return this.closed ? 0 : this.runDueNow();
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Stops the firing loop, lets a run in progress end (it stops between deliveries), saves state. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.journal !== undefined && this.opened !== undefined) {
      await this.opened.catch(() => undefined);
      this.journal.compact(this.state.snapshot(), this.now(), false);
      this.journal.close();
    }
  }

  private load(): void {
    if (this.journal !== undefined) {
      const loaded = this.journal.load();
      if (loaded.snapshot !== undefined) this.state.restore(loaded.snapshot);
      for (const mutation of loaded.mutations) this.state.apply(mutation);
      // Start from a fresh snapshot so the journal only ever holds this run's changes.
      this.journal.compact(this.state.snapshot(), this.now(), true);
    }
    const now = this.now();
    if (!this.state.groups.has(DEFAULT_GROUP)) {
      this.commit({
        type: 'putGroup',
        group: { name: DEFAULT_GROUP, arn: this.groupArn(DEFAULT_GROUP), creationDate: now, lastModificationDate: now, tags: [] },
      });
    }
    this.catchUpMissedFirings(now);
    this.armTimer();
  }

  private catchUpMissedFirings(now: number): void {
    for (const schedule of this.state.allSchedules()) {
      if (schedule.next === null || schedule.next.fireAt >= now) continue;
      const expression = this.parse(schedule);
      if (expression === undefined) continue;
      const { next, skipped } = catchUpAfterRestart(schedule, expression, now, this.random);
      if (skipped) {
        this.log(`${schedule.arn}: the firing of ${new Date(schedule.next.scheduledTime).toISOString()} was missed while stopped and is outside its window; skipped`);
      }
      this.commit(this.advanced(schedule, next));
    }
  }

  private async runDueNow(): Promise<number> {
    let fired = 0;
    for (let round = 0; round < MAX_ROUNDS && !this.closed; round += 1) {
      const now = this.now();
      const dueSchedules = this.state.dueSchedules(now);
      for (const schedule of dueSchedules) fired += this.fire(schedule, now);
      const dueDeliveries = this.state.dueDeliveries(now);
      if (dueSchedules.length === 0 && dueDeliveries.length === 0) break;
      for (const delivery of dueDeliveries) {
        if (this.closed) break;
        await this.attempt(delivery.executionId);
      }
      this.compactIfLarge();
    }
    return fired;
  }

  /**
   * One firing, committed before anything is delivered: the delivery it starts and the
   * schedule's next firing (or its deletion after completion) are one journal line, so a crash
   * can neither lose the invocation nor fire it twice from the schedule.
   */
  private fire(schedule: ScheduleRecord, now: number): number {
    const planned = schedule.next;
    const expression = this.parse(schedule);
    if (planned === null || expression === undefined) return 0;
    const delivery: DeliveryRecord = {
      executionId: randomBytes(8).toString('hex'),
      scheduleArn: schedule.arn,
      scheduledTime: planned.scheduledTime,
      target: schedule.target,
      attempt: 1,
      dueAt: now,
      firedAt: now,
    };
    const next = followingFiring(schedule, expression, planned.scheduledTime, now, this.random);
    this.commit({ type: 'batch', mutations: [{ type: 'putDelivery', delivery }, this.advanced(schedule, next)] });
    return 1;
  }

  /** The schedule with its next firing; a completed schedule with ActionAfterCompletion DELETE goes. */
  private advanced(schedule: ScheduleRecord, next: ScheduleRecord['next']): Mutation {
    if (next === null && schedule.actionAfterCompletion === 'DELETE') {
      return { type: 'deleteSchedule', groupName: schedule.groupName, name: schedule.name };
    }
    return { type: 'putSchedule', schedule: { ...schedule, next } };
  }

  private async attempt(executionId: string): Promise<void> {
    const delivery = this.state.delivery(executionId);
    if (delivery === undefined) return;
    const input = substituteContextAttributes(delivery.target.input ?? '{}', {
      scheduleArn: delivery.scheduleArn,
      scheduledTime: delivery.scheduledTime,
      executionId,
      attempt: delivery.attempt,
    });
    const messageGroupId = delivery.target.sqsParameters?.messageGroupId;
    try {
      await this.deliver({
        targetArn: delivery.target.arn,
        input,
        scheduleArn: delivery.scheduleArn,
        scheduledTime: delivery.scheduledTime,
        attempt: delivery.attempt,
        roleArn: delivery.target.roleArn,
        ...(delivery.target.sqsParameters === undefined
          ? {}
          : { sqsParameters: messageGroupId === undefined ? {} : { MessageGroupId: messageGroupId } }),
      });
      this.commit({ type: 'deleteDelivery', executionId });
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const decision = afterFailedAttempt(delivery, this.now(), this.retryDelayMs);
      if (decision.kind === 'retry') {
        this.commit({ type: 'putDelivery', delivery: { ...delivery, attempt: decision.attempt, dueAt: decision.dueAt, lastError: reason } });
        return;
      }
      await this.deadLetter(delivery, input, `${reason} (retries ended by ${decision.reason})`);
      this.commit({ type: 'deleteDelivery', executionId });
    }
  }

  /** Sends the invocation's Input to the target's DeadLetterConfig queue, or reports it dropped. */
  private async deadLetter(delivery: DeliveryRecord, input: string, reason: string): Promise<void> {
    const deadLetterArn = delivery.target.deadLetterArn;
    if (deadLetterArn === undefined) {
      this.log(`${delivery.scheduleArn}: invocation ${delivery.executionId} dropped after ${delivery.attempt} attempt(s): ${reason}`);
      return;
    }
    try {
      await this.deliver({
        targetArn: deadLetterArn,
        input,
        scheduleArn: delivery.scheduleArn,
        scheduledTime: delivery.scheduledTime,
        attempt: delivery.attempt,
        roleArn: delivery.target.roleArn,
      });
    } catch (error) {
      // Scheduler drops an event its DLQ does not take; there is nowhere further to send it.
      const dlqReason = error instanceof Error ? error.message : String(error);
      this.log(`${delivery.scheduleArn}: invocation ${delivery.executionId} dropped; its dead-letter queue refused it: ${dlqReason}`);
    }
  }

  /** The parsed expression, or undefined (and the schedule stopped) if it no longer parses. */
  private parse(schedule: ScheduleRecord): ReturnType<typeof parseScheduleExpression> | undefined {
    try {
      return parseScheduleExpression(schedule.expression);
    } catch (error) {
      // Only possible for state written by an older emulator whose parser accepted more.
      this.log(`${schedule.arn}: stored expression ${schedule.expression} no longer parses (${(error as Error).message}); not fired`);
      this.commit({ type: 'putSchedule', schedule: { ...schedule, next: null } });
      return undefined;
    }
  }

  private commit(mutation: Mutation): void {
    // Journal first: if the write fails, the state stays as the (failed) answer says.
    this.journal?.append(mutation);
    this.state.apply(mutation);
  }

  private compactIfLarge(): void {
    if (this.closed || this.journal === undefined || this.journal.size <= COMPACT_AFTER_BYTES) return;
    if (!this.journal.compact(this.state.snapshot(), this.now(), true)) {
      this.log('another emulator took over the data folder; this one no longer persists.');
    }
  }

  private armTimer(): void {
    if (this.tickMs <= 0 || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runDue()
        .catch((error: unknown) => this.log(`firing loop failed: ${(error as Error).message}`))
        .finally(() => this.armTimer());
    }, this.tickMs);
    // The loop alone must not keep a process alive.
    this.timer.unref();
  }

  /** A create or update whose first firing is already due fires now, not at the next tick. */
  private scheduleChanged(schedule: ScheduleRecord): void {
    if (this.tickMs <= 0 || this.closed || schedule.next === null || schedule.next.fireAt > this.now()) return;
    setImmediate(() => {
      this.runDue().catch((error: unknown) => this.log(`firing loop failed: ${(error as Error).message}`));
    });
  }

  private groupArn(name: string): string {
    return `arn:aws:scheduler:${this.region}:${this.accountId}:schedule-group/${name}`;
  }

  private createContext(): OperationContext {
    return {
      state: this.state,
      now: () => this.now(),
      random: () => this.random(),
      scheduleArn: (groupName, name) => `arn:aws:scheduler:${this.region}:${this.accountId}:schedule/${groupName}/${name}`,
      groupArn: (name) => this.groupArn(name),
      commit: (mutation) => this.commit(mutation),
      scheduleChanged: (schedule) => this.scheduleChanged(schedule),
    };
  }
}

/** The Scheduler folder inside a local cloud data folder. */
export function schedulerDataDir(dataDir: string): string {
  return join(dataDir, 'scheduler');
}

function jsonResponse(status: number, output: OperationOutput): SchedulerResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(output),
  };
}

function errorResponse(error: SchedulerRequestError): SchedulerResponse {
  return {
    status: SCHEDULER_ERRORS[error.code].status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': error.code },
    body: JSON.stringify({ Message: error.message }),
  };
}
