import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { createDeadLetterApp } from '../../functions/dead-letter/app.ts';
import { createWorkerApp } from '../../functions/worker/app.ts';
import type { Priority } from '../../shared/config/definitions.ts';
import { JobTimeoutError } from '../../shared/domain/errors.ts';
import type { Job } from '../../shared/domain/job.ts';
import { defineJob, defineJobs } from '../../shared/jobs/registry.ts';
import { encodeJobMessage } from '../../shared/domain/queue-message.ts';
import { total } from '../../shared/domain/metrics.ts';
import { cancelJob } from '../../shared/use-cases/cancel-job.ts';
import { requeueJob } from '../../shared/use-cases/requeue-job.ts';
import { submitJobs, type JobRequest } from '../../shared/use-cases/submit-jobs.ts';
import { createHarness, queueArn, TEST_QUEUE_URLS, type Harness } from '../support/harness.ts';

/** Runs of each test job type, by job id, so a test can prove what ran and how often. */
const runs = new Map<string, number>();
const seen: { jobId: string; aborted: boolean; reason: unknown }[] = [];

const testJobs = defineJobs({
  'test.count': defineJob({
    schema: z.object({ ms: z.number().default(0) }).default({ ms: 0 }),
    handler: async ({ ms }, ctx) => {
      runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
      await sleep(ms, undefined, { signal: ctx.signal });
      return { ran: runs.get(ctx.jobId) };
    },
  }),
  'test.hang': defineJob({
    description: 'waits for its signal and records what aborted it',
    schema: z.unknown(),
    handler: (_p, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          seen.push({ jobId: ctx.jobId, aborted: ctx.signal.aborted, reason: ctx.signal.reason });
          reject(new Error('stopped'));
        });
      }),
  }),
  'test.deaf': defineJob({
    description: 'ignores its signal entirely',
    schema: z.unknown(),
    handler: () => new Promise(() => undefined),
  }),
  'test.big': defineJob({ schema: z.unknown(), handler: () => 'x'.repeat(100_000) }),
});

