import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  FlowWaitTimeoutError,
  NotFoundError,
  ServerError,
  SkyForgeClient,
  ValidationError,
  type FlowView,
  type JobView,
} from '../../cli/client/index.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { rejection } from './support/rejection.ts';
import { gatewayResponse, jsonResponse, route, scriptedFetch } from './support/scripted-fetch.ts';

/**
 * `client.flows` (create, get, cancel, retry, wait) and the createFlow/getFlow/cancelFlow/retryFlow
 * aliases against the real API of the local cloud over HTTP; a scripted fetch only where the
 * network has to misbehave.
 */

const FAST = { pollMs: 50, timeoutMs: 15_000 };

let cloud: LocalCloud;
let client: SkyForgeClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_CANCEL_POLL_MS: '100' } });
  client = new SkyForgeClient({ baseUrl: cloud.apiUrl });
});
afterAll(async () => cloud?.stop());

/** The demo.echo jobs whose payload carries `marker`, across all pages. */
async function jobsWithMarker(marker: string): Promise<JobView[]> {
  const found: JobView[] = [];
  for await (const job of client.list({ type: 'demo.echo', pageSize: 200 })) {
    if ((job.payload as { marker?: string } | null)?.marker === marker) found.push(job);
  }
  return found;
}

const statuses = (flow: FlowView) => Object.fromEntries(Object.entries(flow.jobs).map(([ref, job]) => [ref, job.status]));

