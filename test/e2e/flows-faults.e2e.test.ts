import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { httpClient, type Json } from '../support/http-client.ts';

/**
 * Flows while AWS misbehaves: 5% of the functions' AWS calls fail as AWS fails under stress
 * (throttling, 5xx). 20 diamonds go in with idempotency keys (a 503 is sent again with the same
 * key, as the client does); every flow still SUCCEEDS, every job exactly once, no dependent
 * before its dependencies, none DEAD or CANCELLED because of a fault.
 */
describe('flows under injected AWS faults', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;
  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, faults: { rate: 0.05, seed: 20261205 } });
    http = httpClient(cloud.apiUrl);
  });
  afterAll(async () => cloud?.stop());

  async function createWithRetries(body: Json): Promise<{ id: string; unavailable: number }> {
    let unavailable = 0;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const res = await http.post('/flows', body);
      if (res.status === 201 || res.status === 200) return { id: res.body.id as string, unavailable };
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body.code).toBe('UNAVAILABLE');
      unavailable += 1;
      await sleep(100);
    }
    throw new Error('POST /flows kept answering 503');
  }

  it('20 diamonds with 5% of AWS calls failing: all SUCCEED, each job once, in dependency order', async () => {
    const created = [];
    for (let i = 0; i < 20; i += 1) {
      created.push(
        await createWithRetries({
          idempotencyKey: `faults-flow-${i}`,
          jobs: [
            { ref: 'A', type: 'demo.echo', payload: { i } },
            { ref: 'B', type: 'demo.echo', payload: { i }, dependsOn: ['A'] },
            { ref: 'C', type: 'demo.sleep', payload: { ms: 50 }, dependsOn: ['A'] },
            { ref: 'D', type: 'demo.echo', payload: { i }, dependsOn: ['B', 'C'] },
          ],
        }),
      );
    }

    const flows: Json[] = [];
    for (const { id } of created) {
      let flow: Json = {};
      await expect
        .poll(async () => {
          const res = await http.get(`/flows/${id}`);
          if (res.status === 200) flow = res.body;
          return flow.status;
        }, { timeout: 60_000, interval: 200 })
        .toBe('SUCCEEDED');
      flows.push(flow);
    }

    for (const flow of flows) {
      const { A, B, C, D } = flow.jobs as Record<'A' | 'B' | 'C' | 'D', Json>;
      for (const job of [A, B, C, D]) expect(job.history.filter((h: Json) => h.outcome === 'SUCCEEDED'), JSON.stringify(job)).toHaveLength(1);
      const first = (job: Json) => Date.parse(job.history[0].startedAt as string);
      const end = (job: Json) => Date.parse(job.finishedAt as string);
      expect(first(B)).toBeGreaterThanOrEqual(end(A));
      expect(first(C)).toBeGreaterThanOrEqual(end(A));
      expect(first(D)).toBeGreaterThanOrEqual(Math.max(end(B), end(C)));
    }
    const injected = cloud.faults();
    console.info(`flows under faults: 20 diamonds SUCCEEDED; ${created.reduce((n, c) => n + c.unavailable, 0)} POST /flows answered 503 and were sent again; faults injected: ${JSON.stringify(injected)}`);
  }, 120_000);
});
