import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createWorkerApp } from '../../functions/worker/app.ts';
import { DynamoDbFlowStore } from '../../shared/adapters/dynamodb/dynamodb-flow-store.ts';
import { countDependency, newGate, type GateState } from '../../shared/domain/dependency-gate.ts';
import type { Job } from '../../shared/domain/job.ts';
import { encodeJobMessage } from '../../shared/domain/queue-message.ts';
import { defineJob, defineJobs } from '../../shared/jobs/registry.ts';
import { createFlow, type FlowRequest } from '../../shared/use-cases/create-flow.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { cancelFlow, getFlow, retryFlow } from '../../shared/use-cases/manage-flows.ts';
import { cancelJob } from '../../shared/use-cases/cancel-job.ts';
import { createHarness, sqsRecord, TEST_CONFIG, TEST_QUEUE_URLS, type Harness } from '../support/harness.ts';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';

/** What each run of test.deps saw in ctx.dependencies, by job id. */
const seenDependencies = new Map<string, unknown>();
/** test.flaky fails while this holds its ref. */
const broken = new Set<string>();

const flowJobs = defineJobs({
  'test.deps': defineJob({
    schema: z.unknown(),
    handler: (_p, ctx) => {
      seenDependencies.set(ctx.jobId, ctx.dependencies);
      return { ran: ctx.jobId };
    },
  }),
  'test.flaky': defineJob({
    schema: z.object({ name: z.string() }),
    handler: ({ name }) => {
      if (broken.has(name)) throw new Error(`${name} is broken`);
      return { fixed: name };
    },
  }),
});

