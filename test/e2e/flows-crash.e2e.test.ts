import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort, startCloudProcess } from '../support/cloud-process.ts';
import type { Json } from '../support/http-client.ts';

/**
 * A SIGKILL of the local cloud during a flow (`npm start` as a child process, restarted at once on
 * the same data folder): the flow still completes, every job succeeds exactly once, and each
 * dependent started only after all of its dependencies finished.
 */
describe('flows survive a crash of the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skyforge-flow-crash-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two SIGKILLs while a 3-stage flow of 41 jobs runs: it completes, none twice, no dependent early', async () => {
    const [port, edgePort] = [await freePort(), await freePort()];
    // Short job timeouts: a lost attempt runs again soon after its lease (timeoutMs + grace).
    let cloud = await startCloudProcess({ dataDir, port, edgePort });
    children.push(cloud.child);
    const stage1 = Array.from({ length: 20 }, (_, i) => ({ ref: `s1-${i}`, type: 'demo.sleep', payload: { ms: 300 + ((i * 97) % 900) }, timeoutMs: 3000 }));
    const stage2 = Array.from({ length: 20 }, (_, i) => ({
      ref: `s2-${i}`,
      type: 'demo.sleep',
      payload: { ms: 200 + ((i * 131) % 700) },
      timeoutMs: 3000,
      dependsOn: [`s1-${i}`, `s1-${(i + 1) % 20}`],
    }));
    const last = { ref: 'end', type: 'demo.echo', payload: { done: true }, dependsOn: stage2.map((j) => j.ref) };
    const res = await cloud.http.post('/flows', { idempotencyKey: 'crash-flow', jobs: [...stage1, ...stage2, last] });
    expect(res.status).toBe(201);
    const flowId = res.body.id as string;

    for (const waitMs of [900, 1500]) {
      // Fixed wait on purpose: the kill must catch attempts and releases under way.
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      cloud.child.kill('SIGKILL');
      await exited(cloud.child);
      cloud = await startCloudProcess({ dataDir, port, edgePort });
      children.push(cloud.child);
    }

    let flow: Json = {};
    await expect
      .poll(async () => (flow = (await cloud.http.get(`/flows/${flowId}`)).body).status, { timeout: 120_000, interval: 1000 })
      .toBe('SUCCEEDED');
    const byId = new Map(Object.values(flow.jobs as Record<string, Json>).map((j) => [j.id as string, j]));
    let lost = 0;
    for (const job of byId.values()) {
      const history = job.history as Json[];
      expect(history.filter((a) => a.outcome === 'SUCCEEDED'), JSON.stringify(job)).toHaveLength(1);
      lost += history.filter((a) => a.outcome === 'LOST').length;
      const firstStart = Date.parse(history[0]?.startedAt as string);
      for (const depId of job.dependsOn as string[]) {
        expect(firstStart, `${job.ref} started before ${depId} finished`).toBeGreaterThanOrEqual(Date.parse(byId.get(depId)?.finishedAt as string));
      }
    }
    console.info(`flow crash: 41 jobs SUCCEEDED after 2 SIGKILLs; ${lost} attempts were lost and ran again`);
    cloud.child.kill('SIGTERM');
    await exited(cloud.child);
  }, 200_000);
});