let messageCounter = 0;
function record(jobId: string, priority: Priority = 'normal', body = encodeJobMessage(jobId)): SQSRecord {
  messageCounter += 1;
  return {
    messageId: `m-${messageCounter}`,
    receiptHandle: `rh-${messageCounter}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn(priority),
    awsRegion: 'us-east-1',
  };
}

const context = { functionName: 'worker', awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

describe('worker', () => {
  let h: Harness;
  let worker: ReturnType<typeof createWorkerApp>;
  beforeAll(async () => {
    h = await createHarness({ jobs: testJobs });
    worker = createWorkerApp(h.deps, { queueUrls: TEST_QUEUE_URLS });
  });
  afterAll(async () => h.stop());
  beforeEach(() => {
    h.queue.sent.length = 0;
    h.queue.deferred.length = 0;
  });

  async function submit(body: JobRequest): Promise<Job> {
    const [outcome] = await submitJobs([body], h.deps);
    if (!outcome?.ok) throw new Error(`submit failed: ${JSON.stringify(outcome)}`);
    return outcome.job;
  }
  const get = async (id: string) => (await h.deps.store.get(id, Date.now())) as Job;
  const run = (...records: SQSRecord[]) => worker({ Records: records } satisfies SQSEvent, context);

  it('reports exactly the failed message ids of a batch with mixed outcomes', async () => {
    const ok = await submit({ type: 'demo.echo', payload: { hi: 1 } });
    const permanent = await submit({ type: 'demo.fail', payload: { permanent: true } });
    const retry = await submit({ type: 'demo.fail', payload: { failTimes: 1 }, backoff: { delayMs: 2000 } });
    const retryUnsent = await submit({ type: 'demo.fail', payload: { failTimes: 1 } });
    const running = await submit({ type: 'test.count' });
    await h.deps.store.transition(running.id, { event: 'CLAIM', newLease: { token: 'elsewhere', graceMs: 60_000 } }, Date.now());
    h.queue.failFor.add(retryUnsent.id);
    h.queue.sent.length = 0;

    const records = [
      record(ok.id),
      record(permanent.id),
      record(retry.id),
      record(retryUnsent.id),
      record(running.id),
      record('no-such-job'),
      record('x', 'normal', 'not json'),
    ];
    const response = await run(...records);

    // kept: the duplicate of a running job and the retry whose new message could not be sent
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [records[3]!.messageId, records[4]!.messageId].sort(),
    );
    expect(await get(ok.id)).toMatchObject({ status: 'SUCCEEDED', result: { hi: 1 }, attempts: 1 });
    expect(await get(permanent.id)).toMatchObject({ status: 'DEAD', attempts: 1, lastError: { name: 'PermanentError', message: 'boom' } });
    expect((await get(permanent.id)).deadReason).toMatch(/permanent error on attempt 1/);
    expect(await get(retry.id)).toMatchObject({ status: 'RETRYING', attempts: 1, lastError: { message: 'boom' } });
    expect(h.queue.sent).toEqual([{ jobId: retry.id, priority: 'normal', timeoutMs: 30_000, delaySeconds: 2 }]);
    expect(await get(retryUnsent.id)).toMatchObject({ status: 'RETRYING' });
    expect(runs.get(running.id)).toBeUndefined();
  });

  it('does not run a finished job again on a duplicate delivery', async () => {
    const job = await submit({ type: 'test.count' });
    expect((await run(record(job.id))).batchItemFailures).toEqual([]);
    expect((await run(record(job.id))).batchItemFailures).toEqual([]);
    expect(runs.get(job.id)).toBe(1);
    expect(await get(job.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1, history: [{ attempt: 1, outcome: 'SUCCEEDED' }] });
  });

  it('does not run a job twice when two deliveries arrive while it runs', async () => {
    const job = await submit({ type: 'test.count', payload: { ms: 300 } });
    const first = run(record(job.id));
    // The first delivery has claimed the job (its handler runs for 300 ms).
    await expect.poll(async () => (await get(job.id)).status, { timeout: 2_000, interval: 10 }).toBe('RUNNING');
    const duplicate = record(job.id);
    const second = await run(duplicate);
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: duplicate.messageId }]);
    expect((await first).batchItemFailures).toEqual([]);
    expect(runs.get(job.id)).toBe(1);
    expect(await get(job.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('aborts the handler when the attempt times out, and retries', async () => {
    const job = await submit({ type: 'test.hang', timeoutMs: 200, maxAttempts: 2 });
    const started = Date.now();
    await run(record(job.id));
    expect(Date.now() - started).toBeLessThan(2000);
    const seenAbort = seen.find((s) => s.jobId === job.id);
    expect(seenAbort?.aborted).toBe(true);
    expect(seenAbort?.reason).toBeInstanceOf(JobTimeoutError);
    expect(await get(job.id)).toMatchObject({
      status: 'RETRYING',
      lastError: { name: 'JobTimeoutError' },
      history: [{ attempt: 1, outcome: 'TIMED_OUT' }],
    });
  });

  it('finishes a handler that ignores its signal at the timeout; the last timeout is DEAD', async () => {
    const job = await submit({ type: 'test.deaf', timeoutMs: 150, maxAttempts: 1 });
    await run(record(job.id));
    const stored = await get(job.id);
    expect(stored).toMatchObject({ status: 'DEAD', leaseToken: null, lastError: { name: 'JobTimeoutError' } });
    expect(stored.deadReason).toMatch(/timed out on attempt 1 of 1/);
  });

  it('stops a running job that is cancelled, records it, and lets it be retried afterwards', async () => {
    // A 1 s cancel poll keeps the "still stopping" window open long enough to observe.
    const pollBefore = h.deps.config.cancelPollMs;
    h.deps.config.cancelPollMs = 1000;
    const job = await submit({ type: 'test.hang', timeoutMs: 20_000 });
    const running = run(record(job.id));
    onTestFinished(() => {
      h.deps.config.cancelPollMs = pollBefore;
    });
    await expect.poll(async () => (await get(job.id)).status, { timeout: 2_000, interval: 10 }).toBe('RUNNING');
    const cancelled = await cancelJob(job.id, 'changed my mind', h.deps);
    expect(cancelled.status).toBe('CANCELLED');
    // the attempt is still stopping: a retry now would overlap it
    await expect(requeueJob(job.id, { resetAttempts: false }, h.deps)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await running).batchItemFailures).toEqual([]);
    expect(seen.find((s) => s.jobId === job.id)?.aborted).toBe(true);
    const stored = await get(job.id);
    expect(stored).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'changed my mind',
      leaseToken: null,
      history: [{ attempt: 1, outcome: 'CANCELLED' }],
    });
    expect((await requeueJob(job.id, { resetAttempts: false }, h.deps)).status).toBe('QUEUED');
  });

  it('runs the next attempt when a lost worker’s lease ran out, recording the lost attempt', async () => {
    const job = await submit({ type: 'test.count', maxAttempts: 3 });
    await h.deps.store.transition(job.id, { event: 'CLAIM', newLease: { token: 'crashed', graceMs: 0 } }, Date.now() - 120_000);
    await run(record(job.id));
    const stored = await get(job.id);
    expect(stored).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(stored.history.map((a) => a.outcome)).toEqual(['LOST', 'SUCCEEDED']);
    expect(runs.get(job.id)).toBe(1);
  });

  it('marks a job DEAD when the lost attempt was its last', async () => {
    const job = await submit({ type: 'test.count', maxAttempts: 1 });
    await h.deps.store.transition(job.id, { event: 'CLAIM', newLease: { token: 'crashed', graceMs: 0 } }, Date.now() - 120_000);
    expect((await run(record(job.id))).batchItemFailures).toEqual([]);
    const stored = await get(job.id);
    expect(stored.status).toBe('DEAD');
    expect(stored.deadReason).toMatch(/worker stopped .* attempt 1 of 1/);
    expect(runs.get(job.id)).toBeUndefined();
  });

  it('hides each message of a batch for just its job\'s lease on receipt, and a longer job for its whole lease after the claim', async () => {
    // Prepare: one message carries its job's 5 s timeout; one (an older message) carries none,
    // and its job's timeout (60 s) is longer than the default the worker assumes.
    const short = await submit({ type: 'demo.echo', timeoutMs: 5000 });
    const long = await submit({ type: 'demo.echo', timeoutMs: 60_000 });
    h.queue.hidden.length = 0;
    h.queue.deferred.length = 0;
    const records = [record(short.id, 'normal', encodeJobMessage(short.id, 5000)), record(long.id, 'normal', encodeJobMessage(long.id))];

    // Act
    await run(...records);

    // Assess: lease (timeout + 10 s grace) + 20 s slack, in one batch call at receipt...
    expect(h.queue.hidden).toEqual([
      { priority: 'normal', receiptHandle: records[0]!.receiptHandle, seconds: 35 },
      { priority: 'normal', receiptHandle: records[1]!.receiptHandle, seconds: 60 },
    ]);
    // ...and the 60 s job, found longer at its claim, hidden for its own lease.
    expect(h.queue.deferred).toEqual([{ priority: 'normal', receiptHandle: records[1]!.receiptHandle, seconds: 90 }]);
    expect((await get(short.id)).status).toBe('SUCCEEDED');
    expect((await get(long.id)).status).toBe('SUCCEEDED');
  });

  it('hides a message that arrives before its job is due until then', async () => {
    const job = await submit({ type: 'test.count', delayMs: 600_000 });
    const early = record(job.id);
    const response = await run(early);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: early.messageId }]);
    expect(h.queue.deferred).toHaveLength(1);
    expect(h.queue.deferred[0]?.seconds).toBeGreaterThan(590);
    expect(h.queue.deferred[0]?.seconds).toBeLessThanOrEqual(600);
    expect(runs.get(job.id)).toBeUndefined();
  });

  it('stores progress and caps an oversized result', async () => {
    const progress = await submit({ type: 'demo.progress', payload: { steps: 3, stepMs: 10 } });
    const big = await submit({ type: 'test.big' });
    await run(record(progress.id), record(big.id));
    expect(await get(progress.id)).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
    expect((await get(big.id)).result).toEqual({ truncated: true, sizeBytes: 100_002, limitBytes: 65_536 });
  });

  it('keeps the job counters in step, one write per batch', async () => {
    const before = await h.deps.counters.read();
    const a = await submit({ type: 'demo.echo' });
    const b = await submit({ type: 'demo.fail', payload: { permanent: true } });
    await run(record(a.id), record(b.id));
    const after = await h.deps.counters.read();
    const delta = (name: string) => total(after, name) - total(before, name);
    expect(delta('status_SUCCEEDED')).toBe(1);
    expect(delta('status_DEAD')).toBe(1);
    expect(delta('status_QUEUED')).toBe(0);
    expect(delta('status_RUNNING')).toBe(0);
    expect(delta('succeeded')).toBe(1);
    expect(delta('dead')).toBe(1);
    expect(delta('failed')).toBe(1);
    expect(delta('duration_count')).toBe(2);
    const echo = (groups: typeof after) => groups.find((g) => g.type === 'demo.echo' && g.queue === 'normal')?.values.wait_count ?? 0;
    expect(echo(after) - echo(before)).toBe(1);
  });
});

describe('dead-letter consumer', () => {
  let h: Harness;
  let consumer: ReturnType<typeof createDeadLetterApp>;
  beforeAll(async () => {
    h = await createHarness({ jobs: testJobs });
    const dlqUrls = Object.fromEntries(Object.entries(TEST_QUEUE_URLS).map(([p, u]) => [p, u])) as Record<Priority, string>;
    consumer = createDeadLetterApp(h.deps, { deadLetterQueueUrls: dlqUrls, scheduleDeadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:t-schedule-dlq' });
  });
  afterAll(async () => h.stop());

  it('marks stranded jobs DEAD with the reason, leaves running and finished ones alone', async () => {
    const [queued, running, done] = await Promise.all(
      [{ type: 'demo.echo' }, { type: 'demo.echo' }, { type: 'demo.echo' }].map(async (b) => {
        const [o] = await submitJobs([b], h.deps);
        return (o as { job: Job }).job;
      }),
    );
    await h.deps.store.transition(running!.id, { event: 'CLAIM', newLease: { token: 'live', graceMs: 60_000 } }, Date.now());
    await h.seed({ ...done!, status: 'SUCCEEDED' });
    const records = [record(queued!.id, 'high'), record(running!.id, 'high'), record(done!.id, 'high')];
    const response = await consumer({ Records: records }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    const dead = (await h.deps.store.get(queued!.id, Date.now())) as Job;
    expect(dead.status).toBe('DEAD');
    expect(dead.deadReason).toMatch(/maximum number of times on the high queue/);
    expect((await h.deps.store.get(running!.id, Date.now()))?.status).toBe('RUNNING');
    expect((await h.deps.store.get(done!.id, Date.now()))?.status).toBe('SUCCEEDED');
    expect((await h.deps.store.listDead({ limit: 10 }, Date.now())).items.map((j) => j.id)).toEqual([queued!.id]);
  });
});
