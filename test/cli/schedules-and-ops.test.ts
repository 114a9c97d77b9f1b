import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { API_ERROR_LINE, Capture, cli } from './run-cli.ts';

const PRIORITY_NAMES = ['critical', 'high', 'normal', 'low'];
const STATUS_NAMES = ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'DEAD', 'CANCELLED'];
const ESC = '\x1b[';

/** schedules, stats, watch and help against the local cloud. */
describe('skyforge schedules, stats, watch, help', () => {
  let cloud: LocalCloud;
  let url: string;
  const sf = (argv: readonly string[], options: Parameters<typeof cli>[1] = {}) => cli(argv, { url, ...options });

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true });
    url = cloud.apiUrl;
  });
  afterAll(async () => cloud?.stop());

  describe('schedules', () => {
    const create = ['schedules', 'create', '--name', 'nightly-report', '--expression', 'cron(0 2 * * ? *)', '--timezone', 'Europe/Berlin', '--type', 'demo.echo', '--payload', '{"report":"daily"}', '--priority', 'low'];

    it('create, list, show, pause, resume, trigger, delete', async () => {
      const created = await sf([...create, '--json']);
      expect(created.code, created.stderr).toBe(0);
      expect(created.json()).toMatchObject({
        name: 'nightly-report', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Berlin', enabled: true,
        job: { type: 'demo.echo', payload: { report: 'daily' }, priority: 'low' }, nextRunAt: expect.any(String),
      });
      // 02:00 in Berlin is 00:00 or 01:00 UTC.
      expect(created.json().nextRunAt).toMatch(/T0[01]:00:00\.000Z$/);

      const listed = await sf(['schedules', 'list', '--json']);
      expect(listed.json()).toEqual({ items: [expect.objectContaining({ name: 'nightly-report' })] });
      const table = (await sf(['schedules', 'list'])).stdout.trimEnd().split('\n');
      expect(table[0]).toMatch(/^NAME\s+EXPRESSION\s+TIMEZONE\s+STATE\s+NEXT RUN\s+JOB$/);
      expect(table[1]).toMatch(/^nightly-report\s+cron\(0 2 \* \* \? \*\)\s+Europe\/Berlin\s+enabled\s+\S+ \(in \d+[hm]\)\s+demo\.echo \(low\)$/);

      const shown = await sf(['schedules', 'show', 'nightly-report']);
      expect(shown.stdout).toMatch(/^expression:\s+cron\(0 2 \* \* \? \*\)$/m);

      const paused = (await sf(['schedules', 'pause', 'nightly-report', '--json'])).json();
      expect(paused).toMatchObject({ enabled: false, nextRunAt: null });
      expect((await sf(['schedules', 'pause', 'nightly-report'])).stdout).toMatch(/^state:\s+paused$/m);
      const resumed = (await sf(['schedules', 'resume', 'nightly-report', '--json'])).json();
      expect(resumed).toMatchObject({ enabled: true, nextRunAt: expect.any(String) });

      const triggered = await sf(['schedules', 'trigger', 'nightly-report', '--json']);
      expect(triggered.code).toBe(0);
      const job = triggered.json();
      expect(job).toMatchObject({ type: 'demo.echo', scheduleName: 'nightly-report', priority: 'low', payload: { report: 'daily' } });
      expect((await sf(['wait', job.id])).code).toBe(0);
      expect((await sf(['schedules', 'trigger', 'nightly-report'])).stdout).toMatch(/^triggered nightly-report: job [\w-]+ \(demo\.echo, low\): \w+\n$/);

      const deleted = await sf(['schedules', 'delete', 'nightly-report', '--json']);
      expect(deleted.json()).toEqual({ name: 'nightly-report', deleted: true });
      const gone = await sf(['schedules', 'show', 'nightly-report']);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(API_ERROR_LINE('NOT_FOUND'));
    });

    it('a taken name is a CONFLICT and a bad expression a VALIDATION_ERROR (exit 3); missing flags exit 2', async () => {
      expect((await sf(['schedules', 'create', '--name', 'taken', '--expression', 'rate(5 minutes)', '--type', 'demo.echo', '--paused'])).code).toBe(0);
      const taken = await sf(['schedules', 'create', '--name', 'taken', '--expression', 'rate(1 hour)', '--type', 'demo.echo']);
      expect(taken.code).toBe(3);
      expect(taken.stderr).toMatch(API_ERROR_LINE('CONFLICT'));

      const bad = await sf(['schedules', 'create', '--name', 'bad', '--expression', 'cron(0 2 * *)', '--type', 'demo.echo']);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(API_ERROR_LINE('VALIDATION_ERROR'));

      const missing = await sf(['schedules', 'create', '--name', 'x', '--type', 'demo.echo']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/schedules create needs --expression/);
      expect((await sf(['schedules', 'create', '--name', 'x', '--expression', 'rate(1 hour)', '--type', 'demo.echo', '--payload', '{x'])).code).toBe(2);
      expect((await sf(['schedules', 'frobnicate'])).stderr).toMatch(/unknown command schedules frobnicate \(see skyforge schedules --help\)/);
    });
  });

  describe('stats and watch', () => {
    it('stats --json has every queue and every status; the table lists them', async () => {
      await sf(['enqueue', 'demo.echo', '--wait']);
      const json = await sf(['stats', '--json']);
      expect(json.code).toBe(0);
      const stats = json.json();
      expect(Object.keys(stats.queues)).toEqual(PRIORITY_NAMES);
      for (const depth of Object.values(stats.queues)) expect(depth).toEqual({ ready: expect.any(Number), inFlight: expect.any(Number), delayed: expect.any(Number), deadLetters: expect.any(Number) });
      expect(Object.keys(stats.jobs).sort()).toEqual([...STATUS_NAMES].sort());
      expect(stats.jobs.SUCCEEDED).toBeGreaterThanOrEqual(1);

      const human = await sf(['stats']);
      expect(human.stdout).toMatch(/^QUEUE\s+READY\s+IN FLIGHT\s+DELAYED\s+DEAD LETTERS$/m);
      for (const queue of [...PRIORITY_NAMES, 'total']) expect(human.stdout).toMatch(new RegExp(`^${queue}\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+$`, 'm'));
      expect(human.stdout).toMatch(new RegExp(`^SUCCEEDED\\s+${stats.jobs.SUCCEEDED}$`, 'm'));
      expect(human.stdout).not.toContain(ESC);
    });

    it('limits <key> shows a flow-control key; an unknown key is NOT_FOUND', async () => {
      const res = await fetch(`${url}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'demo.echo', payload: {}, flowControl: { key: 'tenant 42', parallelism: 2, rate: 10, periodSeconds: 60 } }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      await sf(['wait', id]);

      const json = await sf(['limits', 'tenant 42', '--json']);
      expect(json.code, json.stderr).toBe(0);
      expect(json.json()).toEqual({ key: 'tenant 42', parallelism: 2, rate: 10, periodSeconds: 60, running: 0, throttledTotal: 0 });
      const human = await sf(['limits', 'tenant 42']);
      expect(human.stdout).toMatch(/^limits:\s+parallelism 2, rate 10 per 60 s$/m);
      expect(human.stdout).toMatch(/^running:\s+0 of 2$/m);
      const unknown = await sf(['limits', 'nobody']);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toMatch(/NOT_FOUND/);
    });

    it('colours on a terminal only, and never with NO_COLOR', async () => {
      const tty = await sf(['stats'], { tty: true });
      expect(tty.stdout).toContain(`${ESC}32mSUCCEEDED${ESC}39m`);
      const noColor = await sf(['stats'], { tty: true, env: { NO_COLOR: '1' } });
      expect(noColor.stdout).not.toContain(ESC);
      expect(noColor.stdout).toMatch(/^SUCCEEDED\s+\d+$/m);
    });

    it('watch --once draws one frame; with --json one document', async () => {
      const human = await sf(['watch', '--once']);
      expect(human.code).toBe(0);
      expect(human.stdout.split('\n')[0]).toContain(url);
      expect(human.stdout).toMatch(/^QUEUE\s+READY/m);
      expect(human.stdout.match(/^QUEUE\s/gm)).toHaveLength(1);

      const json = await sf(['watch', '--once', '--json']);
      const frame = json.json();
      expect(Date.parse(frame.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(Object.keys(frame.queues)).toEqual(PRIORITY_NAMES);
      expect(Object.keys(frame.jobs)).toHaveLength(STATUS_NAMES.length);
    });

    it('watch redraws in place on a terminal and exits 0 on Ctrl-C', async () => {
      const controller = new AbortController();
      const stdout = new Capture(true);
      const watching = sf(['watch', '--interval', '200ms'], { tty: true, signal: controller.signal, stdout });
      // A first frame is drawn before the job moves, so a later frame can show the change.
      await expect.poll(() => stdout.text, { timeout: 5_000, interval: 20 }).toContain('SUCCEEDED');
      await sf(['enqueue', 'demo.echo', '--wait']);
      await expect.poll(() => stdout.text, { timeout: 5_000, interval: 20 }).toMatch(/SUCCEEDED.*\s+\d+\s+.*\+1/);
      await expect.poll(() => stdout.text.split(/\x1b\[\d+A\r\x1b\[J/).length, { timeout: 5_000, interval: 20 }).toBeGreaterThanOrEqual(3);
      controller.abort();
      const result = await watching;
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(`${ESC}?25l`)).toBe(true);
      expect(result.stdout.endsWith(`${ESC}?25h`)).toBe(true);
      const frames = result.stdout.split(/\x1b\[\d+A\r\x1b\[J/);
      expect(frames.length).toBeGreaterThanOrEqual(3);
      // The moved job count shows in the CHANGE column of some frame.
      expect(result.stdout).toMatch(/SUCCEEDED.*\s+\d+\s+.*\+1/);
    });

    it('watch off a terminal appends frames; --json writes one line per refresh', async () => {
      const controller = new AbortController();
      const stdout = new Capture();
      const watching = sf(['watch', '--interval', '200ms', '--json'], { signal: controller.signal, stdout });
      await expect.poll(() => stdout.text.split('\n').filter(Boolean).length, { timeout: 5_000, interval: 20 }).toBeGreaterThanOrEqual(2);
      controller.abort();
      const result = await watching;
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ at: expect.any(String), queues: expect.any(Object), jobs: expect.any(Object) });
      expect(result.stdout).not.toContain(ESC);

      const bad = await sf(['watch', '--interval', 'often']);
      expect(bad.code).toBe(2);
      expect((await sf(['watch', '--interval', '10ms'])).stderr).toMatch(/--interval must be at least 200ms/);
    });
  });

  describe('help and usage', () => {
    it('--help lists the commands, the endpoint rules and the exit codes', async () => {
      const result = await cli(['--help']);
      expect(result.code).toBe(0);
      for (const name of ['enqueue', 'status', 'wait', 'list', 'cancel', 'retry', 'dlq list', 'dlq replay', 'schedules create', 'stats', 'watch']) {
        expect(result.stdout).toMatch(new RegExp(`^  ${name}\\s{2,}\\S`, 'm'));
      }
      expect(result.stdout).toMatch(/^Exit codes:\n {2}0 .*\n {2}1 .*\n.*\n {2}2 {2}usage.*\n {2}3 {2}any other API error/m);
      expect(result.stdout).toContain('cdk deploy --outputs-file cdk-outputs.json');
      expect(result.stdout).toContain('NO_COLOR');
    });

    it('each command has its own --help (and `help <command>`), which needs no endpoint', async () => {
      const enqueue = await cli(['enqueue', '--help'], { env: { SKYFORGE_URL: 'not a url' } });
      expect(enqueue.code).toBe(0);
      expect(enqueue.stdout).toMatch(/^Usage:\n {2}skyforge enqueue <type> \[payload-json\]/);
      expect(enqueue.stdout).toMatch(/^ {2}-f, --file <path>\s+NDJSON file/m);
      expect(enqueue.stdout).toMatch(/^Global options:$/m);
      const replay = await cli(['help', 'dlq', 'replay']);
      expect(replay.code).toBe(0);
      expect(replay.stdout).toContain('skyforge dlq replay --all [--type <t>]');
      expect((await cli(['dlq', '--help'])).stdout).toMatch(/^ {2}dlq list\s+List dead jobs/m);
    });

    it('exit 2 for no command, an unknown command, a bare group, or stray arguments', async () => {
      const none = await cli([]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('Usage: skyforge <command>');
      const unknown = await cli(['frobnicate']);
      expect(unknown).toMatchObject({ code: 2, stdout: '' });
      expect(unknown.stderr).toBe('skyforge: unknown command frobnicate (see skyforge --help)\n');
      expect((await cli(['dlq'])).code).toBe(2);
      const stray = await sf(['stats', 'now']);
      expect(stray.code).toBe(2);
      expect(stray.stderr).toMatch(/unexpected argument now \(stats takes none\)/);
      expect((await sf(['status', 'a', 'b'])).code).toBe(2);
    });

    it('global flags work before the command', async () => {
      const result = await cli(['--url', url, '--json', 'stats']);
      expect(result.code).toBe(0);
      expect(Object.keys(result.json().queues)).toEqual(PRIORITY_NAMES);
    });
  });
});
