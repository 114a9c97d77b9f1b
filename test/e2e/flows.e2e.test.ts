import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { encodeJobMessage } from '../../shared/domain/queue-message.ts';
import { defineJob, defineJobs } from '../../shared/jobs/registry.ts';
import { httpClient, type Json } from '../support/http-client.ts';

/**
 * Flows end to end on the local cloud (issue 17): real HTTP, the SQS emulator, the worker, dynalite.
 * `test.collect` answers what its handler saw in ctx.dependencies; `test.fixable` fails for good
 * while its name is in `broken` (the "cause" a retry runs after fixing).
 */
const broken = new Set<string>();
const jobs = defineJobs({
  'test.collect': defineJob({
    schema: z.object({ ms: z.number().optional() }).optional(),
    handler: async (payload, ctx) => {
      if (payload?.ms) await sleep(payload.ms, undefined, { signal: ctx.signal });
      return { saw: ctx.dependencies };
    },
  }),
  'test.fixable': defineJob({
    schema: z.object({ name: z.string() }),
    defaults: { maxAttempts: 1 },
    handler: ({ name }) => {
      if (broken.has(name)) throw new Error(`${name} is broken`);
      return { fixed: name };
    },
  }),
});

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const startOf = (job: Json): number => Date.parse(job.startedAt as string);
const endOf = (job: Json): number => Date.parse(job.finishedAt as string);