describe('flows against the local cloud', () => {
  it('creates a flow whose dependents start BLOCKED with their dependencies’ ids, and waits until every job SUCCEEDED', async () => {
    const flow = await client.flows.create({
      jobs: [
        { ref: 'fetch', type: 'demo.echo', payload: { step: 'fetch' } },
        { ref: 'resize', type: 'demo.sleep', payload: { ms: 300 }, dependsOn: ['fetch'] },
        { ref: 'notify', type: 'demo.echo', payload: { step: 'notify' }, dependsOn: ['fetch', 'resize'], onDependencyFailure: 'cancel', priority: 'high' },
      ],
    });
    expect(flow.status).toBe('RUNNING');
    expect(Object.keys(flow.jobs).sort()).toEqual(['fetch', 'notify', 'resize']);
    const { fetch, resize, notify } = flow.jobs;
    expect(notify).toMatchObject({ status: 'BLOCKED', flowId: flow.id, ref: 'notify', priority: 'high' });
    expect(notify?.dependsOn?.slice().sort()).toEqual([fetch?.id, resize?.id].sort());
    expect(resize).toMatchObject({ flowId: flow.id, ref: 'resize', dependsOn: [fetch?.id] });

    const done = await client.flows.wait(flow.id, FAST);
    expect(done.status).toBe('SUCCEEDED');
    expect(statuses(done)).toEqual({ fetch: 'SUCCEEDED', resize: 'SUCCEEDED', notify: 'SUCCEEDED' });
    // Dependencies finish before their dependents start.
    expect(Date.parse(done.jobs.resize?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.jobs.fetch?.finishedAt ?? ''));
    expect(Date.parse(done.jobs.notify?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.jobs.resize?.finishedAt ?? ''));
    expect(await client.getFlow(flow.id)).toEqual(done);
  });

  it('sends an idempotency key of its own: a create retried after a lost answer makes one flow', async () => {
    const marker = randomUUID();
    let lost = 0;
    const flaky = scriptedFetch((request) => {
      if (route(request) !== 'POST /flows' || lost > 0) return 'forward';
      lost += 1;
      return { forwardThenRespond: () => gatewayResponse(503, 'Service Unavailable') };
    });
    const retrying = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: flaky.fetch });
    const flow = await retrying.flows.create({ jobs: [{ ref: 'a', type: 'demo.echo', payload: { marker } }, { ref: 'b', type: 'demo.echo', payload: { marker }, dependsOn: ['a'] }] });

    const posts = flaky.requests.filter((r) => route(r) === 'POST /flows');
    expect(posts).toHaveLength(2);
    const keys = posts.map((r) => (JSON.parse(r.body ?? '{}') as { idempotencyKey?: string }).idempotencyKey);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    await client.flows.wait(flow.id, FAST);
    expect((await jobsWithMarker(marker)).map((j) => j.id).sort()).toEqual(Object.values(flow.jobs).map((j) => j.id).sort());
  });

  it('answers the same flow for the same key and body; the key with another body is IDEMPOTENCY_KEY_REUSED', async () => {
    const idempotencyKey = `order-${randomUUID()}`;
    const jobs = [{ ref: 'only', type: 'demo.echo' as const, payload: { n: 1 } }];
    const first = await client.flows.create({ jobs, idempotencyKey });
    const again = await client.createFlow({ jobs }, { idempotencyKey });
    expect(again.id).toBe(first.id);
    expect(again.jobs.only?.id).toBe(first.jobs.only?.id);

    const reused = await rejection(client.flows.create({ jobs: [{ ref: 'only', type: 'demo.echo', payload: { n: 2 } }], idempotencyKey }));
    expect(reused).toBeInstanceOf(ConflictError);
    expect(reused).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 });
    const other = await client.flows.create({ jobs });
    expect(other.id).not.toBe(first.id);
  });

  it.each([
    ['a cycle', [{ ref: 'a', type: 'demo.echo', dependsOn: ['b'] }, { ref: 'b', type: 'demo.echo', dependsOn: ['a'] }], /cycle/],
    ['an unknown ref', [{ ref: 'a', type: 'demo.echo', dependsOn: ['ghost'] }], /ghost/],
    ['a duplicate ref', [{ ref: 'a', type: 'demo.echo' }, { ref: 'a', type: 'demo.echo' }], /duplicate/],
  ] as const)('refuses %s with ValidationError naming it, and creates nothing', async (_, jobs, message) => {
    const error = await rejection(client.flows.create({ jobs }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, requestId: expect.any(String) });
    expect((error as Error).message).toMatch(message);
  });

  it('answers NotFoundError for an unknown flow, on get, cancel, retry and wait', async () => {
    const calls = [() => client.flows.get('no-such-flow'), () => client.cancelFlow('no-such-flow'), () => client.retryFlow('no-such-flow'), () => client.flows.wait('no-such-flow', FAST)];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    }
  });

  it('cancels every unfinished job of a flow; wait then resolves with the CANCELLED flow', async () => {
    const flow = await client.flows.create({
      jobs: [
        { ref: 'slow', type: 'demo.sleep', payload: { ms: 30_000 } },
        { ref: 'after', type: 'demo.echo', dependsOn: ['slow'] },
      ],
    });
    await expect.poll(async () => (await client.flows.get(flow.id)).jobs.slow?.status, { timeout: 10_000 }).toBe('RUNNING');
    const cancelled = await client.flows.cancel(flow.id, 'order withdrawn');
    expect(cancelled.id).toBe(flow.id);
    const done = await client.flows.wait(flow.id, FAST);
    expect(done.status).toBe('CANCELLED');
    expect(statuses(done)).toEqual({ slow: 'CANCELLED', after: 'CANCELLED' });
    expect(done.jobs.slow?.cancelReason).toContain('order withdrawn');
  });

  it('a DEAD job fails the flow and cancels its dependents (a `run` dependent runs anyway); retry replays it and the flow SUCCEEDS', async () => {
    const flow = await client.flows.create({
      jobs: [
        { ref: 'charge', type: 'demo.echo', payload: { step: 'charge' }, delayMs: 600_000 },
        { ref: 'ship', type: 'demo.echo', dependsOn: ['charge'] },
        { ref: 'email', type: 'demo.echo', dependsOn: ['ship'] },
        { ref: 'audit', type: 'demo.echo', dependsOn: ['charge'], onDependencyFailure: 'run' },
      ],
    });
    // An operator dead-letters the first job: the flow has a DEAD job.
    await client.deadLetter(flow.jobs.charge?.id ?? '', 'card declined');
    const failed = await client.flows.wait(flow.id, FAST);
    expect(failed.status).toBe('FAILED');
    expect(statuses(failed)).toEqual({ charge: 'DEAD', ship: 'CANCELLED', email: 'CANCELLED', audit: 'SUCCEEDED' });
    expect(failed.jobs.ship?.cancelReason).toMatch(/charge|dependency/i);

    const retried = await client.flows.retry(flow.id);
    expect(retried.status).toBe('RUNNING');
    const done = await client.flows.wait(flow.id, FAST);
    expect(done.status).toBe('SUCCEEDED');
    expect(statuses(done)).toEqual({ charge: 'SUCCEEDED', ship: 'SUCCEEDED', email: 'SUCCEEDED', audit: 'SUCCEEDED' });
  });
});

