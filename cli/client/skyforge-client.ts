import { retryDelayMs } from './retry-policy.ts';
import { randomUUID } from 'node:crypto';
import { isTerminal, type JobView } from '../../shared/domain/job.ts';
import type { JobDefinitions, JobPayloads } from '../../shared/jobs/registry.ts';
import type { Readiness, Stats } from '../../shared/use-cases/get-stats.ts';
import type { ScheduleView } from '../../shared/use-cases/schedule-view.ts';
import type { FailureGroups } from '../../shared/use-cases/failure-groups.ts';
import type { MinuteCounts } from '../../shared/domain/minute-counts.ts';
import type { FlowKeyState } from '../../shared/ports/flow-control-store.ts';
import { apiErrorFromResponse, BatchTooLargeError, NetworkError, SkyForgeApiError, WaitTimeoutError } from './errors.ts';
import { flowsApi } from './flows-api.ts';
import { HttpTransport, strictEncode, type CallSpec } from './http-transport.ts';
import { pollUntil } from './poll-until.ts';
import type { SigV4Options } from './sigv4-signer.ts';
import type {
  BatchItem,
  BatchResult,
  DeadLetterApi,
  DeadLetterListPageQuery,
  DeadLetterListQuery,
  DefaultJobs,
  EnqueueOptions,
  FlowCreateInput,
  FlowsApi,
  FlowView,
  ListPageQuery,
  ListQuery,
  Page,
  Priority,
  ReplayAllOptions,
  ScheduleCreateInput,
  ScheduleListPageQuery,
  ScheduleListQuery,
  SchedulesApi,
  ScheduleUpdateInput,
  WaitForOptions,
} from './types.ts';

export interface SkyForgeClientOptions {
  /** The API's base URL, e.g. http://localhost:3000 or the stack's ApiUrl output (a stage path is kept). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` (an API started with SKYFORGE_API_TOKEN). */
  token?: string;
  /** Sign every request with SigV4 for `execute-api` (the IAM-protected API on AWS). Excludes `token`. */
  sigv4?: SigV4Options;
  /** The fetch to use (default: the global one); tests inject a flaky one. */
  fetch?: typeof fetch;
  /** How many times a failed call is repeated when that is safe (see retry-policy.ts). Default 3. */
  retries?: number;
  /** Limit of each HTTP attempt, body included. Default 30_000. */
  timeoutMs?: number;
  userAgent?: string;
}

export const DEFAULT_RETRIES = 3;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** POST /jobs/batch takes at most this many jobs. */
export const MAX_BATCH_JOBS = 100;
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;
export const DEFAULT_POLL_MS = 500;
const DEFAULT_USER_AGENT = `skyforge-client node/${process.versions.node}`;

/**
 * A typed client of the SkyForge HTTP API (API.md). Job types and payloads are checked at compile
 * time against a registry's types (`D`, by default the default registry's and the demo types),
 * errors come back as typed classes carrying the API's code, status and request id, and calls are
 * retried with exponential backoff and jitter only when repeating them cannot apply them twice:
 * every submit carries an idempotency key for that reason.
 *
 * @example
 * import { SkyForgeClient, NotFoundError } from './cli/client/index.ts';
 *
 * const client = new SkyForgeClient({ baseUrl: 'http://localhost:3000' });
 * const job = await client.enqueue('demo.sleep', { ms: 500 }, { priority: 'high' });
 * const done = await client.waitFor(job.id, { timeoutMs: 10_000 });   // SUCCEEDED, DEAD or CANCELLED
 * for await (const dead of client.dlq.list({ type: 'demo.fail' })) await client.dlq.replay(dead.id);
 *
 * const flow = await client.flows.create({ jobs: [{ ref: 'a', type: 'demo.echo' }, { ref: 'b', type: 'demo.echo', dependsOn: ['a'] }] });
 * const finished = await client.flows.wait(flow.id);   // SUCCEEDED, FAILED or CANCELLED
 *
 * // Your own registry's types: new SkyForgeClient<typeof jobs>(...), where `jobs = defineJobs({...})`.
 * // On AWS (IAM auth): new SkyForgeClient({ baseUrl: apiUrl, sigv4: { region: 'eu-west-1' } }).
 */
