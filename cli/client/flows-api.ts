import { randomUUID } from 'node:crypto';
import { TERMINAL_STATUSES } from '../../shared/domain/job.ts';
import type { JobDefinitions } from '../../shared/jobs/registry.ts';
import { FlowWaitTimeoutError } from './errors.ts';
import { strictEncode, type CallSpec } from './http-transport.ts';
import { pollUntil } from './poll-until.ts';
import type { FlowCreateInput, FlowsApi, FlowView, WaitForOptions } from './types.ts';

/** How `flows.wait` waits unless told otherwise (the same as `waitFor`). */
export const DEFAULT_FLOW_WAIT_TIMEOUT_MS = 60_000;
export const DEFAULT_FLOW_POLL_MS = 500;

/**
 * Finished: the flow is no longer RUNNING and none of its jobs will still change. Both, because a
 * flow may be FAILED while a job with `onDependencyFailure: "run"` has yet to run.
 */
export function isFlowFinished(flow: Pick<FlowView, 'status' | 'jobs'>): boolean {
  if (flow.status === 'RUNNING') return false;
  return Object.values(flow.jobs).every((job) => (TERMINAL_STATUSES as readonly string[]).includes(job.status));
}

/** The `flows` group of SkyForgeClient over the client's JSON call (retries, auth and errors included). */
export function flowsApi<D extends JobDefinitions>(json: <T>(spec: CallSpec) => Promise<T>): FlowsApi<D> {
  const path = (id: string) => `/flows/${strictEncode(id)}`;
  const get = (id: string, options: { signal?: AbortSignal } = {}) => json<FlowView>({ method: 'GET', path: path(id), idempotent: true, signal: options.signal });
  return {
    // The key makes a repeated POST answer the flow the first one made: safe to retry like POST /jobs.
    create: (input: FlowCreateInput<D>, options: { idempotencyKey?: string } = {}) =>
      json<FlowView>({ method: 'POST', path: '/flows', body: flowBody(input, options.idempotencyKey), idempotent: true }),
    get,
    // Cancelling twice is cancelling once (a finished flow answers as it stands): retried like pause.
    cancel: (id, reason) => json<FlowView>({ method: 'POST', path: `${path(id)}/cancel`, body: reason === undefined ? {} : { reason }, idempotent: true }),
    retry: (id) => json<FlowView>({ method: 'POST', path: `${path(id)}/retry`, body: {}, idempotent: false }),
    wait: (id: string, options: WaitForOptions = {}) => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_FLOW_WAIT_TIMEOUT_MS;
      return pollUntil(
        (signal) => get(id, { signal }),
        isFlowFinished,
        { timeoutMs, pollMs: options.pollMs ?? DEFAULT_FLOW_POLL_MS, signal: options.signal },
        (last) => new FlowWaitTimeoutError(id, timeoutMs, last),
      );
    },
  };
}

/** The POST /flows body: the caller's jobs as given (the API refuses unknown fields), always with a key. */
function flowBody<D extends JobDefinitions>(input: FlowCreateInput<D>, idempotencyKey: string | undefined): Record<string, unknown> {
  const jobs = input.jobs.map((job) => (job.runAt instanceof Date ? { ...job, runAt: job.runAt.toISOString() } : job));
  return { ...input, jobs, idempotencyKey: idempotencyKey ?? input.idempotencyKey ?? randomUUID() };
}
