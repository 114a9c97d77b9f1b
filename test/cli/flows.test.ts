import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { API_ERROR_LINE, cli, recordingFetch } from './run-cli.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/flow.json', import.meta.url));

/** `skyforge flows create|status|cancel|retry` against the local cloud: output, --json and exit codes. */
describe('skyforge flows', () => {
  let cloud: LocalCloud;
  let url: string;
  let dir: string;
  const sf = (argv: readonly string[], options: Parameters<typeof cli>[1] = {}) => cli(argv, { url, cwd: dir, ...options });
  const writeFlow = (name: string, body: unknown): string => {
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
    return name;
  };

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_CANCEL_POLL_MS: '100' } });
    url = cloud.apiUrl;
    dir = mkdtempSync(join(tmpdir(), 'skyforge-cli-flows-'));
  });
  afterAll(async () => {
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the example flow with --wait: exit 0, every job SUCCEEDED; the same key again answers the same flow', async () => {
    const result = await sf(['flows', 'create', '--file', EXAMPLE, '--wait', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const flow = result.json();
    expect(flow.status).toBe('SUCCEEDED');
    expect(Object.keys(flow.jobs).sort()).toEqual(['audit', 'fetch', 'notify', 'resize', 'thumbnail']);
    expect(Object.values(flow.jobs).map((j: any) => j.status)).toEqual(Array(5).fill('SUCCEEDED'));

    const again = await sf(['flows', 'create', '--file', EXAMPLE, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json().id).toBe(flow.id);
  });

  it('prints a flow for people: status, counts, and a table of ref, type, status, dependencies, attempts, dependencies first', async () => {
    const created = await sf(['flows', 'create', '--file', EXAMPLE, '--idempotency-key', `human-${Date.now()}`]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^flow:\s+\S+\nstatus:\s+RUNNING\njobs:\s+5 jobs: /);
    const id = /^flow:\s+(\S+)/.exec(created.stdout)?.[1] as string;

    const status = await sf(['flows', 'status', id]);
    expect(status.code, status.stderr).toBe(0);
    const lines = status.stdout.trimEnd().split('\n');
    const header = lines.findIndex((l) => l.startsWith('REF'));
    expect(lines[header]?.split(/\s{2,}/)).toEqual(['REF', 'TYPE', 'STATUS', 'DEPENDS ON', 'ATTEMPTS', 'JOB']);
    const rows = lines.slice(header + 1).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r[0])).toEqual(['fetch', 'resize', 'thumbnail', 'notify', 'audit']);
    expect(rows.find((r) => r[0] === 'notify')?.[3]).toBe('resize, thumbnail');
    expect(rows.find((r) => r[0] === 'audit')?.[3]).toBe('notify (run)');
    expect(rows.find((r) => r[0] === 'resize')?.slice(1, 2)).toEqual(['demo.sleep']);
    expect(rows.every((r) => /^\d+\/\d+$/.test(r[4] ?? ''))).toBe(true);

    const json = await sf(['flows', 'status', id, '--json']);
    expect(json.json()).toMatchObject({ id, jobs: { notify: { ref: 'notify', flowId: id } } });
  });

  it('--wait exits 1 when the flow ends FAILED, naming the DEAD job and the ones it cancelled on stderr', async () => {
    const file = writeFlow('failing.json', {
      jobs: [
        { ref: 'charge', type: 'demo.fail', payload: { permanent: true, message: 'card declined' } },
        { ref: 'ship', type: 'demo.echo', dependsOn: ['charge'] },
      ],
    });
    const result = await sf(['flows', 'create', '-f', file, '--wait']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/status:\s+FAILED/);
    expect(result.stderr).toMatch(/^skyforge: flow \S+ ended FAILED: charge DEAD \(.*card declined.*\), ship CANCELLED.* \(FLOW_FAILED\)\n$/m);
  });

  it('--wait exits 1 at the timeout, printing the last state seen; flows wait exits 1 for a CANCELLED flow', async () => {
    const file = writeFlow('long.json', { jobs: [{ ref: 'long', type: 'demo.sleep', payload: { ms: 30_000 } }, { ref: 'next', type: 'demo.echo', dependsOn: ['long'] }] });
    const result = await sf(['flows', 'create', '--file', file, '--wait', '--wait-timeout-ms', '500ms', '--json']);
    expect(result.code).toBe(1);
    const last = result.json();
    expect(last).toMatchObject({ status: 'RUNNING', jobs: { next: { status: 'BLOCKED' } } });
    expect(result.stderr).toMatch(new RegExp(`^skyforge: flow ${last.id} did not finish within 500 ms \\(last status RUNNING\\) \\(WAIT_TIMEOUT\\)\n$`));
    expect((await sf(['flows', 'cancel', last.id, '--reason', 'took too long'])).code).toBe(0);
    const waited = await sf(['flows', 'wait', last.id, '--timeout-ms', '10s']);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/status:\s+CANCELLED/);
    expect(waited.stderr).toMatch(/^skyforge: flow \S+ ended CANCELLED: long CANCELLED \(.*took too long.*\), next CANCELLED \(.+\) \(FLOW_CANCELLED\)\n$/);
  });

  it('reads the flow from stdin with "-", a bare array of jobs too', async () => {
    const stdin = Readable.from([JSON.stringify([{ ref: 'a', type: 'demo.echo' }, { ref: 'b', type: 'demo.echo', dependsOn: ['a'] }])]);
    const result = await sf(['flows', 'create', '--file', '-', '--wait', '--wait-timeout-ms', '20s', '--json'], { stdin });
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ status: 'SUCCEEDED', jobs: { a: { status: 'SUCCEEDED' }, b: { status: 'SUCCEEDED' } } });
  });

  it('cancels a flow, then retries it after a job was dead-lettered', async () => {
    const file = writeFlow('slow.json', {
      jobs: [
        { ref: 'first', type: 'demo.echo', delayMs: 600_000 },
        { ref: 'second', type: 'demo.echo', dependsOn: ['first'] },
      ],
    });
    const created = (await sf(['flows', 'create', '-f', file, '--json'])).json();
    const cancel = await sf(['flows', 'cancel', created.id]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/status:\s+CANCELLED/);

    const other = (await sf(['flows', 'create', '-f', file, '--json'])).json();
    expect((await sf(['dead-letter', other.jobs.first.id, '--reason', 'by hand'])).code).toBe(0);
    await expect.poll(async () => (await sf(['flows', 'status', other.id, '--json'])).json().status, { timeout: 10_000 }).toBe('FAILED');
    const retry = await sf(['flows', 'retry', other.id, '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    // The replayed jobs are quick: the flow may already be done when the answer is read.
    expect(['RUNNING', 'SUCCEEDED']).toContain(retry.json().status);
    const waited = await sf(['flows', 'wait', other.id, '--timeout-ms', '15s']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toMatch(/status:\s+SUCCEEDED/);
    // A job of the flow points back to it.
    const job = await sf(['status', other.jobs.second.id]);
    expect(job.stdout).toMatch(new RegExp(`flow:\\s+${other.id} \\(ref second, after 1 job\\); skyforge flows status ${other.id}`));
  });

  it('an unknown flow exits 1 (NOT_FOUND); an invalid flow exits 3 (VALIDATION_ERROR) and names the problem', async () => {
    const missing = await sf(['flows', 'status', 'no-such-flow']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(API_ERROR_LINE('NOT_FOUND'));

    const cyclic = writeFlow('cycle.json', { jobs: [{ ref: 'a', type: 'demo.echo', dependsOn: ['b'] }, { ref: 'b', type: 'demo.echo', dependsOn: ['a'] }] });
    const invalid = await sf(['flows', 'create', '--file', cyclic]);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(API_ERROR_LINE('VALIDATION_ERROR'));
    expect(invalid.stderr).toMatch(/cycle/);
  });

  it('refuses bad input with exit 2 before sending anything', async () => {
    const recorder = recordingFetch();
    writeFlow('broken.json', '{"jobs": [');
    writeFlow('wrong.json', { steps: [] });
    for (const argv of [
      ['flows', 'create'],
      ['flows', 'create', '--file', 'missing.json'],
      ['flows', 'create', '--file', 'broken.json'],
      ['flows', 'create', '--file', 'wrong.json'],
      ['flows', 'create', '--file', 'wrong.json', '--wait-timeout-ms', '5s'],
      ['flows', 'status'],
      ['flows', 'wait', 'f', '--timeout-ms', 'soon'],
      ['flows', 'nope'],
    ]) {
      const result = await sf(argv, { fetch: recorder.fetch });
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(/^skyforge: .+see skyforge flows.*--help\)\n$/);
    }
    expect(recorder.calls).toEqual([]);
  });

  it('documents itself: the flows group and each command have help', async () => {
    const top = await sf(['--help']);
    expect(top.stdout).toMatch(/\nFlows:\n  flows create\s+.+\n  flows status\s+.+\n  flows wait\s+.+\n  flows cancel\s+.+\n  flows retry\s+.+\n/);
    const group = await sf(['flows', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('Usage: skyforge flows <command>');
    const create = await sf(['flows', 'create', '--help']);
    expect(create.stdout).toContain('skyforge flows create --file <flow.json | ->');
    expect(create.stdout).toContain('examples/flow.json');
  });
});
