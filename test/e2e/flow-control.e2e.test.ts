import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { DynamoDbFlowControlStore } from '../../shared/adapters/dynamodb/dynamodb-flow-control-store.ts';
import { httpClient, type Json } from '../support/http-client.ts';

/**
 * Flow control end to end on the local cloud (issue 16): limits hold across the workers, a
 * throttled job uses no attempt and shows why it waits, a crashed attempt's slot frees after its
 * lease.
 */

const startOf = (job: Json): number => Date.parse(job.history[0].startedAt as string);
/** When the attempt was claimed: the instant its rate window counts (the handler starts a few ms later). */
const claimedAt = (job: Json): number => Date.parse(job.startedAt as string);
const endOf = (job: Json): number => Date.parse(job.history[0].finishedAt as string);

async function submitAll(http: ReturnType<typeof httpClient>, bodies: Json[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < bodies.length; i += 100) {
    const res = await http.post('/jobs/batch', { jobs: bodies.slice(i, i + 100) });
    expect(res.status).toBe(200);
    for (const r of res.body.results as Json[]) {
      expect(r.status).toBe(201);
      ids.push(r.job.id as string);
    }
  }
  return ids;
}

/** Waits for each job in turn (one poller at a time: the 2-core CI box runs the workers too). */
async function waitAll(http: ReturnType<typeof httpClient>, ids: string[]): Promise<Json[]> {
  const jobs: Json[] = [];
  for (const id of ids) jobs.push(await http.waitFor(id, ['SUCCEEDED', 'DEAD'], 60_000));
  return jobs;
}