export class SkyForgeClient<D extends JobDefinitions = DefaultJobs> {
  /** Dead jobs: list, get, replay one or many. */
  readonly dlq: DeadLetterApi;
  /** Recurring schedules: CRUD, pause, resume, trigger. */
  readonly schedules: SchedulesApi<D>;
  /** Flows, jobs that depend on jobs: create, get, cancel, retry, wait. */
  readonly flows: FlowsApi<D>;
  private readonly http: HttpTransport;
  private readonly retries: number;

  constructor(options: SkyForgeClientOptions) {
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.http = new HttpTransport({
      baseUrl: options.baseUrl,
      token: options.token,
      sigv4: options.sigv4,
      fetch: options.fetch,
      retries: options.retries ?? DEFAULT_RETRIES,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    });
    this.dlq = this.deadLetterApi();
    this.schedules = this.schedulesApi();
    this.flows = flowsApi<D>(<T>(spec: CallSpec) => this.json<T>(spec));
  }

  /**
   * Submits one job (POST /jobs). Without `options.idempotencyKey` a random UUID is sent, so a
   * retried submit never makes a second job; give your own key to deduplicate across processes.
   */
  async enqueue<T extends keyof D & string>(type: T, payload: JobPayloads<D>[T], options?: EnqueueOptions): Promise<JobView> {
    const trace = { ...(options?.traceparent ? { traceparent: options.traceparent } : {}), ...(options?.tracestate ? { tracestate: options.tracestate } : {}) };
    return this.json<JobView>({ method: 'POST', path: '/jobs', body: jobBody(type, payload, options ?? {}), idempotent: true, headers: trace });
  }

