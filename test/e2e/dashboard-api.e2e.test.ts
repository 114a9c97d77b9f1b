import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbJobCounters } from '../../shared/adapters/dynamodb/dynamodb-job-counters.ts';
import { CounterDeltas } from '../../shared/domain/counter-deltas.ts';
import { failureGroupsSchema, jobPageSchema, minuteStatsSchema } from '../../shared/http/response-schemas.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { run } from '../../cli/main.ts';
import { Capture, cli } from '../cli/run-cli.ts';
import { startTestTable } from '../support/dynamo.ts';
import { httpClient, type Json } from '../support/http-client.ts';
import { ManualClock } from '../support/harness.ts';

/** The API the dashboard added (failure groups, per-minute counts) and `skyforge ui`, over HTTP against one local cloud. */
describe('failure groups and per-minute counts end to end', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, dashboard: false });
    http = httpClient(cloud.apiUrl);
  });
  afterAll(async () => cloud?.stop());

  const dieWith = async (message: string, type = 'demo.fail'): Promise<Json> => {
    const res = await http.post('/jobs', { type, payload: { permanent: true, message } });
    expect(res.status).toBe(201);
    return http.waitFor(res.body.id, ['DEAD']);
  };

  it('groups dead jobs by fingerprint, lists and replays one group', async () => {
    const same = [await dieWith('card 4242 declined for "o-1"'), await dieWith('card 1111 declined for "o-2"'), await dieWith('card 9 declined for "o-3"')];
    const other = await dieWith('inventory service down');
    const fingerprint = same[0]?.fingerprint as string;
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    for (const job of same) expect(job.fingerprint).toBe(fingerprint);
    expect(other.fingerprint).not.toBe(fingerprint);
    expect((await http.get(`/dlq/${other.id}`)).body.fingerprint).toBe(other.fingerprint);

    const groups = await http.get('/dlq/groups?type=demo.fail');
    expect(groups.status).toBe(200);
    expect(failureGroupsSchema.safeParse(groups.body).success).toBe(true);
    expect(groups.body.items.map((g: Json) => [g.fingerprint, g.count])).toEqual([
      [fingerprint, 3],
      [other.fingerprint, 1],
    ]);
    expect(groups.body.items[0]).toMatchObject({
      type: 'demo.fail',
      errorName: 'PermanentError',
      message: 'card <n> declined for <value>',
      sampleJobIds: same.map((j) => j.id).reverse(),
      firstDeadAt: same[0]?.finishedAt,
      lastDeadAt: same[2]?.finishedAt,
    });
    expect(groups.body).toMatchObject({ scanned: 4, truncated: false });
    expect((await http.get('/dlq/groups?type=demo.echo')).body.items).toEqual([]);

    const listed = await http.get(`/dlq?fingerprint=${fingerprint}&limit=2`);
    expect(jobPageSchema.safeParse(listed.body).success).toBe(true);
    const seen = listed.body.items.map((j: Json) => j.id);
    let cursor = listed.body.nextCursor as string | null;
    while (cursor) {
      const next = await http.get(`/dlq?fingerprint=${fingerprint}&limit=2&cursor=${encodeURIComponent(cursor)}`);
      seen.push(...next.body.items.map((j: Json) => j.id));
      cursor = next.body.nextCursor;
    }
    expect(seen).toEqual(same.map((j) => j.id).reverse());

    const first = await http.post(`/dlq/groups/${fingerprint}/replay`, { limit: 2 });
    expect(first.body).toEqual({ replayed: 2 });
    const rest = await http.post(`/dlq/groups/${fingerprint}/replay`, {});
    expect(rest.body.replayed).toBeGreaterThanOrEqual(1);
    for (const job of same) await expect.poll(async () => (await http.get(`/jobs/${job.id}`)).body.history.length, { timeout: 10_000 }).toBe(2);
    expect((await http.get(`/jobs/${other.id}`)).body).toMatchObject({ status: 'DEAD', history: [expect.anything()] });
  });

  it('answers 404 for a malformed fingerprint and 400 for a bad limit', async () => {
    expect((await http.post('/dlq/groups/not-a-fingerprint/replay', {})).body.code).toBe('NOT_FOUND');
    const bad = await http.post('/dlq/groups/0123456789abcdef/replay', { limit: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toMatchObject({ field: 'limit' });
    expect((await http.post('/dlq/groups/0123456789abcdef/replay', {})).body).toEqual({ replayed: 0 });
    expect((await http.get('/dlq?fingerprint=XYZ')).status).toBe(400);
  });

  it('counts job events per minute, the current minute last', async () => {
    const before = await http.get('/stats/minutes');
    expect(minuteStatsSchema.safeParse(before.body).success).toBe(true);
    expect(before.body.items).toHaveLength(60);
    const sum = (items: Json[], key: string) => items.reduce((n, m) => n + m[key], 0);
    const batch = await http.post('/jobs/batch', { jobs: Array.from({ length: 20 }, (_, n) => ({ type: 'demo.echo', payload: { n } })) });
    for (const r of batch.body.results) await http.waitFor(r.job.id, ['SUCCEEDED']);
    const after = await http.get('/stats/minutes?minutes=5');
    expect(after.body.items).toHaveLength(5);
    expect(after.body.items.at(-1).minute).toBe(new Date().toISOString().slice(0, 16));
    expect(sum(after.body.items, 'succeeded') - sum(before.body.items.slice(-5), 'succeeded')).toBeGreaterThanOrEqual(20);
    expect((await http.get('/stats/minutes?minutes=0')).status).toBe(400);
    expect((await http.get('/stats/minutes?minutes=181')).status).toBe(400);
  });

  it('skyforge dlq groups lists the groups; dlq replay --group replays one', async () => {
    const job = await dieWith('quota 17 exceeded for tenant "t-9"');
    const listed = await cli(['dlq', 'groups', '--type', 'demo.fail'], { url: cloud.apiUrl });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(job.fingerprint);
    expect(listed.stdout).toContain('PermanentError: quota <n> exceeded for tenant <value>');
    const json = await cli(['dlq', 'groups', '--json'], { url: cloud.apiUrl });
    expect(json.json().items.find((g: Json) => g.fingerprint === job.fingerprint)).toMatchObject({ count: 1, sampleJobIds: [job.id] });
    const replayed = await cli(['dlq', 'replay', '--group', job.fingerprint, '--json'], { url: cloud.apiUrl });
    expect(replayed.json()).toEqual({ replayed: 1 });
  });

  it('serves the dashboard on 127.0.0.1 until interrupted, forwarding reads and, read-only, refusing writes', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const interrupt = new AbortController();
    const running = run(['ui', '--url', cloud.apiUrl, '--port', '0', '--read-only'], { stdout, stderr, env: {}, signal: interrupt.signal });
    await expect.poll(() => stdout.text, { timeout: 10_000 }).toMatch(/^SkyForge dashboard: http:\/\/127\.0\.0\.1:\d+\/ui\/\n$/);
    const url = stdout.text.split(': ')[1]?.trim() as string;
    expect(stderr.text).toContain(`API ${cloud.apiUrl} (--url), read-only`);
    expect(await (await fetch(`${url}config.json`)).json()).toMatchObject({ readOnly: true });
    expect((await fetch(url)).headers.get('content-type')).toMatch(/text\/html/);
    const origin = new URL(url).origin;
    expect((await fetch(`${origin}/stats`)).status).toBe(200);
    expect((await fetch(`${origin}/dlq/replay`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    interrupt.abort();
    expect(await running).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('refuses a bad --port as a usage error', async () => {
    const result = await cli(['ui', '--url', cloud.apiUrl, '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be a whole number');
  });
});

describe('per-minute counts are written per request or batch, never per job', () => {
  it('adds one minute write for a batch of many jobs in several groups, and reads them back summed over shards', async () => {
    const table = await startTestTable();
    try {
      let minuteWrites = 0;
      table.client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { Key?: { pk?: string } };
          if (input.Key?.pk?.startsWith('MINUTES#')) minuteWrites += 1;
          return next(args);
        },
        { step: 'initialize' },
      );
      const clock = new ManualClock(Date.parse('2026-11-23T12:00:30.000Z'));
      let shard = 0;
      const counters = new DynamoDbJobCounters({ client: table.client, tableName: table.tableName, clock, random: () => (shard++ % 16) / 16 });
      const deltas = new CounterDeltas();
      for (let i = 0; i < 100; i += 1) deltas.move({ queue: i % 2 ? 'high' : 'low', type: i % 3 ? 'a' : 'b' }, null, 'QUEUED');
      await counters.add(deltas);
      // Submissions are not counted per minute: a submit writes no minute item.
      expect(minuteWrites).toBe(0);
      const failed = new CounterDeltas();
      failed.add({ queue: 'low', type: 'b' }, 'failed', 100);
      await counters.add(failed);
      expect(minuteWrites).toBe(1);
      const done = new CounterDeltas();
      done.move({ queue: 'high', type: 'a' }, 'RUNNING', 'SUCCEEDED');
      await counters.add(done);
      clock.advance(60_000);
      await counters.add(done);
      expect(minuteWrites).toBe(3);
      expect(await counters.readMinutes(clock.now() - 120_000, clock.now())).toEqual([
        { minute: '2026-11-23T12:00', succeeded: 1, failed: 100, retried: 0, dead: 0, cancelled: 0 },
        { minute: '2026-11-23T12:01', succeeded: 1, failed: 0, retried: 0, dead: 0, cancelled: 0 },
      ]);
    } finally {
      await table.stop();
    }
  });
});
