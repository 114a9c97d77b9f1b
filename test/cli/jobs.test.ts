import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { API_ERROR_LINE, cli, recordingFetch } from './run-cli.ts';

/** The job commands against the local cloud over HTTP: output, --json shapes and exit codes. */
describe('skyforge job commands', () => {
  let cloud: LocalCloud;
  let url: string;
  const sf = (argv: readonly string[], options: Parameters<typeof cli>[1] = {}) => cli(argv, { url, ...options });

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_CANCEL_POLL_MS: '100' } });
    url = cloud.apiUrl;
  });
  afterAll(async () => cloud?.stop());

  describe('enqueue', () => {
    it('submits a job and prints one line; --json prints the job', async () => {
      const human = await sf(['enqueue', 'demo.echo', '{"hello":"world"}', '--priority', 'high']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^enqueued [\w-]+ \(demo\.echo, high\): (QUEUED|RUNNING|SUCCEEDED)\n$/);

      const json = await sf(['enqueue', 'demo.echo', '{"n":1}', '--json']);
      expect(json.code).toBe(0);
      expect(json.json()).toMatchObject({ id: expect.any(String), type: 'demo.echo', payload: { n: 1 }, priority: 'normal', maxAttempts: 3 });
    });

    it('sends every job option the flags name', async () => {
      const runAt = new Date(Date.now() + 3_600_000).toISOString();
      const result = await sf([
        'enqueue', 'demo.echo', '[1,2]', '--json',
        '--priority', 'LOW', '--max-attempts', '7', '--timeout-ms', '5s', '--run-at', runAt,
        '--idempotency-key', 'cli-options-1', '--metadata', '{"tenant":"acme"}', '--backoff', '{"type":"fixed","delayMs":250}',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const job = result.json();
      expect(job).toMatchObject({
        status: 'SCHEDULED', payload: [1, 2], priority: 'low', maxAttempts: 7, timeoutMs: 5000, runAt,
        idempotencyKey: 'cli-options-1', metadata: { tenant: 'acme' }, backoff: { type: 'fixed', delayMs: 250 },
      });
      const delayed = (await sf(['enqueue', 'demo.echo', '--delay-ms', '1h', '--json'])).json();
      expect(delayed.status).toBe('SCHEDULED');
      expect(Date.parse(delayed.nextRunAt ?? delayed.runAt) - Date.now()).toBeGreaterThan(3_500_000);
      await sf(['cancel', job.id]);
      await sf(['cancel', delayed.id]);
    });

    it('--wait exits 0 with the finished job when it SUCCEEDED', async () => {
      const result = await sf(['enqueue', 'demo.echo', '{"x":42}', '--wait', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.json()).toMatchObject({ status: 'SUCCEEDED', result: { x: 42 }, attempts: 1 });
    });

    it('--wait exits 1 and says why on stderr when the job ends DEAD', async () => {
      const result = await sf(['enqueue', 'demo.fail', '{"permanent":true,"message":"card declined"}', '--wait']);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/status:\s+DEAD/);
      expect(result.stdout).toMatch(/last error:\s+PermanentError: card declined/);
      expect(result.stderr).toMatch(/^skyforge: job [\w-]+ ended DEAD: .*card declined \(JOB_DEAD\)\n$/m);
    });

    it('refuses bad input with exit 2 before sending anything', async () => {
      const cases: [string[], RegExp][] = [
        [['enqueue', 'demo.echo', '{not json'], /the payload is not valid JSON/],
        [['enqueue', 'demo.echo', '--priority', 'urgent'], /--priority must be one of critical, high, normal, low, got urgent/],
        [['enqueue', 'demo.echo', '--delay-ms', '5s', '--run-at', '2030-01-01T00:00:00Z'], /--delay-ms or --run-at, not both/],
        [['enqueue', 'demo.echo', '--max-attempts', 'three'], /--max-attempts must be a whole number/],
        [['enqueue', 'demo.echo', '--metadata', '[1]'], /--metadata must be a JSON object/],
        [['enqueue', 'demo.echo', '--wait', '--wait-timeout-ms', 'soon'], /--wait-timeout-ms must be a duration/],
        [['enqueue', 'demo.echo', '--run-at', 'tomorrow'], /--run-at must be an ISO-8601 instant/],
        [['enqueue'], /enqueue needs a job type/],
        [['enqueue', 'demo.echo', '--prio', 'high'], /Unknown option '--prio'/],
      ];
      const { fetch, calls } = recordingFetch();
      for (const [argv, message] of cases) {
        const result = await sf(argv, { fetch });
        expect(result.code, argv.join(' ')).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toMatch(/\(see skyforge enqueue --help\)\n$/);
        expect(result.stderr.split('\n')).toHaveLength(2); // one line and the final newline
        expect(result.stdout).toBe('');
      }
      expect(calls).toEqual([]);
    });

    it('reports an API error as one stderr line with the code and request id, exit 3', async () => {
      const result = await sf(['enqueue', 'no.such.type', '{}']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(API_ERROR_LINE('UNKNOWN_JOB_TYPE'));
      expect(result.stdout).toBe('');
    });
  });

  describe('status and list', () => {
    it('status shows the job with its history; --json is the job document', async () => {
      const job = (await sf(['enqueue', 'demo.fail', '{"failTimes":1}', '--backoff', '{"type":"fixed","delayMs":100}', '--wait', '--json'])).json();
      expect(job.status).toBe('SUCCEEDED');

      const human = await sf(['status', job.id]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(new RegExp(`^id:\\s+${job.id}$`, 'm'));
      expect(human.stdout).toMatch(/^attempts:\s+2 of 3$/m);
      expect(job.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(human.stdout).toMatch(new RegExp(`^trace id:\\s+${job.traceId}$`, 'm'));
      expect(human.stdout).toMatch(/^ATTEMPT\s+OUTCOME\s+STARTED\s+TOOK\s+ERROR$/m);
      expect(human.stdout).toMatch(/^\s+1\s+FAILED\s+.*Error: boom$/m);
      expect(human.stdout).toMatch(/^\s+2\s+SUCCEEDED\s/m);

      const json = await sf(['status', job.id, '--json']);
      expect(json.json()).toMatchObject({ id: job.id, status: 'SUCCEEDED', attempts: 2, history: [{ outcome: 'FAILED' }, { outcome: 'SUCCEEDED' }] });
    });

    it('status of a job that does not exist exits 1 with NOT_FOUND', async () => {
      const result = await sf(['status', 'no-such-job']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(API_ERROR_LINE('NOT_FOUND'));
    });

    it('list filters, pages with --limit and --cursor, and follows cursors with --all', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) ids.push((await sf(['enqueue', 'demo.progress', '{"steps":1,"stepMs":1}', '--priority', 'critical', '--json'])).json().id);

      const all = await sf(['list', '--type', 'demo.progress', '--all', '--json']);
      expect(all.code).toBe(0);
      const page = all.json();
      expect(page.nextCursor).toBeNull();
      expect(page.items.map((j: { id: string }) => j.id)).toEqual([...ids].reverse()); // newest first

      const first = (await sf(['list', '--type', 'demo.progress', '--limit', '2', '--json'])).json();
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const rest = (await sf(['list', '--type', 'demo.progress', '--limit', '2', '--cursor', first.nextCursor, '--json'])).json();
      expect(rest.items.map((j: { id: string }) => j.id)).toEqual([ids[0]]);

      const byQueue = (await sf(['list', '--priority', 'critical', '--all', '--json'])).json();
      expect(byQueue.items.every((j: { priority: string }) => j.priority === 'critical')).toBe(true);
      expect(byQueue.items.length).toBeGreaterThanOrEqual(3);

      const human = await sf(['list', '--type', 'demo.progress', '--limit', '2']);
      const lines = human.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+PRIORITY\s+ATTEMPTS\s+CREATED\s+UPDATED$/);
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(new RegExp(`^${ids[2]}\\s+demo\\.progress\\s+\\w+\\s+critical\\s+\\d/3\\s+(now|\\d+s ago)`));
      // Columns line up: every row starts its TYPE column where the header does.
      const typeAt = (lines[0] as string).indexOf('TYPE');
      for (const line of lines.slice(1)) expect(line.indexOf('demo.progress')).toBe(typeAt);
      expect(human.stderr).toMatch(/more jobs: repeat with --cursor \S+, or use --all/);
    });

    it('list --status checks the value (exit 2)', async () => {
      const result = await sf(['list', '--status', 'done']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--status must be one of BLOCKED, SCHEDULED, QUEUED/);
    });
  });

  describe('cancel, retry, dead-letter, delete', () => {
    it('cancels with a reason, retries, and refuses a transition that is not allowed (exit 3)', async () => {
      const job = (await sf(['enqueue', 'demo.echo', '{"v":1}', '--delay-ms', '1h', '--json'])).json();
      const cancelled = await sf(['cancel', job.id, '--reason', 'not needed', '--json']);
      expect(cancelled.code).toBe(0);
      expect(cancelled.json()).toMatchObject({ id: job.id, status: 'CANCELLED', cancelReason: 'not needed' });

      const again = await sf(['cancel', job.id]);
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(API_ERROR_LINE('INVALID_STATE'));

      const retried = await sf(['retry', job.id, '--reset-attempts']);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toMatch(new RegExp(`^${job.id}: (QUEUED|RUNNING|SUCCEEDED) \\(attempts 0 of 3\\)`));
      expect((await sf(['wait', job.id, '--json'])).json()).toMatchObject({ status: 'SUCCEEDED', result: { v: 1 } });
    });

    it('dead-letters by hand, then deletes; the deleted job is not found (exit 1)', async () => {
      const job = (await sf(['enqueue', 'demo.echo', '--delay-ms', '1h', '--json'])).json();
      const dead = await sf(['dead-letter', job.id, '--reason', 'operator says so', '--json']);
      expect(dead.code).toBe(0);
      expect(dead.json()).toMatchObject({ status: 'DEAD', deadReason: expect.stringMatching(/operator says so/) });

      const deleted = await sf(['delete', job.id, '--json']);
      expect(deleted.code).toBe(0);
      expect(deleted.json()).toEqual({ id: job.id, deleted: true });
      expect((await sf(['status', job.id])).code).toBe(1);
      expect((await sf(['delete', job.id])).code).toBe(1);
    });
  });

  describe('wait', () => {
    it('exits 0 on SUCCEEDED and prints the job', async () => {
      const job = (await sf(['enqueue', 'demo.sleep', '{"ms":100}', '--json'])).json();
      const result = await sf(['wait', job.id]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^status:\s+SUCCEEDED$/m);
    });

    it('exits 1 on DEAD with the reason on stderr', async () => {
      const job = (await sf(['enqueue', 'demo.fail', '--max-attempts', '1', '--json'])).json();
      const result = await sf(['wait', job.id, '--json']);
      expect(result.code).toBe(1);
      expect(result.json()).toMatchObject({ id: job.id, status: 'DEAD' });
      expect(result.stderr).toMatch(/ended DEAD: .* \(JOB_DEAD\)\n$/);
    });

    it('exits 1 on CANCELLED', async () => {
      const job = (await sf(['enqueue', 'demo.sleep', '{"ms":20000}', '--json'])).json();
      const waiting = sf(['wait', job.id, '--timeout-ms', '10s']);
      await sf(['cancel', job.id, '--reason', 'stop']);
      const result = await waiting;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ended CANCELLED: stop \(JOB_CANCELLED\)/);
    });

    it('exits 1 when the job is not done in time, printing the last state seen', async () => {
      const job = (await sf(['enqueue', 'demo.sleep', '{"ms":20000}', '--json'])).json();
      const started = Date.now();
      const result = await sf(['wait', job.id, '--timeout-ms', '600', '--json']);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^skyforge: job [\w-]+ did not finish within 600 ms.* \(WAIT_TIMEOUT\)\n$/);
      expect(['QUEUED', 'RUNNING']).toContain(result.json().status);
      await sf(['cancel', job.id]);
    });

    it('on an unknown job exits 1 with NOT_FOUND', async () => {
      const result = await sf(['wait', 'missing-job', '--timeout-ms', '1s']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(API_ERROR_LINE('NOT_FOUND'));
    });
  });

  it('exits 3 with a NETWORK_ERROR line when nothing answers', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const result = await cli(['status', 'x'], { url: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^skyforge: cannot reach GET http:\/\/127\.0\.0\.1:\d+\/jobs\/x: .*ECONNREFUSED.* \(NETWORK_ERROR, requestId [\w-]+\)\n$/);
  });
});