describe('flows when the network misbehaves (scripted answers)', () => {
  const running: FlowView = { id: 'f-1', status: 'RUNNING', createdAt: '2026-05-01T12:00:00.000Z', idempotencyKey: 'k', jobs: {} };

  it('rejects wait with FlowWaitTimeoutError carrying the last flow seen', async () => {
    const scripted = scriptedFetch(() => ({ respond: () => jsonResponse(200, running) }));
    const offline = new SkyForgeClient({ baseUrl: 'http://127.0.0.1:9', fetch: scripted.fetch });
    const started = Date.now();
    const error = await rejection(offline.flows.wait('f-1', { pollMs: 20, timeoutMs: 300 }));
    expect(error).toBeInstanceOf(FlowWaitTimeoutError);
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT', flowId: 'f-1', timeoutMs: 300, flow: running });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(scripted.requests.length).toBeGreaterThan(2);
    expect(scripted.requests.every((r) => route(r) === 'GET /flows/f-1')).toBe(true);
  });

  it('rejects wait with the signal’s reason when it aborts', async () => {
    const scripted = scriptedFetch(() => ({ respond: () => jsonResponse(200, running) }));
    const offline = new SkyForgeClient({ baseUrl: 'http://127.0.0.1:9', fetch: scripted.fetch });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('operator gave up')), 100);
    await expect(offline.flows.wait('f-1', { pollMs: 20, timeoutMs: 10_000, signal: controller.signal })).rejects.toThrow('operator gave up');
  });

  it('does not repeat a retry that may have been applied (503), but repeats a get and a cancel (cancelling twice is cancelling once)', async () => {
    // The first answer to each route is a 503 after which the call may have been applied.
    const seen = new Set<string>();
    const scripted = scriptedFetch((request) => {
      const first = !seen.has(route(request));
      seen.add(route(request));
      return first ? { respond: () => gatewayResponse(503, 'Service Unavailable') } : { respond: () => jsonResponse(200, running) };
    });
    const offline = new SkyForgeClient({ baseUrl: 'http://127.0.0.1:9', fetch: scripted.fetch });
    expect(await offline.flows.get('f-1')).toEqual(running);
    expect(await offline.flows.cancel('f-1')).toEqual(running);
    expect(await rejection(offline.flows.retry('f-1'))).toBeInstanceOf(ServerError);
    expect(scripted.requests.map(route)).toEqual(['GET /flows/f-1', 'GET /flows/f-1', 'POST /flows/f-1/cancel', 'POST /flows/f-1/cancel', 'POST /flows/f-1/retry']);
  });

  it('puts the caller’s key on the body (options over the body’s own), and an ISO runAt', async () => {
    const scripted = scriptedFetch(() => ({ respond: () => jsonResponse(201, running) }));
    const offline = new SkyForgeClient({ baseUrl: 'http://127.0.0.1:9', fetch: scripted.fetch });
    const runAt = new Date('2030-01-01T00:00:00Z');
    await offline.flows.create({ jobs: [{ ref: 'a', type: 'demo.echo', runAt }], idempotencyKey: 'from-body' });
    await offline.flows.create({ jobs: [{ ref: 'a', type: 'demo.echo' }], idempotencyKey: 'from-body' }, { idempotencyKey: 'from-options' });
    const bodies = scripted.requests.map((r) => JSON.parse(r.body ?? '{}'));
    expect(bodies[0]).toEqual({ jobs: [{ ref: 'a', type: 'demo.echo', runAt: '2030-01-01T00:00:00.000Z' }], idempotencyKey: 'from-body' });
    expect(bodies[1].idempotencyKey).toBe('from-options');
  });
});