describe('flows end to end', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;
  let sqs: SQSClient;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, jobs });
    http = httpClient(cloud.apiUrl);
    sqs = new SQSClient({ endpoint: cloud.edgeUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(async () => {
    sqs?.destroy();
    await cloud?.stop();
  });

  async function createFlow(body: Json): Promise<Json> {
    const res = await http.post('/flows', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }
  async function waitFlow(id: string, timeout = 30_000): Promise<Json> {
    let flow: Json = {};
    await expect
      .poll(async () => (flow = (await http.get(`/flows/${id}`)).body).status, { timeout, interval: 100 })
      .toSatisfy((s: string) => TERMINAL.includes(s));
    return flow;
  }
  const statuses = (flow: Json) => Object.fromEntries(Object.entries(flow.jobs as Record<string, Json>).map(([ref, j]) => [ref, j.status]));

  it('a diamond: D starts only after B and C succeeded and sees both results', async () => {
    const created = await createFlow({
      jobs: [
        { ref: 'A', type: 'test.collect' },
        { ref: 'B', type: 'test.collect', payload: { ms: 300 }, dependsOn: ['A'] },
        { ref: 'C', type: 'test.collect', payload: { ms: 600 }, dependsOn: ['A'] },
        { ref: 'D', type: 'test.collect', dependsOn: ['B', 'C'] },
      ],
    });
    expect(created.jobs.D).toMatchObject({ status: 'BLOCKED', flowId: created.id, ref: 'D', dependsOn: [created.jobs.B.id, created.jobs.C.id] });

    const flow = await waitFlow(created.id);

    expect(flow.status).toBe('SUCCEEDED');
    const { B, C, D } = flow.jobs as { B: Json; C: Json; D: Json };
    expect(startOf(D)).toBeGreaterThanOrEqual(Math.max(endOf(B), endOf(C)));
    expect(D.result).toEqual({
      saw: { B: { status: 'SUCCEEDED', result: B.result }, C: { status: 'SUCCEEDED', result: C.result } },
    });
    expect(B.result.saw.A.status).toBe('SUCCEEDED');
  });

  it('a fan-out of 99 jobs into one fan-in job', async () => {
    const fan = Array.from({ length: 99 }, (_, i) => ({ ref: `part-${i}`, type: 'test.collect' }));
    const started = Date.now();
    const created = await createFlow({ jobs: [...fan, { ref: 'merge', type: 'test.collect', dependsOn: fan.map((j) => j.ref) }] });

    const flow = await waitFlow(created.id, 60_000);

    expect(flow.status).toBe('SUCCEEDED');
    const merge = flow.jobs.merge as Json;
    expect(Object.keys(merge.result.saw).sort()).toEqual(fan.map((j) => j.ref).sort());
    expect(Object.values(merge.result.saw as Record<string, Json>).every((d) => d.status === 'SUCCEEDED')).toBe(true);
    const lastPart = Math.max(...fan.map((j) => endOf(flow.jobs[j.ref])));
    expect(startOf(merge)).toBeGreaterThanOrEqual(lastPart);
    expect(merge.attempts).toBe(1);
    console.info(`fan-out 99 -> 1: flow done in ${Date.now() - started} ms; fan-in started ${startOf(merge) - lastPart} ms after the last part`);
  }, 90_000);

  it('cancel (default): a failure cancels every descendant and the flow is FAILED', async () => {
    const created = await createFlow({
      jobs: [
        { ref: 'root', type: 'demo.fail', payload: { permanent: true } },
        { ref: 'left', type: 'test.collect', dependsOn: ['root'] },
        { ref: 'right', type: 'test.collect', dependsOn: ['root'], onDependencyFailure: 'cancel' },
        { ref: 'bottom', type: 'test.collect', dependsOn: ['left', 'right'] },
      ],
    });

    const flow = await waitFlow(created.id);

    expect(flow.status).toBe('FAILED');
    expect(statuses(flow)).toEqual({ root: 'DEAD', left: 'CANCELLED', right: 'CANCELLED', bottom: 'CANCELLED' });
    expect(flow.jobs.left.cancelReason).toContain(`"root" (${created.jobs.root.id})`);
    expect(flow.jobs.bottom.cancelReason).toMatch(new RegExp(`${created.jobs.left.id}|${created.jobs.right.id}`));
    expect(flow.jobs.bottom.attempts).toBe(0);
  });

  it('run: the dependent runs anyway and sees the failure', async () => {
    const created = await createFlow({
      jobs: [
        { ref: 'risky', type: 'demo.fail', payload: { permanent: true } },
        { ref: 'cleanup', type: 'test.collect', dependsOn: ['risky'], onDependencyFailure: 'run' },
      ],
    });

    const flow = await waitFlow(created.id);

    expect(flow.status).toBe('FAILED');
    expect(statuses(flow)).toEqual({ risky: 'DEAD', cleanup: 'SUCCEEDED' });
    expect(flow.jobs.cleanup.result).toEqual({ saw: { risky: { status: 'DEAD', result: null } } });
  });

  it('a duplicate delivery of a dependency’s message does not release a job early', async () => {
    const created = await createFlow({
      jobs: [
        { ref: 'quick', type: 'test.collect' },
        { ref: 'slow', type: 'test.collect', payload: { ms: 2500 } },
        { ref: 'join', type: 'test.collect', dependsOn: ['quick', 'slow'] },
      ],
    });
    await http.waitFor(created.jobs.quick.id, ['SUCCEEDED']);

    // Three more deliveries of the finished dependency's message, as SQS may redeliver it.
    for (let i = 0; i < 3; i += 1) {
      await sqs.send(new SendMessageCommand({ QueueUrl: cloud.resources.queueUrls.normal, MessageBody: encodeJobMessage(created.jobs.quick.id) }));
    }
    await sleep(800);
    const meanwhile = (await http.get(`/jobs/${created.jobs.join.id}`)).body;
    const flow = await waitFlow(created.id);

    expect((await http.get(`/jobs/${created.jobs.slow.id}`)).body.status).toBe('SUCCEEDED');
    expect(meanwhile.status).toBe('BLOCKED');
    expect(flow.status).toBe('SUCCEEDED');
    expect(startOf(flow.jobs.join)).toBeGreaterThanOrEqual(endOf(flow.jobs.slow));
    expect(flow.jobs.join.attempts).toBe(1);
  });

  it('/flows/{id}/retry after the cause is fixed completes the flow', async () => {
    broken.add('payment');
    const created = await createFlow({
      jobs: [
        { ref: 'charge', type: 'test.fixable', payload: { name: 'payment' } },
        { ref: 'stock', type: 'test.collect' },
        { ref: 'ship', type: 'test.collect', dependsOn: ['charge', 'stock'] },
        { ref: 'mail', type: 'test.collect', dependsOn: ['ship'] },
      ],
    });
    const failed = await waitFlow(created.id);
    expect(failed.status).toBe('FAILED');
    expect(statuses(failed)).toEqual({ charge: 'DEAD', stock: 'SUCCEEDED', ship: 'CANCELLED', mail: 'CANCELLED' });

    broken.delete('payment');
    const retried = await http.post(`/flows/${created.id}/retry`, {});
    expect(retried.status).toBe(200);
    // The answer is the flow as it stands: the replayed job may already have run (BLOCKED right
    // after the retry is checked deterministically in test/integration/flows.test.ts).
    expect(retried.body.status).toMatch(/^(RUNNING|SUCCEEDED)$/);
    expect(Object.values(statuses(retried.body))).not.toContain('CANCELLED');
    expect(Object.values(statuses(retried.body))).not.toContain('DEAD');

    const flow = await waitFlow(created.id);
    expect(flow.status).toBe('SUCCEEDED');
    expect(flow.jobs.ship.result.saw.charge).toEqual({ status: 'SUCCEEDED', result: { fixed: 'payment' } });
    expect(startOf(flow.jobs.ship)).toBeGreaterThanOrEqual(endOf(flow.jobs.charge));
    expect(startOf(flow.jobs.mail)).toBeGreaterThanOrEqual(endOf(flow.jobs.ship));
  });

  it('cancels a flow: every unfinished job, a running one through its AbortSignal', async () => {
    const created = await createFlow({ jobs: [{ ref: 'long', type: 'demo.sleep', payload: { ms: 20_000 } }, { ref: 'after', type: 'test.collect', dependsOn: ['long'] }] });
    await http.waitFor(created.jobs.long.id, ['RUNNING']);

    const res = await http.post(`/flows/${created.id}/cancel`, {});

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELLED');
    expect(statuses(res.body)).toEqual({ long: 'CANCELLED', after: 'CANCELLED' });
  });

  it('accepts an idempotency key: the same body answers the same flow, another body is 409', async () => {
    const body = { idempotencyKey: `order-${Date.now()}`, jobs: [{ ref: 'a', type: 'demo.echo' }, { ref: 'b', type: 'demo.echo', dependsOn: ['a'] }] };
    const first = await http.post('/flows', body);
    const again = await http.post('/flows', body);
    const other = await http.post('/flows', { ...body, jobs: [{ ref: 'a', type: 'demo.echo' }] });

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await waitFlow(first.body.id)).status).toBe('SUCCEEDED');
  });

  it.each([
    ['a cycle', [{ ref: 'a', type: 'demo.echo', dependsOn: ['b'] }, { ref: 'b', type: 'demo.echo', dependsOn: ['a'] }], /cycle: (a -> b -> a|b -> a -> b)/],
    ['an unknown ref', [{ ref: 'a', type: 'demo.echo', dependsOn: ['nope'] }], /unknown ref "nope"/],
    ['a duplicate ref', [{ ref: 'a', type: 'demo.echo' }, { ref: 'a', type: 'demo.echo' }], /duplicate ref "a"/],
    ['101 jobs', Array.from({ length: 101 }, (_, i) => ({ ref: `j${i}`, type: 'demo.echo' })), /at most 100 jobs/],
    ['an unknown type', [{ ref: 'a', type: 'no.such.type' }], /no\.such\.type/],
  ])('refuses %s with 400 and creates nothing', async (_name, flowJobs, message) => {
    const res = await http.post('/flows', { jobs: flowJobs });
    expect(res.status).toBe(400);
    expect(res.body.code).toMatch(/VALIDATION_ERROR|UNKNOWN_JOB_TYPE/);
    expect(res.body.message).toMatch(message);
  });

  it('answers 404 for an unknown flow', async () => {
    const res = await http.get('/flows/no-such-flow');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});
