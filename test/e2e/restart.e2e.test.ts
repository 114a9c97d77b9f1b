import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort, startCloudProcess, type RunningCloud } from '../support/cloud-process.ts';
import type { Json } from '../support/http-client.ts';

/**
 * `npm start` as users run it (a child process), stopped with Ctrl-C's SIGTERM/SIGINT path and
 * killed with SIGKILL, then started again on the same data folder: every job reaches a
 * terminal state and none runs an attempt twice.
 */
const WORKER_TIMEOUT_SECONDS = 4; // visibility timeout 24 s, job timeouts up to 2 s

type Running = RunningCloud;

function startCloud(dataDir: string, port: number, edgePort: number): Promise<Running> {
  return startCloudProcess({ dataDir, port, edgePort, env: { SKYFORGE_WORKER_TIMEOUT_SECONDS: String(WORKER_TIMEOUT_SECONDS) } });
}

async function submitMix(http: Running['http']): Promise<Json[]> {
  const bodies = [
    ...Array.from({ length: 8 }, (_, i) => ({ type: 'demo.echo', payload: { i } })),
    ...Array.from({ length: 8 }, () => ({ type: 'demo.sleep', payload: { ms: 1200 }, timeoutMs: 2000 })),
    ...Array.from({ length: 4 }, () => ({ type: 'demo.fail', payload: { failTimes: 1 }, timeoutMs: 2000, backoff: { type: 'fixed', delayMs: 300 } })),
    ...Array.from({ length: 4 }, () => ({ type: 'demo.echo', delayMs: 1500, timeoutMs: 2000 })),
  ].map((b) => ({ timeoutMs: 2000, ...b }));
  const res = await http.post('/jobs/batch', { jobs: bodies });
  expect(res.status).toBe(200);
  return res.body.results.map((r: Json) => {
    expect(r.status).toBe(201);
    return r.job;
  });
}

/** Every job SUCCEEDED, with exactly one successful attempt and no attempt number twice. */
async function expectAllDoneOnce(http: Running['http'], jobs: Json[], timeoutMs: number): Promise<Json[]> {
  const finished = await Promise.all(jobs.map((j) => http.waitFor(j.id, ['SUCCEEDED', 'DEAD', 'CANCELLED'], timeoutMs)));
  for (const job of finished) {
    expect(job.status, JSON.stringify(job)).toBe('SUCCEEDED');
    const outcomes = (job.history as Json[]).map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'SUCCEEDED')).toHaveLength(1);
    const attempts = (job.history as Json[]).map((a) => a.attempt);
    expect(new Set(attempts).size).toBe(attempts.length);
  }
  return finished;
}

describe('restart on the same data folder', () => {
  const dataDirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  });

  it('a graceful stop loses nothing: jobs submitted before it finish after the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skyforge-restart-'));
    dataDirs.push(dataDir);
    const [port, edgePort] = [await freePort(), await freePort()];
    const first = await startCloud(dataDir, port, edgePort);
    children.push(first.child);
    const jobs = await submitMix(first.http);
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);

    const second = await startCloud(dataDir, port, edgePort);
    children.push(second.child);
    const finished = await expectAllDoneOnce(second.http, jobs, 40_000);
    // a graceful stop lets running batches finish, so nothing needed a second attempt but demo.fail
    for (const job of finished) expect(job.attempts).toBe(job.type === 'demo.fail' ? 2 : 1);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 90_000);

  it('after SIGKILL, running jobs come back through the visibility timeout and lease, each once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skyforge-kill-'));
    dataDirs.push(dataDir);
    const [port, edgePort] = [await freePort(), await freePort()];
    const first = await startCloud(dataDir, port, edgePort);
    children.push(first.child);
    const jobs = await submitMix(first.http);
    const sleeper = jobs.find((j) => j.type === 'demo.sleep') as Json;
    await first.http.waitFor(sleeper.id, ['RUNNING'], 10_000);
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await startCloud(dataDir, port, edgePort);
    children.push(second.child);
    const finished = await expectAllDoneOnce(second.http, jobs, 60_000);
    const lost = finished.filter((j) => (j.history as Json[]).some((a) => a.outcome === 'LOST'));
    expect(lost.length).toBeGreaterThan(0);
    for (const job of lost) expect(job.history.map((a: Json) => a.outcome).at(-1)).toBe('SUCCEEDED');
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 120_000);
});