/** The most attempts that ran at the same instant, from their start and end times. */
function maxOverlap(jobs: Json[]): number {
  const edges = jobs.flatMap((j) => [[startOf(j), 1] as const, [endOf(j), -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let max = 0;
  for (const [, delta] of edges) {
    running += delta;
    max = Math.max(max, running);
  }
  return max;
}

describe('flow control end to end', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true });
    http = httpClient(cloud.apiUrl);
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('300 jobs at rate 20/s: all SUCCEED with one attempt, at most 20 start in any second, the run takes at least 14 s', async () => {
    // Arrange
    const key = 'k1';
    const bodies = Array.from({ length: 300 }, (_, i) => ({ type: 'demo.echo', payload: { i }, flowControl: { key, rate: 20, periodSeconds: 1 } }));

    // Act
    const ids = await submitAll(http, bodies);
    // A job far back in the line waits for a later window: it shows when and why.
    const last = ids[ids.length - 1] as string;
    await expect
      .poll(async () => (await http.get(`/jobs/${last}`)).body, { timeout: 10_000, interval: 100 })
      .toMatchObject({ status: 'QUEUED', throttleReason: 'rate', throttledUntil: expect.any(String), attempts: 0 });
    const jobs = await waitAll(http, ids);

    // Assess
    expect(jobs.every((j) => j.status === 'SUCCEEDED' && j.attempts === 1 && j.history.length === 1)).toBe(true);
    const perSecond = new Map<number, number>();
    for (const job of jobs) perSecond.set(Math.floor(claimedAt(job) / 1000), (perSecond.get(Math.floor(claimedAt(job) / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(20);
    const starts = jobs.map(claimedAt);
    const spanMs = Math.max(...starts) - Math.min(...starts);
    expect(spanMs).toBeGreaterThanOrEqual(14_000);
    const state = await http.get(`/flow-control/${key}`);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ key, rate: 20, periodSeconds: 1, running: 0 });
    expect(state.body.throttledTotal).toBeGreaterThan(0);
    // Throttles are counted per queue, type and reason; never per key.
    await expect
      .poll(async () => (await (await fetch(`${cloud.apiUrl}/metrics`)).text()).match(/^skyforge_jobs_throttled_total\{queue="normal",type="demo\.echo",reason="rate"\} (\d+)/m)?.[1], { timeout: 15_000, interval: 500 })
      .toMatch(/^[1-9]/);
    const metrics = await (await fetch(`${cloud.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^skyforge_worker_utilization\{queue="normal"\} 0$/m);
    expect(metrics).not.toMatch(/k1/);
    console.info(`rate 20/s: 300 jobs started over ${(spanMs / 1000).toFixed(1)} s in ${perSecond.size} seconds, busiest second ${Math.max(...perSecond.values())}`);
  }, 90_000);

  it('40 demo.sleep jobs of 400 ms with parallelism 3 never run more than 3 at once, while 20 jobs of another key finish meanwhile', async () => {
    // Arrange
    const limited = Array.from({ length: 40 }, () => ({ type: 'demo.sleep', payload: { ms: 400 }, flowControl: { key: 'p3', parallelism: 3 } }));
    const others = Array.from({ length: 20 }, (_, i) => ({ type: 'demo.echo', payload: { i }, flowControl: { key: 'other', parallelism: 5 } }));

    // Act
    const limitedIds = await submitAll(http, limited);
    const otherIds = await submitAll(http, others);
    const limitedJobs = await waitAll(http, limitedIds);
    const otherJobs = await waitAll(http, otherIds);

    // Assess
    expect(limitedJobs.every((j) => j.status === 'SUCCEEDED' && j.attempts === 1)).toBe(true);
    expect(otherJobs.every((j) => j.status === 'SUCCEEDED' && j.attempts === 1)).toBe(true);
    expect(maxOverlap(limitedJobs)).toBeLessThanOrEqual(3);
    expect(maxOverlap(limitedJobs)).toBeGreaterThanOrEqual(2);
    const lastLimitedEnd = Math.max(...limitedJobs.map(endOf));
    const lastOtherEnd = Math.max(...otherJobs.map(endOf));
    expect(lastOtherEnd).toBeLessThan(lastLimitedEnd);
    const span = lastLimitedEnd - Math.min(...limitedJobs.map(startOf));
    console.info(`parallelism 3: 40 x 400 ms ran in ${(span / 1000).toFixed(1)} s; the other key's 20 were done ${((lastLimitedEnd - lastOtherEnd) / 1000).toFixed(1)} s before`);
    expect((await http.get('/flow-control/p3')).body).toMatchObject({ key: 'p3', parallelism: 3, running: 0 });
  }, 90_000);

  it('a crashed attempt’s slot frees when its lease ends, and the waiting job then runs with one attempt', async () => {
    // Arrange: an attempt that crashed holds the key's only slot, its lease ending in 3 s.
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: cloud.edgeUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    );
    const store = new DynamoDbFlowControlStore({ client, tableName: cloud.resources.tableName });
    const leaseEnd = Date.now() + 3000;
    expect(await store.acquireSlot({ key: 'crash', parallelism: 1, periodSeconds: 1 }, 'crashed-job', leaseEnd, Date.now())).toEqual({
      acquired: true,
      alreadyHeld: false,
    });

    // Act
    const [id] = await submitAll(http, [{ type: 'demo.echo', payload: {}, flowControl: { key: 'crash', parallelism: 1 } }]);

    // Assess
    await expect
      .poll(async () => (await http.get(`/jobs/${id}`)).body, { timeout: 5_000, interval: 50 })
      .toMatchObject({ status: 'QUEUED', throttleReason: 'parallelism', attempts: 0 });
    const done = await http.waitFor(id as string, ['SUCCEEDED', 'DEAD'], 15_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, throttledUntil: null, throttleReason: null });
    expect(startOf(done)).toBeGreaterThanOrEqual(leaseEnd);
  }, 30_000);
});

describe('a per-queue rate limit (TaskForge RATE_LIMIT_PER_SEC)', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;
  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, queueRateLimits: { low: 10 } });
    http = httpClient(cloud.apiUrl);
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('30 jobs of the low queue without flow control of their own start at most 10 a second', async () => {
    const ids = await submitAll(http, Array.from({ length: 30 }, (_, i) => ({ type: 'demo.echo', payload: { i }, priority: 'low' })));
    const jobs = await waitAll(http, ids);
    expect(jobs.every((j) => j.status === 'SUCCEEDED' && j.attempts === 1)).toBe(true);
    const perSecond = new Map<number, number>();
    for (const job of jobs) perSecond.set(Math.floor(claimedAt(job) / 1000), (perSecond.get(Math.floor(claimedAt(job) / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
    expect((await http.get('/flow-control/queue%3Alow')).body).toMatchObject({ key: 'queue:low', rate: 10 });
  }, 30_000);
});
