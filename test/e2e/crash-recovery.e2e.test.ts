import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort, startCloudProcess, type RunningCloud } from '../support/cloud-process.ts';
import type { Json } from '../support/http-client.ts';

/**
 * As a user would crash it: `npm start` with its default worker settings (worker timeout 300 s,
 * queues' visibility 30 minutes), 400 mixed jobs, four SIGKILLs each followed at once by a start
 * on the same data folder. No start is refused, every job reaches its expected outcome within
 * two minutes of the last start, none succeeds twice, and an attempt whose worker died runs again
 * within its job's timeoutMs + 60 s (the worker hides each message for just the attempt's lease).
 */

interface Planned {
  body: Json;
  expected: 'SUCCEEDED' | 'DEAD';
}

function plan(): Planned[] {
  const jobs: Planned[] = [];
  for (let i = 0; i < 160; i += 1) jobs.push({ body: { type: 'demo.echo', payload: { i } }, expected: 'SUCCEEDED' });
  // Long enough to be caught running by a kill; half with the default 30 s timeout.
  for (let i = 0; i < 120; i += 1) {
    jobs.push({ body: { type: 'demo.sleep', payload: { ms: 300 + ((i * 137) % 1700) }, ...(i % 2 ? { timeoutMs: 10_000 } : {}) }, expected: 'SUCCEEDED' });
  }
  for (let i = 0; i < 60; i += 1) {
    jobs.push({ body: { type: 'demo.fail', payload: { failTimes: 1 }, backoff: { type: 'fixed', delayMs: 500 } }, expected: 'SUCCEEDED' });
  }
  for (let i = 0; i < 40; i += 1) jobs.push({ body: { type: 'demo.echo', delayMs: 1000 + ((i * 211) % 7000) }, expected: 'SUCCEEDED' });
  for (let i = 0; i < 20; i += 1) jobs.push({ body: { type: 'demo.fail', payload: { permanent: true } }, expected: 'DEAD' });
  return jobs;
}

const TERMINAL = new Set(['SUCCEEDED', 'DEAD', 'CANCELLED']);

/** Every job of the run, by id, from GET /jobs pages (400 jobs: two pages of 200). */
async function allJobs(http: RunningCloud['http']): Promise<Map<string, Json>> {
  const jobs = new Map<string, Json>();
  let cursor: string | null = null;
  do {
    const res = await http.get(`/jobs?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    for (const job of res.body.items as Json[]) jobs.set(job.id, job);
    cursor = res.body.nextCursor;
  } while (cursor);
  return jobs;
}

describe('crash recovery with default settings', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skyforge-crash-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('400 jobs, 4 SIGKILLs each followed at once by a restart: all done, none twice, lost attempts back within timeout + 60 s', async () => {
    const [port, edgePort] = [await freePort(), await freePort()];
    let cloud = await startCloudProcess({ dataDir, port, edgePort });
    children.push(cloud.child);

    // Submit 400 jobs through /jobs/batch.
    const planned = plan();
    const expectedById = new Map<string, Planned>();
    for (let i = 0; i < planned.length; i += 100) {
      const chunk = planned.slice(i, i + 100);
      const res = await cloud.http.post('/jobs/batch', { jobs: chunk.map((p) => p.body) });
      expect(res.status).toBe(200);
      (res.body.results as Json[]).forEach((r, j) => {
        expect(r.status).toBe(201);
        expectedById.set(r.job.id, chunk[j] as Planned);
      });
    }

    // Four kills, each at a different moment of the run, each followed at once by a start.
    const kills: number[] = [];
    for (const waitMs of [1200, 2500, 1800, 3000]) {
      // Fixed wait on purpose: it lets the run get under way, so the kill catches attempts running.
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      cloud.child.kill('SIGKILL');
      await exited(cloud.child);
      kills.push(Date.now());
      cloud = await startCloudProcess({ dataDir, port, edgePort });
      children.push(cloud.child);
    }
    const lastStart = Date.now();

    // Every job reaches its expected outcome within two minutes of the last start.
    let jobs = new Map<string, Json>();
    await expect
      .poll(
        async () => {
          jobs = await allJobs(cloud.http);
          return [...expectedById.keys()].filter((id) => !TERMINAL.has(jobs.get(id)?.status)).length;
        },
        { timeout: 120_000, interval: 2000 },
      )
      .toBe(0);
    const doneWithin = Date.now() - lastStart;

    const recoveries: number[] = [];
    for (const [id, planned] of expectedById) {
      const job = jobs.get(id) as Json;
      expect(job.status, JSON.stringify(job)).toBe(planned.expected);
      const history = job.history as Json[];
      // none succeeds twice, and no attempt number is used twice
      expect(history.filter((a) => a.outcome === 'SUCCEEDED').length).toBeLessThanOrEqual(1);
      const numbers = history.map((a) => a.attempt);
      expect(new Set(numbers).size, JSON.stringify(history)).toBe(numbers.length);
      // A lost attempt runs again within the job's timeout + 60 s of the kill that lost it.
      history.forEach((attempt, i) => {
        const next = history[i + 1];
        if (attempt.outcome !== 'LOST' || !next) return;
        const started = Date.parse(attempt.startedAt);
        const kill = kills.find((k) => k >= started) ?? kills.at(-1)!;
        const recovery = Date.parse(next.startedAt) - kill;
        recoveries.push(recovery);
        expect(recovery, JSON.stringify(job)).toBeLessThanOrEqual(job.timeoutMs + 60_000);
      });
    }
    const sorted = [...recoveries].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.info(
      `crash recovery: ${recoveries.length} lost attempts, kill -> next attempt median ${median} ms, max ${sorted.at(-1) ?? 0} ms; ` +
        `all ${expectedById.size} jobs done ${doneWithin} ms after the last start`,
    );
    expect(recoveries.length).toBeGreaterThan(0);
    cloud.child.kill('SIGTERM');
    await exited(cloud.child);
  }, 300_000);
});