const record = (jobId: string): SQSRecord => sqsRecord(encodeJobMessage(jobId));
const context = { functionName: 'worker', awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

describe('flows on dynalite, driven through the worker', () => {
  let h: Harness;
  let worker: ReturnType<typeof createWorkerApp>;
  beforeAll(async () => {
    h = await createHarness({ jobs: flowJobs, config: { cancelPollMs: 50 } });
    worker = createWorkerApp(h.deps, { queueUrls: TEST_QUEUE_URLS });
  });
  afterAll(async () => h.stop());
  beforeEach(() => {
    h.queue.sent.length = 0;
    broken.clear();
  });

  const run = (...ids: string[]) => worker({ Records: ids.map(record) } satisfies SQSEvent, context);
  /** Delivers every message sent so far, round after round, until none is left. Returns the ids delivered. */
  async function drain(app = worker): Promise<string[]> {
    const delivered: string[] = [];
    for (let round = 0; round < 20 && h.queue.sent.length > 0; round += 1) {
      const ids = h.queue.sent.splice(0).map((m) => m.jobId);
      delivered.push(...ids);
      await app({ Records: ids.map(record) } satisfies SQSEvent, context);
    }
    return delivered;
  }
  async function create(request: FlowRequest, deps: Dependencies = h.deps) {
    return (await createFlow(request, deps)).flow;
  }
  const statuses = async (flowId: string) => Object.fromEntries(Object.entries((await getFlow(flowId, h.deps)).jobs).map(([ref, j]) => [ref, j.status]));
  const get = async (id: string) => (await h.deps.store.get(id, Date.now())) as Job;

  it('gate adapter: counts each dependency once, as the domain model does', async () => {
    // Prepare
    const store = new DynamoDbFlowStore({ client: h.table.client, tableName: h.table.tableName });
    const ttl = Math.floor(Date.now() / 1000) + 3600;
    await store.createGate('gate-1', ['a', 'b', 'c'], 'cancel', ttl);
    const deliveries: [string, boolean][] = [['a', false], ['a', false], ['b', true], ['b', false], ['c', false], ['c', false]];
    let model: GateState = newGate(['a', 'b', 'c']);

    // Act / Assess: after each delivery the stored gate agrees with the model
    for (const [dep, failed] of deliveries) {
      const stored = await store.countDependency('gate-1', dep, failed, ttl);
      const expected = countDependency(model, dep, failed);
      model = expected.gate;
      expect(stored).toEqual({ counted: expected.counted, remaining: model.remaining, failures: model.failures, failedDependency: model.failedDependency, policy: 'cancel' });
    }
    expect(model.remaining).toBe(0);
  });

  it('flow and gate items carry a TTL past their jobs’ retention, moved on by every count', async () => {
    const flow = await create({ jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps' }, { ref: 'C', type: 'test.deps', dependsOn: ['A', 'B'] }] });
    const c = flow.jobs.C?.id as string;
    const raw = async (pk: string, sk: string) => (await h.table.client.send(new GetCommand({ TableName: h.table.tableName, Key: { pk, sk } }))).Item;
    const floor = Math.floor(Date.now() / 1000) + 2 * TEST_CONFIG.deadJobRetentionSeconds;

    const flowItem = await raw(`FLOWRUN#${flow.id}`, 'FLOWRUN');
    const gate = await raw(`GATE#${c}`, 'GATE');
    await drain();
    const counted = await raw(`GATE#${c}`, 'GATE');

    expect(flowItem?.expiresAt).toBeGreaterThanOrEqual(floor - 5);
    expect(gate?.expiresAt).toBeGreaterThanOrEqual(floor - 5);
    expect(counted?.expiresAt).toBeGreaterThanOrEqual(gate?.expiresAt as number);
    expect(counted?.remaining).toBe(0);
  });

  it('a gate gone before its job was released (expired early) is rebuilt from the dependencies', async () => {
    const flow = await create({ jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps' }, { ref: 'C', type: 'test.deps', dependsOn: ['A', 'B'] }] });
    const [a, b, c] = [flow.jobs.A?.id, flow.jobs.B?.id, flow.jobs.C?.id] as [string, string, string];
    await h.table.client.send(new DeleteCommand({ TableName: h.table.tableName, Key: { pk: `GATE#${c}`, sk: 'GATE' } }));
    h.queue.sent.length = 0;

    await run(a);
    const afterA = (await get(c)).status;
    await run(b);

    expect(afterA).toBe('BLOCKED');
    expect((await get(c)).status).toBe('QUEUED');
    expect(h.queue.sent.map((m) => m.jobId)).toEqual([c]);
    expect(h.logger.lines.some((l) => l.message.includes('rebuilt from its dependencies'))).toBe(true);
  });

  it('a diamond: D waits for B and C and sees both results', async () => {
    const flow = await create({
      jobs: [
        { ref: 'A', type: 'test.deps' },
        { ref: 'B', type: 'test.deps', dependsOn: ['A'] },
        { ref: 'C', type: 'test.deps', dependsOn: ['A'] },
        { ref: 'D', type: 'test.deps', dependsOn: ['B', 'C'] },
      ],
    });
    expect(flow.status).toBe('RUNNING');
    expect(await statuses(flow.id)).toEqual({ A: 'QUEUED', B: 'BLOCKED', C: 'BLOCKED', D: 'BLOCKED' });
    expect(h.queue.sent.map((m) => m.jobId)).toEqual([flow.jobs.A?.id]);

    const order = await drain();

    expect(order.indexOf(flow.jobs.D?.id as string)).toBeGreaterThan(order.indexOf(flow.jobs.C?.id as string));
    const done = await getFlow(flow.id, h.deps);
    expect(done.status).toBe('SUCCEEDED');
    expect(seenDependencies.get(flow.jobs.D?.id as string)).toEqual({
      B: { status: 'SUCCEEDED', result: { ran: flow.jobs.B?.id } },
      C: { status: 'SUCCEEDED', result: { ran: flow.jobs.C?.id } },
    });
    expect(done.jobs.D?.dependsOn).toEqual([flow.jobs.B?.id, flow.jobs.C?.id]);
  });

  it('a duplicate delivery of a dependency does not release its dependent early', async () => {
    const flow = await create({ jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps' }, { ref: 'D', type: 'test.deps', dependsOn: ['A', 'B'] }] });
    const [a, b, d] = [flow.jobs.A?.id, flow.jobs.B?.id, flow.jobs.D?.id] as [string, string, string];
    h.queue.sent.length = 0;

    await run(a);
    await run(a);
    await run(a, a);

    expect((await get(d)).status).toBe('BLOCKED');
    expect(h.queue.sent).toEqual([]);
    await run(b);
    expect((await get(d)).status).toBe('QUEUED');
    expect(h.queue.sent.map((m) => m.jobId)).toEqual([d]);
  });

  it('a crash between a dependency’s success and its dependents’ release is finished by the redelivery', async () => {
    // Prepare: the first gate write after A's success fails (the worker "crashes" there)
    let failNext = true;
    const crashing: Dependencies = {
      ...h.deps,
      flows: Object.assign(Object.create(h.deps.flows) as Dependencies['flows'], {
        countDependency: (...args: Parameters<Dependencies['flows']['countDependency']>) => {
          if (failNext) {
            failNext = false;
            return Promise.reject(new Error('crashed before the release'));
          }
          return h.deps.flows.countDependency(...args);
        },
      }),
    };
    const crashingWorker = createWorkerApp(crashing, { queueUrls: TEST_QUEUE_URLS });
    const flow = await create({ jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps', dependsOn: ['A'] }] });
    const [a, b] = [flow.jobs.A?.id, flow.jobs.B?.id] as [string, string];
    h.queue.sent.length = 0;

    // Act
    const first = await crashingWorker({ Records: [record(a)] }, context);
    const between = { a: (await get(a)).status, b: (await get(b)).status };
    await run(a);

    // Assess: the message was kept, and its redelivery released B
    expect(first.batchItemFailures).toHaveLength(1);
    expect(between).toEqual({ a: 'SUCCEEDED', b: 'BLOCKED' });
    expect((await get(b)).status).toBe('QUEUED');
    await drain();
    expect((await getFlow(flow.id, h.deps)).status).toBe('SUCCEEDED');
  });

  it('a crash after the release but before the send: the redelivery sends the dependent again', async () => {
    const flow = await create({ jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps', dependsOn: ['A'] }] });
    const [a, b] = [flow.jobs.A?.id, flow.jobs.B?.id] as [string, string];
    h.queue.sent.length = 0;
    h.queue.failFor.add(b);

    const first = await run(a);
    expect(first.batchItemFailures).toHaveLength(1);
    expect((await get(b)).status).toBe('QUEUED');
    expect(h.queue.sent).toEqual([]);
    await run(a);

    expect(h.queue.sent.map((m) => m.jobId)).toEqual([b]);
  });

  it('a release in an API request whose dependent cannot be sent marks it DEAD (visible, retryable), not stranded QUEUED', async () => {
    const flow = await create({ jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps', dependsOn: ['A'], onDependencyFailure: 'run' }] });
    const [a, b] = [flow.jobs.A?.id, flow.jobs.B?.id] as [string, string];
    h.queue.failFor.add(b);

    await cancelJob(a, 'by hand', h.deps);

    expect((await get(b)).status).toBe('DEAD');
    expect((await get(b)).deadReason).toContain(`POST /flows/${flow.id}/retry`);
    expect((await getFlow(flow.id, h.deps)).status).toBe('FAILED');
  });

  it('cancel (default): a DEAD job cancels every descendant and the flow is FAILED', async () => {
    broken.add('root');
    const flow = await create({
      jobs: [
        { ref: 'root', type: 'test.flaky', payload: { name: 'root' }, maxAttempts: 1 },
        { ref: 'child', type: 'test.deps', dependsOn: ['root'] },
        { ref: 'grandchild', type: 'test.deps', dependsOn: ['child'] },
        { ref: 'side', type: 'test.deps' },
      ],
    });

    await drain();

    const after = await getFlow(flow.id, h.deps);
    expect(after.status).toBe('FAILED');
    expect(await statuses(flow.id)).toEqual({ root: 'DEAD', child: 'CANCELLED', grandchild: 'CANCELLED', side: 'SUCCEEDED' });
    expect(after.jobs.child?.cancelReason).toContain(`"root" (${flow.jobs.root?.id})`);
    expect(after.jobs.grandchild?.cancelReason).toContain(`"child" (${flow.jobs.child?.id})`);
  });

  it('run: the dependent runs anyway and sees the failure', async () => {
    broken.add('first');
    const flow = await create({
      jobs: [
        { ref: 'first', type: 'test.flaky', payload: { name: 'first' }, maxAttempts: 1 },
        { ref: 'cleanup', type: 'test.deps', dependsOn: ['first'], onDependencyFailure: 'run' },
      ],
    });

    await drain();

    expect(await statuses(flow.id)).toEqual({ first: 'DEAD', cleanup: 'SUCCEEDED' });
    expect(seenDependencies.get(flow.jobs.cleanup?.id as string)).toEqual({ first: { status: 'DEAD', result: null } });
    expect((await getFlow(flow.id, h.deps)).status).toBe('FAILED');
  });

  it('retry: replays the DEAD job, puts the jobs it cancelled back to BLOCKED, and the flow completes', async () => {
    broken.add('r-root');
    const flow = await create({
      jobs: [
        { ref: 'root', type: 'test.flaky', payload: { name: 'r-root' }, maxAttempts: 1 },
        { ref: 'ok', type: 'test.deps' },
        { ref: 'child', type: 'test.deps', dependsOn: ['root', 'ok'] },
        { ref: 'last', type: 'test.deps', dependsOn: ['child'] },
      ],
    });
    await drain();
    expect((await getFlow(flow.id, h.deps)).status).toBe('FAILED');
    broken.delete('r-root');

    const retried = await retryFlow(flow.id, h.deps);

    expect(Object.fromEntries(Object.entries(retried.jobs).map(([r, j]) => [r, j.status]))).toEqual({ root: 'QUEUED', ok: 'SUCCEEDED', child: 'BLOCKED', last: 'BLOCKED' });
    await drain();
    expect((await getFlow(flow.id, h.deps)).status).toBe('SUCCEEDED');
  });

  it('retry: a DEAD `run` job whose dependency is replayed too waits for it (BLOCKED), never runs before it', async () => {
    broken.add('dep-a').add('dep-b');
    const flow = await create({
      jobs: [
        { ref: 'a', type: 'test.flaky', payload: { name: 'dep-a' }, maxAttempts: 1 },
        { ref: 'b', type: 'test.flaky', payload: { name: 'dep-b' }, maxAttempts: 1, dependsOn: ['a'], onDependencyFailure: 'run' },
      ],
    });
    await drain();
    expect(await statuses(flow.id)).toEqual({ a: 'DEAD', b: 'DEAD' });
    broken.clear();

    const retried = await retryFlow(flow.id, h.deps);

    expect(Object.fromEntries(Object.entries(retried.jobs).map(([r, j]) => [r, [j.status, j.attempts]]))).toEqual({ a: ['QUEUED', 0], b: ['BLOCKED', 0] });
    expect(h.queue.sent.map((m) => m.jobId)).toEqual([flow.jobs.a?.id]);
    await drain();
    const done = await getFlow(flow.id, h.deps);
    expect(done.status).toBe('SUCCEEDED');
    expect(Date.parse(done.jobs.b?.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(done.jobs.a?.finishedAt as string));
  });

  it('cancel a flow: every unfinished job is cancelled and the flow is CANCELLED', async () => {
    const flow = await create({ jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps', dependsOn: ['A'] }] });

    const cancelled = await cancelFlow(flow.id, h.deps);

    expect(cancelled.status).toBe('CANCELLED');
    expect(await statuses(flow.id)).toEqual({ A: 'CANCELLED', B: 'CANCELLED' });
  });

  it('idempotent create: the same key answers the same flow; a different body is refused', async () => {
    const body: FlowRequest = { idempotencyKey: 'flow-key-1', jobs: [{ ref: 'A', type: 'test.deps' }, { ref: 'B', type: 'test.deps', dependsOn: ['A'] }] };
    const first = await createFlow(body, h.deps);
    const again = await createFlow(body, h.deps);

    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 200, replayed: true, flow: { id: first.flow.id } });
    await expect(createFlow({ ...body, jobs: [{ ref: 'A', type: 'test.deps' }] }, h.deps)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });
});
