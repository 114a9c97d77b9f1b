import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { API_ERROR_LINE, cli, recordingFetch } from './run-cli.ts';

/** `enqueue --file` (NDJSON through /jobs/batch) and the dead-letter commands. */
describe('skyforge enqueue --file and dlq', () => {
  let cloud: LocalCloud;
  let url: string;
  let dir: string;
  const sf = (argv: readonly string[], options: Parameters<typeof cli>[1] = {}) => cli(argv, { url, cwd: dir, ...options });

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true });
    url = cloud.apiUrl;
    dir = mkdtempSync(join(tmpdir(), 'skyforge-cli-'));
  });
  afterAll(async () => {
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** 300 lines: good jobs, bad ones at known line numbers, one blank line. */
  function writeJobsFile(name: string): string {
    const bad: Record<number, string> = {
      17: '{"type":"demo.echo", oops}',
      42: '{"type":"demo.echo","maxAtempts":2}',
      99: '{"type":"no.such.type","payload":{}}',
      150: '{"type":"demo.echo","priority":"urgent"}',
      250: '[1,2,3]',
    };
    const lines = Array.from({ length: 300 }, (_, i) => {
      const line = i + 1;
      if (line === 201) return '   ';
      return bad[line] ?? JSON.stringify({ type: 'demo.echo', payload: { line }, idempotencyKey: `line-${line}` });
    });
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return name;
  }

  it('sends a few hundred lines in batches of 100 and reports the bad ones by line number (exit 1)', async () => {
    const path = writeJobsFile('jobs.ndjson');
    const { fetch, calls } = recordingFetch();
    // Delayed (by SQS, under 15 minutes), so the worker is not busy with them during the other tests.
    const result = await sf(['enqueue', '--file', path, '--delay-ms', '10m', '--json'], { fetch });
    expect(result.code, result.stderr).toBe(1);
    const summary = result.json();
    expect(summary).toMatchObject({ file: path, lines: 299, created: 294, replayed: 0, failed: 5, notSent: [] });
    expect(summary.failures.map((f: { line: number; code: string }) => [f.line, f.code])).toEqual([
      [17, 'INVALID_JSON'],
      [42, 'VALIDATION_ERROR'],
      [99, 'UNKNOWN_JOB_TYPE'],
      [150, 'VALIDATION_ERROR'],
      [250, 'VALIDATION_ERROR'],
    ]);
    expect(summary.failures[1].message).toBe('unknown field maxAtempts');
    expect(summary.failures[3].message).toMatch(/^priority: priority must be one of/);
    expect(summary.jobs).toHaveLength(294);
    // 294 good lines: three batch requests, each at most 100 jobs.
    expect(calls.filter((c) => c.path === '/jobs/batch')).toHaveLength(3);

    // Every job carries its own line's payload.
    const line120 = summary.jobs.find((j: { line: number }) => j.line === 120);
    const job = (await sf(['status', line120.id, '--json'])).json();
    expect(job.payload).toEqual({ line: 120 });
  });

  it('prints a human summary; running the same file again creates nothing new', async () => {
    // The file of the test above: every good line carries an idempotencyKey.
    const result = await sf(['enqueue', '--file', 'jobs.ndjson', '--delay-ms', '10m']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('jobs.ndjson: 299 jobs: 0 created, 294 already existed (same idempotencyKey), 5 failed');
    expect(result.stdout).toMatch(/^ {2}line 17: INVALID_JSON: not valid JSON/m);
    expect(result.stdout).toMatch(/^ {2}line 99: UNKNOWN_JOB_TYPE: no handler is registered for type "no.such.type"$/m);
    expect(result.stdout).toMatch(/^failed lines: 17, 42, 99, 150, 250$/m);
  });

  it('exits 0 when every line made a job; flags are defaults that lines override; "-" reads stdin', async () => {
    const stdin = Readable.from(['{"type":"demo.echo","payload":1}\n{"type":"demo.echo","payload":2,', '"priority":"high"}\n']);
    const result = await sf(['enqueue', '--file', '-', '--priority', 'low', '--json'], { stdin });
    expect(result.code, result.stderr).toBe(0);
    const summary = result.json();
    expect(summary).toMatchObject({ lines: 2, created: 2, failed: 0 });
    const [first, second] = await Promise.all(summary.jobs.map(async (j: { id: string }) => (await sf(['status', j.id, '--json'])).json()));
    expect([first.priority, second.priority]).toEqual(['low', 'high']);
  });

  it('shows a progress bar on a terminal', async () => {
    const lines = Array.from({ length: 150 }, (_, i) => JSON.stringify({ type: 'demo.echo', payload: { i } })).join('\n');
    writeFileSync(join(dir, 'progress.ndjson'), lines);
    const result = await sf(['enqueue', '-f', 'progress.ndjson'], { tty: true });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('150/150 100%');
    expect(result.stderr).toMatch(/\r\x1b\[2Kenqueueing /);
    expect(result.stdout).toContain('progress.ndjson: 150 jobs: 150 created');
  });

  it('stops when a whole batch request fails, lists the lines not sent, and exits 3', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify({ type: 'demo.echo', payload: { i } })).join('\n');
    writeFileSync(join(dir, 'stop.ndjson'), lines);
    // The batch that holds line 121 ({"i":120}), i.e. lines 101-200, is refused as a whole.
    const failSecondBatch: typeof fetch = async (input, init) => {
      if (new URL(new Request(input, init).url).pathname === '/jobs/batch' && String(init?.body).includes('{"i":120}')) {
        return new Response(JSON.stringify({ code: 'UNAUTHORIZED', message: 'token expired', details: {}, requestId: 'req-1' }), { status: 401 });
      }
      return fetch(input, init);
    };
    const result = await sf(['enqueue', '--file', 'stop.ndjson', '--json'], { fetch: failSecondBatch });
    expect(result.code).toBe(3);
    const summary = result.json();
    expect(summary.notSent).toEqual(Array.from({ length: 100 }, (_, i) => 101 + i));
    expect(summary.created).toBe(150);
    expect(result.stderr).toMatch(API_ERROR_LINE('UNAUTHORIZED'));
  });

  it('refuses a missing file or a file with no jobs (exit 2)', async () => {
    const missing = await sf(['enqueue', '--file', 'nope.ndjson']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read nope\.ndjson: ENOENT/);
    writeFileSync(join(dir, 'empty.ndjson'), '\n\n');
    expect((await sf(['enqueue', '--file', 'empty.ndjson'])).stderr).toMatch(/has no job lines/);
    expect((await sf(['enqueue', 'demo.echo', '--file', 'empty.ndjson'])).code).toBe(2);
  });

  describe('dlq', () => {
    let deadIds: string[];

    /** Polls the dead-letter list (one request at a time) until `count` demo.fail jobs are in it. */
    async function untilDead(count: number): Promise<void> {
      await vi.waitFor(
        async () => {
          const { items } = (await sf(['dlq', 'list', '--type', 'demo.fail', '--all', '--json'])).json();
          if (items.length < count) throw new Error(`only ${items.length} of ${count} jobs are dead`);
        },
        { timeout: 20_000, interval: 200 },
      );
    }

    beforeAll(async () => {
      const lines = Array.from({ length: 120 }, () => '{"type":"demo.fail","payload":{"permanent":true}}').join('\n');
      writeFileSync(join(dir, 'dead.ndjson'), lines);
      const summary = (await sf(['enqueue', '--file', 'dead.ndjson', '--json'])).json();
      deadIds = summary.jobs.map((j: { id: string }) => j.id);
      await untilDead(120);
    });

    it('dlq list shows dead jobs with their reason; --type filters; --json has items and nextCursor', async () => {
      const echo = (await sf(['enqueue', 'demo.echo', '--delay-ms', '1h', '--json'])).json();
      await sf(['dead-letter', echo.id, '--reason', 'bad data']);

      const byType = await sf(['dlq', 'list', '--type', 'demo.echo', '--json']);
      expect(byType.code).toBe(0);
      expect(byType.json()).toEqual({ items: [expect.objectContaining({ id: echo.id, status: 'DEAD', deadReason: expect.stringMatching(/bad data/) })], nextCursor: null });

      const all = (await sf(['dlq', 'list', '--all', '--json'])).json();
      expect(all.items.length).toBeGreaterThanOrEqual(121);

      const human = await sf(['dlq', 'list', '--type', 'demo.fail', '--limit', '5']);
      const lines = human.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+TYPE\s+ATTEMPTS\s+DIED\s+REASON$/);
      expect(lines).toHaveLength(6);
      expect(lines[1]).toMatch(/demo\.fail\s+1\/3\s+.*permanent error on attempt 1: PermanentError: boom$/);

      const shown = await sf(['dlq', 'show', echo.id, '--json']);
      expect(shown.json()).toMatchObject({ id: echo.id, deadReason: expect.stringMatching(/bad data/) });
      const replayed = await sf(['dlq', 'replay', echo.id, '--json']);
      expect(replayed.json()).toMatchObject({ id: echo.id, status: 'QUEUED', attempts: 0 });
      expect((await sf(['dlq', 'show', echo.id])).code).toBe(1);
    });

    it('dlq replay --all replays every matching dead job once, with progress on a terminal', async () => {
      const result = await sf(['dlq', 'replay', '--all', '--type', 'demo.fail', '--json'], { tty: true });
      expect(result.code, result.stderr).toBe(0);
      expect(result.json()).toEqual({ matched: 120, replayed: 120 });
      expect(result.stderr).toContain('120/120 100%');
      // Each ran a second time (and died again: the failure is permanent).
      const again = await sf(['wait', deadIds[0] as string, '--json']);
      expect(again.json().history).toHaveLength(2);
    });

    it('dlq replay --all --limit stops at the limit; replay needs an id or --all (exit 2)', async () => {
      await untilDead(120);
      const limited = await sf(['dlq', 'replay', '--all', '--type', 'demo.fail', '--limit', '10']);
      expect(limited.code).toBe(0);
      expect(limited.stdout).toBe('replayed 10 of 10 dead jobs of type demo.fail\n');

      expect((await sf(['dlq', 'replay'])).code).toBe(2);
      expect((await sf(['dlq', 'replay', 'some-id', '--all'])).code).toBe(2);
      expect((await sf(['dlq', 'replay', 'some-id', '--type', 'x'])).code).toBe(2);
      const unknown = await sf(['dlq', 'replay', 'no-such-job']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(API_ERROR_LINE('NOT_FOUND'));
    });
  });
});
