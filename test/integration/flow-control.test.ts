import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createWorkerApp } from '../../functions/worker/app.ts';
import type { Job } from '../../shared/domain/job.ts';
import { defineJob, defineJobs } from '../../shared/jobs/registry.ts';
import { decodeQueueMessage, encodeJobMessage, messageFlowOf } from '../../shared/domain/queue-message.ts';
import { submitJobs, type JobRequest } from '../../shared/use-cases/submit-jobs.ts';
import { createHarness, ManualClock, sqsRecord, TEST_QUEUE_URLS, type Harness } from '../support/harness.ts';

/**
 * Flow control against dynalite: the rate windows and parallelism slots (store), and the worker's
 * check before the claim (THROTTLE, the message sent again, no attempt used, slots freed).
 */

const testJobs = defineJobs({
  'test.tenant': defineJob({
    schema: z.object({ tenant: z.string() }),
    defaults: { flowControl: { key: (p: { tenant: string }) => `tenant-${p.tenant}`, parallelism: 1 } },
    handler: () => 'ok',
  }),
});

const record = (body: string): SQSRecord => sqsRecord(body);
const context = { functionName: 'worker', awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

describe('flow control on the table', () => {
  let h: Harness;
  const NOW = Date.parse('2026-12-05T10:00:00.000Z');
  beforeAll(async () => {
    h = await createHarness({ jobs: testJobs });
  });
  afterAll(async () => h.stop());

  it('rate: a window takes `rate` starts; the next start is reserved in the next window', async () => {
    const limits = { key: 'rate-a', rate: 2, periodSeconds: 1 };
    const got = [];
    for (let i = 0; i < 5; i += 1) got.push(await h.deps.flowControl.reserveRate(limits, NOW + 100));
    expect(got).toEqual([
      { reserved: true, window: NOW },
      { reserved: true, window: NOW },
      { reserved: true, window: NOW + 1000 },
      { reserved: true, window: NOW + 1000 },
      { reserved: true, window: NOW + 2000 },
    ]);
    expect(await h.deps.flowControl.state('rate-a', NOW)).toMatchObject({ rate: 2, periodSeconds: 1, running: 0, throttledTotal: 0 });
  });

  it.each([
    { name: 'a free slot', held: [], job: 'j', expected: { acquired: true, alreadyHeld: false } },
    { name: 'all slots live', held: [['a', 5000], ['b', 5000]], job: 'j', expected: { acquired: false, alreadyHeld: false } },
    { name: 'a slot whose lease ran out (crash)', held: [['a', 5000], ['b', -1]], job: 'j', expected: { acquired: true, alreadyHeld: false } },
    { name: 'the job’s own live slot (duplicate delivery)', held: [['j', 5000]], job: 'j', expected: { acquired: false, alreadyHeld: true } },
    { name: 'the job’s own expired slot (reclaim)', held: [['j', -1], ['b', 5000]], job: 'j', expected: { acquired: true, alreadyHeld: false } },
  ] as const)('parallelism 2: $name', async ({ name, held, job, expected }) => {
    const key = `slots-${name}`;
    const limits = { key, parallelism: 2, periodSeconds: 1 };
    for (const [id, offset] of held) expect((await h.deps.flowControl.acquireSlot(limits, id, NOW + offset, NOW - 10_000)).acquired).toBe(true);
    expect(await h.deps.flowControl.acquireSlot(limits, job, NOW + 30_000, NOW)).toEqual(expected);
  });

  it('a released slot is free again; GET state counts live leases only', async () => {
    const limits = { key: 'release', parallelism: 1, periodSeconds: 1 };
    expect((await h.deps.flowControl.acquireSlot(limits, 'x', NOW + 1000, NOW)).acquired).toBe(true);
    expect((await h.deps.flowControl.state('release', NOW))?.running).toBe(1);
    await h.deps.flowControl.releaseSlot('release', 'x');
    expect((await h.deps.flowControl.state('release', NOW))?.running).toBe(0);
    expect((await h.deps.flowControl.acquireSlot(limits, 'y', NOW + 1000, NOW)).acquired).toBe(true);
    expect(await h.deps.flowControl.state('never-seen', NOW)).toBeNull();
  });
});

describe('the worker checks limits before the claim', () => {
  let h: Harness;
  let worker: ReturnType<typeof createWorkerApp>;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    h = await createHarness({ jobs: testJobs, clock });
    worker = createWorkerApp(h.deps, { queueUrls: TEST_QUEUE_URLS });
  });
  afterAll(async () => h.stop());
  beforeEach(() => {
    h.queue.sent.length = 0;
  });

  async function submit(body: JobRequest): Promise<Job> {
    const [outcome] = await submitJobs([body], h.deps);
    if (!outcome?.ok) throw new Error(`submit failed: ${JSON.stringify(outcome)}`);
    return outcome.job;
  }
  const get = async (id: string) => (await h.deps.store.get(id, clock.now())) as Job;
  const messageOf = (job: Job) => encodeJobMessage(job.id, job.timeoutMs, messageFlowOf(job).flow);
  const run = (...records: SQSRecord[]) => worker({ Records: records } satisfies SQSEvent, context);

  it('a type default computes the key from the payload; the keyed message carries it and its group', async () => {
    const job = await submit({ type: 'test.tenant', payload: { tenant: 'acme' } });
    expect(job.flowControl).toEqual({ key: 'tenant-acme', parallelism: 1, periodSeconds: 1 });
    expect(h.queue.sent.at(-1)?.flow?.flowControl?.key).toBe('tenant-acme');
  });

  it('over parallelism: THROTTLE (QUEUED, no attempt), message sent again with a delay, original deleted; the slot frees with the outcome', async () => {
    const limits = { key: 'p1', parallelism: 1, periodSeconds: 1 };
    const holder = 'holder-job';
    expect((await h.deps.flowControl.acquireSlot(limits, holder, clock.now() + 60_000, clock.now())).acquired).toBe(true);
    const job = await submit({ type: 'demo.echo', payload: {}, flowControl: { key: 'p1', parallelism: 1 } });
    h.queue.sent.length = 0;

    const response = await run(record(messageOf(job)));

    expect(response.batchItemFailures).toEqual([]);
    expect(await get(job.id)).toMatchObject({ status: 'QUEUED', attempts: 0, throttleReason: 'parallelism', throttledUntil: expect.any(String) });
    expect(h.queue.sent).toHaveLength(1);
    expect(h.queue.sent[0]).toMatchObject({ jobId: job.id, flow: { flowControl: { key: 'p1' } } });
    expect(h.queue.sent[0]?.delaySeconds).toBeGreaterThanOrEqual(1);
    expect((await h.deps.flowControl.state('p1', clock.now()))?.throttledTotal).toBe(1);

    await h.deps.flowControl.releaseSlot('p1', holder);
    clock.advance(6000);
    await run(record(messageOf(job)));
    expect(await get(job.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1, throttledUntil: null, throttleReason: null });
    expect((await h.deps.flowControl.state('p1', clock.now()))?.running).toBe(0);
  });

  it('a message without the job’s limits (older, or a one-time schedule’s) cannot bypass them', async () => {
    const limits = { key: 'bypass', parallelism: 1, periodSeconds: 1 };
    expect((await h.deps.flowControl.acquireSlot(limits, 'other', clock.now() + 60_000, clock.now())).acquired).toBe(true);
    const job = await submit({ type: 'demo.echo', payload: {}, flowControl: { key: 'bypass', parallelism: 1 } });

    await run(record(encodeJobMessage(job.id, job.timeoutMs)));

    expect(await get(job.id)).toMatchObject({ status: 'QUEUED', attempts: 0, throttleReason: 'parallelism' });
  });

  it('a full rate window sends the job to the next one with its reservation in the message, and it then starts without a second reservation', async () => {
    const job = await submit({ type: 'demo.echo', payload: {}, flowControl: { key: 'r1', rate: 1, periodSeconds: 60 } });
    const first = await submit({ type: 'demo.echo', payload: {}, flowControl: { key: 'r1', rate: 1, periodSeconds: 60 } });
    await run(record(messageOf(first)));
    expect((await get(first.id)).status).toBe('SUCCEEDED');
    h.queue.sent.length = 0;

    await run(record(messageOf(job)));

    const throttled = await get(job.id);
    expect(throttled).toMatchObject({ status: 'QUEUED', attempts: 0, throttleReason: 'rate' });
    const resent = h.queue.sent[0];
    const window = resent?.flow?.reservations?.r1 as number;
    expect(window).toBe(Date.parse(throttled.throttledUntil as string));
    expect(window % 60_000).toBe(0);
    const body = encodeJobMessage(job.id, job.timeoutMs, resent?.flow);
    expect(decodeQueueMessage(body)).toMatchObject({ reservations: { r1: window } });
  });

  it('a window more than 15 minutes out: a one-time schedule whose message carries the reservation, so the job starts then without being put off again', async () => {
    // Just after an hour's window opens: the next free window is ~1 hour away, past SQS's 15-minute delay.
    clock.current = Math.ceil(clock.now() / 3_600_000) * 3_600_000 + 1_000;
    const flowControl = { key: `hourly-${clock.now()}`, rate: 1, periodSeconds: 3600 };
    const first = await submit({ type: 'demo.echo', payload: {}, flowControl });
    const second = await submit({ type: 'demo.echo', payload: {}, flowControl });
    await run(record(messageOf(first)));
    h.queue.sent.length = 0;

    await run(record(messageOf(second)));

    const throttled = await get(second.id);
    const nextWindow = Math.ceil(clock.now() / 3_600_000) * 3_600_000;
    expect(throttled).toMatchObject({ status: 'QUEUED', attempts: 0, throttleReason: 'rate', throttledUntil: new Date(nextWindow).toISOString() });
    expect(throttled.pendingSchedule).toMatch(/^job\./);
    expect(h.queue.sent).toHaveLength(0);
    const schedule = h.scheduler.oneTime.get(throttled.pendingSchedule as string);
    expect(schedule).toMatchObject({ jobId: second.id, flow: { flowControl: { key: flowControl.key }, reservations: { [flowControl.key]: nextWindow } } });
    expect(nextWindow - (schedule?.dueAt ?? 0)).toBeLessThanOrEqual(1_000);

    // The schedule fires: its message is what the scheduler was given.
    clock.current = nextWindow + 10;
    await run(record(encodeJobMessage(second.id, schedule?.timeoutMs, schedule?.flow)));

    expect(await get(second.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1, pendingSchedule: null, throttledUntil: null });
    // One start reserved in that window, the job's own: none wasted, none taken twice.
    expect(await h.deps.flowControl.reserveRate({ ...flowControl, rate: 1 }, clock.now())).toEqual({ reserved: true, window: nextWindow + 3_600_000 });
  });
});