  /**
   * Submits up to 100 jobs in one call (POST /jobs/batch); one bad item never sinks the others.
   * Each item without a key gets one, so the whole call is retried safely, and so are the items
   * the API answered 503 UNAVAILABLE (AWS busy): they are sent again with the same keys, after
   * their Retry-After, as often as the client retries a call. Results are in input order.
   */
  async enqueueBatch(jobs: readonly BatchItem<D>[]): Promise<BatchResult[]> {
    if (jobs.length > MAX_BATCH_JOBS) throw new BatchTooLargeError(jobs.length, MAX_BATCH_JOBS);
    if (jobs.length === 0) return [];
    const bodies = jobs.map((item) => jobBody(item.type, item.payload, item.options ?? {}));
    const results: BatchResult[] = new Array(jobs.length);
    let pending = bodies.map((_, index) => index);
    for (let retry = 0; pending.length > 0; retry += 1) {
      const body = { jobs: pending.map((index) => bodies[index]) };
      const answer = await this.json<{ results: BatchResult[] }>({ method: 'POST', path: '/jobs/batch', body, idempotent: true });
      for (const result of answer.results) {
        const index = pending[result.index] as number;
        results[index] = { ...result, index };
      }
      const unavailable = pending.filter((index) => results[index]?.status === 503);
      if (unavailable.length === 0 || retry >= this.retries) break;
      const retryAfterMs = Math.max(0, ...unavailable.map((index) => Number(results[index]?.error?.details?.retryAfterSeconds ?? 0) * 1000));
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(retry, retryAfterMs > 0 ? retryAfterMs : null)));
      pending = unavailable;
    }
    return results;
  }

  /** GET /jobs/{id}. */
  async get(id: string): Promise<JobView> {
    return this.getJob(id);
  }

  /** Every job matching the filters, newest first, fetching pages of `pageSize` as the iteration goes. */
  async *list(query: ListQuery = {}): AsyncIterable<JobView> {
    const { pageSize, ...filter } = query;
    yield* paginate((cursor) => this.listPage({ ...filter, ...(pageSize !== undefined ? { limit: pageSize } : {}), ...(cursor ? { cursor } : {}) }));
  }

  /** One page of GET /jobs. */
  async listPage(query: ListPageQuery = {}): Promise<Page<JobView>> {
    return this.json<Page<JobView>>({ method: 'GET', path: '/jobs', query: { ...query }, idempotent: true });
  }

  /** SCHEDULED, QUEUED, RETRYING or RUNNING -> CANCELLED (a running handler's signal fires). Not retried on 5xx. */
  async cancel(id: string, reason?: string): Promise<JobView> {
    return this.json<JobView>({ method: 'POST', path: `${jobPath(id)}/cancel`, body: reason === undefined ? {} : { reason }, idempotent: false });
  }

  /** DEAD or CANCELLED -> QUEUED. Not retried on 5xx. */
  async retry(id: string, options: { resetAttempts?: boolean } = {}): Promise<JobView> {
    const body = options.resetAttempts === undefined ? {} : { resetAttempts: options.resetAttempts };
    return this.json<JobView>({ method: 'POST', path: `${jobPath(id)}/retry`, body, idempotent: false });
  }

  /** Any unfinished job -> DEAD with the reason. Not retried on 5xx. */
  async deadLetter(id: string, reason?: string): Promise<JobView> {
    return this.json<JobView>({ method: 'POST', path: `${jobPath(id)}/dlq`, body: reason === undefined ? {} : { reason }, idempotent: false });
  }

  /** Deletes a job that is not RUNNING. A retry that finds the job already gone counts as done. */
  async delete(id: string): Promise<void> {
    await this.http.call({ method: 'DELETE', path: jobPath(id), idempotent: true, successOnRetry: [404] });
  }

  /**
   * A flow-control key: its latest limits, the jobs holding a parallelism slot and how often a
   * job of it was deferred (GET /flow-control/{key}). An unknown key throws NOT_FOUND.
   */
  /** `getFlowControl` (the OpenAPI operationId): the same as `flowControl(key)`. */
  getFlowControl(key: string): Promise<FlowKeyState> {
    return this.flowControl(key);
  }

  async flowControl(key: string): Promise<FlowKeyState> {
    return this.json<FlowKeyState>({ method: 'GET', path: `/flow-control/${encodeURIComponent(key)}`, idempotent: true });
  }

  /** Queue depths per priority and job counts per status. */
  async stats(): Promise<Stats> {
    return this.json<Stats>({ method: 'GET', path: '/stats', idempotent: true });
  }

  /** Job events per minute (succeeded, failed attempts, retried, dead, cancelled) over the last `minutes` (default 60). */
  async minuteStats(minutes?: number): Promise<{ items: MinuteCounts[] }> {
    return this.json<{ items: MinuteCounts[] }>({ method: 'GET', path: '/stats/minutes', query: { minutes }, idempotent: true });
  }

  /** True when GET /healthz answers 2xx; false on an error answer or none (one attempt, no retries). */
  async health(): Promise<boolean> {
    try {
      await this.http.call({ method: 'GET', path: '/healthz', idempotent: true, retries: 0 });
      return true;
    } catch (error) {
      if (error instanceof SkyForgeApiError || error instanceof NetworkError) return false;
      throw error;
    }
  }

  /** GET /readyz: whether DynamoDB and SQS answer, with each check. A 503 with checks is an answer, not an error. */
  async ready(): Promise<Readiness> {
    const result = await this.http.call({ method: 'GET', path: '/readyz', idempotent: true, answerStatuses: [503] });
    const body = result.body as Partial<Readiness> | undefined;
    if (typeof body?.ready !== 'boolean') {
      throw apiErrorFromResponse({ status: result.status, body: result.body, text: '', requestId: result.requestId, retryAfterMs: null });
    }
    return body as Readiness;
  }

  /** GET /metrics: the Prometheus text exposition. */
  async metrics(): Promise<string> {
    const result = await this.http.call({ method: 'GET', path: '/metrics', idempotent: true, text: true });
    return result.body as string;
  }

  /**
   * Polls the job until it is finished (SUCCEEDED, DEAD or CANCELLED) and resolves with it,
   * whatever the outcome. Rejects with WaitTimeoutError (carrying the last job seen) after
   * `timeoutMs`, with the signal's reason when `signal` aborts, or with the API's error (a
   * NotFoundError when the job does not exist).
   */
  async waitFor(id: string, options: WaitForOptions = {}): Promise<JobView> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    return pollUntil(
      (signal) => this.getJob(id, signal),
      (job) => isTerminal(job.status),
      { timeoutMs, pollMs: options.pollMs ?? DEFAULT_POLL_MS, signal: options.signal },
      (last) => new WaitTimeoutError(id, timeoutMs, last),
    );
  }

  /** GET /jobs/{id} (operationId getJob; `get` without the signal). */
  async getJob(id: string, signal?: AbortSignal): Promise<JobView> {
    return this.json<JobView>({ method: 'GET', path: jobPath(id), idempotent: true, signal });
  }

  /** One page of GET /queues/{priority}/jobs: one priority queue's jobs, newest first. */
  async listQueueJobs(priority: Priority, query: Omit<ListPageQuery, 'priority' | 'type'> = {}): Promise<Page<JobView>> {
    return this.json<Page<JobView>>({ method: 'GET', path: `/queues/${strictEncode(priority)}/jobs`, query: { ...query }, idempotent: true });
  }

  /** GET /openapi.json: the OpenAPI 3.1 document the API serves (the one docs/openapi.json holds). */
  async getOpenApiDocument(): Promise<Record<string, unknown>> {
    return this.json<Record<string, unknown>>({ method: 'GET', path: '/openapi.json', idempotent: true });
  }

  // Methods named after the operationIds of the OpenAPI document (shared/http/openapi.ts), so
  // that this client and one generated from docs/openapi.json in another language name a call
  // alike. Each is the method beside it under another name; both stay.

  /** Same as `listPage` (operationId listJobs). */
  listJobs(query: ListPageQuery = {}): Promise<Page<JobView>> {
    return this.listPage(query);
  }
  /** Same as `cancel` (operationId cancelJob). */
  cancelJob(id: string, reason?: string): Promise<JobView> {
    return this.cancel(id, reason);
  }
  /** Same as `retry` (operationId retryJob). */
  retryJob(id: string, options: { resetAttempts?: boolean } = {}): Promise<JobView> {
    return this.retry(id, options);
  }
  /** Same as `deadLetter` (operationId deadLetterJob). */
  deadLetterJob(id: string, reason?: string): Promise<JobView> {
    return this.deadLetter(id, reason);
  }
  /** Same as `delete` (operationId deleteJob). */
  deleteJob(id: string): Promise<void> {
    return this.delete(id);
  }
  /** Same as `dlq.listPage` (operationId listDeadLetters). */
  listDeadLetters(query: DeadLetterListPageQuery = {}): Promise<Page<JobView>> {
    return this.dlq.listPage(query);
  }
  /** Same as `dlq.get` (operationId getDeadLetter). */
  getDeadLetter(id: string): Promise<JobView> {
    return this.dlq.get(id);
  }
  /** Same as `dlq.replay` (operationId replayDeadLetter). */
  replayDeadLetter(id: string): Promise<JobView> {
    return this.dlq.replay(id);
  }
  /** Same as `dlq.replayAll` (operationId replayDeadLetters). */
  replayDeadLetters(options: ReplayAllOptions = {}): Promise<{ replayed: number }> {
    return this.dlq.replayAll(options);
  }
  /** Same as `dlq.groups` (operationId listDeadLetterGroups). */
  listDeadLetterGroups(query: { type?: string } = {}): Promise<FailureGroups> {
    return this.dlq.groups(query);
  }
  /** Same as `dlq.replayGroup` (operationId replayDeadLetterGroup). */
  replayDeadLetterGroup(fingerprint: string, options: { limit?: number } = {}): Promise<{ replayed: number }> {
    return this.dlq.replayGroup(fingerprint, options);
  }
  /** Same as `schedules.create` (operationId createSchedule). */
  createSchedule(input: ScheduleCreateInput<D>): Promise<ScheduleView> {
    return this.schedules.create(input);
  }
  /** Same as `schedules.listPage` (operationId listSchedules). */
  listSchedules(query: ScheduleListPageQuery = {}): Promise<Page<ScheduleView>> {
    return this.schedules.listPage(query);
  }
  /** Same as `schedules.get` (operationId getSchedule). */
  getSchedule(name: string): Promise<ScheduleView> {
    return this.schedules.get(name);
  }
  /** Same as `schedules.update`, a replace (operationId updateSchedule). */
  updateSchedule(name: string, input: ScheduleUpdateInput<D>): Promise<ScheduleView> {
    return this.schedules.update(name, input);
  }
  /** Same as `schedules.delete` (operationId deleteSchedule). */
  deleteSchedule(name: string): Promise<void> {
    return this.schedules.delete(name);
  }
  /** Same as `schedules.pause` (operationId pauseSchedule). */
  pauseSchedule(name: string): Promise<ScheduleView> {
    return this.schedules.pause(name);
  }
  /** Same as `schedules.resume` (operationId resumeSchedule). */
  resumeSchedule(name: string): Promise<ScheduleView> {
    return this.schedules.resume(name);
  }
  /** Same as `schedules.trigger` (operationId triggerSchedule). */
  triggerSchedule(name: string): Promise<JobView> {
    return this.schedules.trigger(name);
  }
  /** Same as `flows.create` (operationId createFlow). */
  createFlow(input: FlowCreateInput<D>, options: { idempotencyKey?: string } = {}): Promise<FlowView> {
    return this.flows.create(input, options);
  }
  /** Same as `flows.get` (operationId getFlow). */
  getFlow(id: string): Promise<FlowView> {
    return this.flows.get(id);
  }
  /** Same as `flows.cancel` (operationId cancelFlow). */
  cancelFlow(id: string, reason?: string): Promise<FlowView> {
    return this.flows.cancel(id, reason);
  }
  /** Same as `flows.retry` (operationId retryFlow). */
  retryFlow(id: string): Promise<FlowView> {
    return this.flows.retry(id);
  }
  /** Same as `stats` (operationId getStats). */
  getStats(): Promise<Stats> {
    return this.stats();
  }
  /** Same as `minuteStats` (operationId getMinuteStats). */
  getMinuteStats(minutes?: number): Promise<{ items: MinuteCounts[] }> {
    return this.minuteStats(minutes);
  }
  /** Same as `health`: true when GET /healthz answers 2xx (operationId getHealth). */
  getHealth(): Promise<boolean> {
    return this.health();
  }
  /** Same as `ready` (operationId getReadiness). */
  getReadiness(): Promise<Readiness> {
    return this.ready();
  }
  /** Same as `metrics` (operationId getMetrics). */
  getMetrics(): Promise<string> {
    return this.metrics();
  }

  private async json<T>(spec: CallSpec): Promise<T> {
    return (await this.http.call(spec)).body as T;
  }

  private deadLetterApi(): DeadLetterApi {
    const listPage = (query: DeadLetterListPageQuery = {}): Promise<Page<JobView>> =>
      this.json<Page<JobView>>({ method: 'GET', path: '/dlq', query: { ...query }, idempotent: true });
    return {
      listPage,
      list: (query: DeadLetterListQuery = {}) =>
        paginate((cursor) =>
          listPage({
            ...(query.type !== undefined ? { type: query.type } : {}),
            ...(query.fingerprint !== undefined ? { fingerprint: query.fingerprint } : {}),
            ...(query.pageSize !== undefined ? { limit: query.pageSize } : {}),
            ...(cursor ? { cursor } : {}),
          }),
        ),
      get: (id) => this.json<JobView>({ method: 'GET', path: `/dlq/${strictEncode(id)}`, idempotent: true }),
      replay: (id) => this.json<JobView>({ method: 'POST', path: `/dlq/${strictEncode(id)}/replay`, body: {}, idempotent: false }),
      replayAll: (options: ReplayAllOptions = {}) =>
        this.json<{ replayed: number }>({ method: 'POST', path: '/dlq/replay', body: pick(options, ['type', 'limit']), idempotent: false }),
      groups: (query: { type?: string } = {}) => this.json<FailureGroups>({ method: 'GET', path: '/dlq/groups', query: { ...query }, idempotent: true }),
      replayGroup: (fingerprint, options: { limit?: number } = {}) =>
        this.json<{ replayed: number }>({ method: 'POST', path: `/dlq/groups/${strictEncode(fingerprint)}/replay`, body: pick(options, ['limit']), idempotent: false }),
    };
  }

  private schedulesApi(): SchedulesApi<D> {
    const path = (name: string) => `/schedules/${strictEncode(name)}`;
    const listPage = (query: ScheduleListPageQuery = {}): Promise<Page<ScheduleView>> =>
      this.json<Page<ScheduleView>>({ method: 'GET', path: '/schedules', query: { ...query }, idempotent: true });
    return {
      listPage,
      list: (query: ScheduleListQuery = {}) =>
        paginate((cursor) => listPage({ ...(query.pageSize !== undefined ? { limit: query.pageSize } : {}), ...(cursor ? { cursor } : {}) })),
      get: (name) => this.json<ScheduleView>({ method: 'GET', path: path(name), idempotent: true }),
      // A create that may have been applied would answer 409 CONFLICT when repeated: not retried on 5xx.
      create: (input: ScheduleCreateInput<D>) =>
        this.json<ScheduleView>({ method: 'POST', path: '/schedules', body: { name: input.name, ...scheduleBody(input) }, idempotent: false }),
      update: (name, input: ScheduleUpdateInput<D>) => this.json<ScheduleView>({ method: 'PUT', path: path(name), body: scheduleBody(input), idempotent: true }),
      delete: async (name) => {
        await this.http.call({ method: 'DELETE', path: path(name), idempotent: true, successOnRetry: [404] });
      },
      // Pause and resume set a state: doing it twice is doing it once, so they are retried like a PUT.
      pause: (name) => this.json<ScheduleView>({ method: 'POST', path: `${path(name)}/pause`, body: {}, idempotent: true }),
      resume: (name) => this.json<ScheduleView>({ method: 'POST', path: `${path(name)}/resume`, body: {}, idempotent: true }),
      trigger: (name) => this.json<JobView>({ method: 'POST', path: `${path(name)}/trigger`, body: {}, idempotent: false }),
    };
  }
}

async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

function jobPath(id: string): string {
  return `/jobs/${strictEncode(id)}`;
}

/** A POST /jobs body from the client's arguments: only the API's fields (it refuses unknown ones), always with a key. */
function jobBody(type: string, payload: unknown, options: EnqueueOptions): Record<string, unknown> {
  return {
    type,
    ...(payload !== undefined ? { payload } : {}),
    ...pick(options, ['priority', 'maxAttempts', 'backoff', 'timeoutMs', 'delayMs', 'metadata', 'flowControl']),
    ...(options.runAt !== undefined ? { runAt: isoInstant(options.runAt) } : {}),
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
  };
}

function scheduleBody<J extends JobDefinitions>(input: ScheduleUpdateInput<J>): Record<string, unknown> {
  return {
    ...pick(input, ['expression', 'timezone', 'job', 'enabled', 'description']),
    ...(input.startDate !== undefined ? { startDate: isoInstant(input.startDate) } : {}),
    ...(input.endDate !== undefined ? { endDate: isoInstant(input.endDate) } : {}),
  };
}

function isoInstant(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** The listed fields that are set. */
function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
