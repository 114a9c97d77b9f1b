import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { httpClient, type Json } from '../support/http-client.ts';

/**
 * Observability end to end: after N successes, M retried jobs and K dead letters, /metrics
 * (Prometheus text) and the EMF lines the handlers wrote say exactly N, M and K.
 */
const N = 5;
const M = 3;
const K = 2;

function promtoolAvailable(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Sums every sample of one metric name in a text exposition. */
function sum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name) total += Number(match[3]);
  }
  return total;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v !== 0),
  );
}

describe('metrics end to end', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;
  const emf: Json[] = [];
  const originalWrite = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    // The handlers write EMF lines to stdout, as in Lambda; keep the ones that are EMF.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const kept: string[] = [];
      for (const line of text.split('\n')) {
        if (line.startsWith('{') && line.includes('"_aws"')) emf.push(JSON.parse(line) as Json);
        else kept.push(line);
      }
      // EMF lines are the test's evidence, not output for the CI log.
      return kept.join('\n').length > 0 ? originalWrite(kept.join('\n'), ...rest) : true;
    }) as typeof process.stdout.write;
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { POWERTOOLS_METRICS_DISABLED: 'false' } });
    http = httpClient(cloud.apiUrl);
  });
  afterAll(async () => {
    process.stdout.write = originalWrite;
    await cloud?.stop();
  });

  it('counts N successes, M retries and K dead letters exactly, in /metrics and in EMF', async () => {
    const deletedBefore = cloud.usage().sqs.messagesDeleted;
    const bodies = [
      ...Array.from({ length: N }, () => ({ type: 'demo.echo', payload: { ok: true } })),
      ...Array.from({ length: M }, () => ({ type: 'demo.fail', payload: { failTimes: 1 }, backoff: { type: 'fixed', delayMs: 100 } })),
      ...Array.from({ length: K }, () => ({ type: 'demo.fail', payload: { permanent: true }, priority: 'high' })),
    ];
    const submitted = await http.post('/jobs/batch', { jobs: bodies });
    const ids = submitted.body.results.map((r: Json) => r.job.id as string);
    const finished = await Promise.all(ids.map((id: string) => http.waitFor(id, ['SUCCEEDED', 'DEAD'], 15_000)));
    expect(finished.filter((j) => j.status === 'SUCCEEDED')).toHaveLength(N + M);
    expect(finished.filter((j) => j.status === 'DEAD')).toHaveLength(K);
    // The last batch's counter write lands just after the job's outcome write. A batch's messages
    // are deleted only after it returned, counters written: wait until every attempt's message is.
    const attempts = N + 2 * M + K;
    await expect.poll(() => cloud.usage().sqs.messagesDeleted - deletedBefore, { timeout: 5_000, interval: 20 }).toBeGreaterThanOrEqual(attempts);

    const callsBefore = cloud.awsCalls();
    const res = await fetch(`${cloud.apiUrl}/metrics`);
    const text = await res.text();
    const scrapeCalls = diff(cloud.awsCalls(), callsBefore);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);

    expect(sum(text, 'skyforge_jobs_submitted_total')).toBe(N + M + K);
    expect(sum(text, 'skyforge_jobs_succeeded_total')).toBe(N + M);
    expect(sum(text, 'skyforge_jobs_retried_total')).toBe(M);
    expect(sum(text, 'skyforge_jobs_dead_total')).toBe(K);
    expect(sum(text, 'skyforge_jobs_failed_total')).toBe(M + K);
    expect(sum(text, 'skyforge_jobs_cancelled_total')).toBe(0);
    expect(sum(text, 'skyforge_job_duration_seconds_count')).toBe(attempts);
    expect(sum(text, 'skyforge_job_wait_seconds_count')).toBe(attempts);
    expect(text).toMatch(/skyforge_jobs_dead_total\{queue="high",type="demo.fail"\} 2/);
    expect(text).toMatch(/skyforge_jobs\{status="SUCCEEDED"\} 8/);
    expect(text).toMatch(/skyforge_queue_depth\{queue="critical"\} 0/);
    expect(text).toMatch(/skyforge_job_duration_seconds_bucket\{[^}]*le="\+Inf"\}/);

    // A scrape costs a fixed number of AWS calls: 16 counter-shard queries, 8 queue attribute reads.
    expect(scrapeCalls).toEqual({ 'DynamoDB.Query': 16, 'SQS.GetQueueAttributes': 8 });
    console.info(`AWS calls per /metrics scrape: ${JSON.stringify(scrapeCalls)}`);
    const cached = diff(cloud.awsCalls(), callsBefore);
    await fetch(`${cloud.apiUrl}/metrics`);
    expect(diff(cloud.awsCalls(), callsBefore)).toEqual(cached);

    // EMF: valid documents whose sums match.
    for (const doc of emf) {
      const directive = doc._aws.CloudWatchMetrics[0];
      expect(directive.Namespace).toBe('SkyForge');
      expect(typeof doc._aws.Timestamp).toBe('number');
      for (const set of directive.Dimensions as string[][]) for (const key of set) expect(typeof doc[key]).toBe('string');
      for (const metric of directive.Metrics as { Name: string; Unit: string }[]) {
        const value = doc[metric.Name];
        expect(typeof value === 'number' || (Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === 'number'))).toBe(true);
      }
    }
    const emfSum = (name: string) =>
      emf.reduce((total, doc) => {
        const value = doc[name];
        return total + (Array.isArray(value) ? value.length : typeof value === 'number' ? value : 0);
      }, 0);
    expect(emfSum('JobsSubmitted')).toBe(N + M + K);
    expect(emfSum('JobsSucceeded')).toBe(N + M);
    expect(emfSum('JobsRetried')).toBe(M);
    expect(emfSum('JobsDeadLettered')).toBe(K);
    expect(emfSum('JobsFailed')).toBe(M + K);
    expect(emfSum('JobDuration')).toBe(attempts);
    expect(emfSum('TimeInQueue')).toBe(attempts);
  });

  it('writes one counter update and at most one EMF document per (queue, type) per worker batch', async () => {
    const before = cloud.awsCalls();
    const emfBefore = emf.length;
    const deletedBefore = cloud.usage().sqs.messagesDeleted;
    const res = await http.post('/jobs/batch', { jobs: Array.from({ length: 10 }, () => ({ type: 'demo.echo', priority: 'low' })) });
    await Promise.all(res.body.results.map((r: Json) => http.waitFor(r.job.id, ['SUCCEEDED'])));
    // Every batch has returned (its messages are deleted after it wrote its counters).
    await expect.poll(() => cloud.usage().sqs.messagesDeleted - deletedBefore, { timeout: 5_000, interval: 20 }).toBeGreaterThanOrEqual(10);
    const calls = diff(cloud.awsCalls(), before);
    // GetItem calls are this test's own polling; the rest is the system's work for 10 jobs.
    const { 'DynamoDB.GetItem': _polling, ...system } = calls;
    console.info(`AWS calls for 10 jobs submitted in one batch: ${JSON.stringify(system)}`);
    expect(system['SQS.SendMessageBatch']).toBe(1);
    const workerEmf = emf.slice(emfBefore).filter((d) => d.JobsSucceeded !== undefined);
    const batches = workerEmf.length;
    // Counters: none for the API request (jobs queued at once are counted by their claims) and
    // two per worker batch (its totals, and this minute's bucket for the dashboard's charts),
    // never one per job; plus 10 PutItem and 20 claim/finish UpdateItem.
    expect(system['DynamoDB.PutItem']).toBe(10);
    expect(system['DynamoDB.UpdateItem']).toBe(20 + 2 * batches);
    expect(workerEmf.reduce((t, d) => t + (d.JobsSucceeded as number), 0)).toBe(10);
    // The submissions reach EMF from the worker batches that claimed them.
    expect(workerEmf.reduce((t, d) => t + ((d.JobsSubmitted as number | undefined) ?? 0), 0)).toBe(10);
  });

  it('counts each job once, whichever write meets it first (claim, throttle, cancel, delete, replay)', async () => {
    const stats = async () => (await http.get('/stats')).body as { jobs: Record<'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'CANCELLED', number> };
    // EMF documents go out with each counter write (/metrics may be 10 s stale).
    const emfBefore = emf.length;
    const submittedSince = () => emf.slice(emfBefore).reduce((t, d) => t + ((d.JobsSubmitted as number | undefined) ?? 0), 0);
    const start = await stats();
    // Two single submits run at once; a key that allows one start an hour throttles the next two.
    const quick = await Promise.all([0, 1].map(() => http.post('/jobs', { type: 'demo.echo' })));
    const flowControl = { key: `count-once-${Date.now()}`, rate: 1, periodSeconds: 3600 };
    const first = await http.post('/jobs', { type: 'demo.echo', flowControl });
    await http.waitFor(first.body.id, ['SUCCEEDED']);
    const held = await Promise.all([0, 1].map(() => http.post('/jobs', { type: 'demo.echo', flowControl })));
    for (const res of held) await expect.poll(async () => (await http.get(`/jobs/${res.body.id}`)).body.throttledUntil, { timeout: 5_000 }).toBeTruthy();
    await Promise.all(quick.map((res) => http.waitFor(res.body.id, ['SUCCEEDED'])));
    // Throttled jobs are counted QUEUED by their throttle write (their messages wait delayed, not ready).
    await expect.poll(async () => (await stats()).jobs.QUEUED - start.jobs.QUEUED, { timeout: 5_000 }).toBe(2);
    for (const res of held) expect((await http.post(`/jobs/${res.body.id}/cancel`)).status).toBe(200);
    expect((await http.del(`/jobs/${held[0]?.body.id}`)).status).toBe(204);
    // Replayed, the other one runs (its key is still closed for the hour: it is throttled again).
    expect((await http.post(`/jobs/${held[1]?.body.id}/retry`)).status).toBe(200);
    await expect.poll(async () => (await http.get(`/jobs/${held[1]?.body.id}`)).body.throttledUntil, { timeout: 5_000 }).toBeTruthy();
    expect((await http.post(`/jobs/${held[1]?.body.id}/cancel`)).status).toBe(200);
    const end = await stats();
    expect(end.jobs.QUEUED - start.jobs.QUEUED).toBe(0);
    expect(end.jobs.RUNNING - start.jobs.RUNNING).toBe(0);
    expect(end.jobs.SUCCEEDED - start.jobs.SUCCEEDED).toBe(3);
    // Cancelled twice (one deleted since): CANCELLED counts the jobs there now.
    expect(end.jobs.CANCELLED - start.jobs.CANCELLED).toBe(1);
    expect(submittedSince()).toBe(5);
  });

  it('shows a job RUNNING while its attempt runs for more than a second', async () => {
    const running = async () => ((await http.get('/stats')).body as { jobs: Record<'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'CANCELLED', number> }).jobs.RUNNING;
    const before = await running();
    const job = await http.post('/jobs', { type: 'demo.sleep', payload: { ms: 3000 } });
    await expect.poll(running, { timeout: 2_900, interval: 100 }).toBe(before + 1);
    await http.waitFor(job.body.id, ['SUCCEEDED']);
    await expect.poll(running, { timeout: 2_000, interval: 50 }).toBe(before);
  });

  it('passes promtool check metrics', async () => {
    if (!promtoolAvailable()) {
      // .ci/run installs Debian's prometheus package; a developer machine may not have it.
      console.warn('promtool not installed (apt-get install prometheus): check skipped on this machine');
      expect(process.env.CI).toBeUndefined();
      return;
    }
    const text = await (await fetch(`${cloud.apiUrl}/metrics`)).text();
    const output = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(output.trim()).toBe('');
  });
});
