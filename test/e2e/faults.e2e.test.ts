import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkyForgeClient } from '../../cli/client/index.ts';
import type { BatchResult, JobView } from '../../cli/client/types.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';

/**
 * AWS misbehaving: the local cloud fails 5% of the functions' AWS calls the way AWS does under
 * stress (throttling, 5xx), 1,000 mixed jobs go in through SkyForgeClient (single and batch
 * submits), and every job still reaches its expected outcome: none is DEAD because of a fault,
 * none runs two attempts at once, and every failure the API could not absorb reaches the client
 * as a 503 UNAVAILABLE in the error shape, with Retry-After.
 */

type Expected = 'SUCCEEDED' | 'DEAD';

interface Planned {
  type: 'demo.echo' | 'demo.fail' | 'demo.sleep';
  payload: Record<string, unknown>;
  options: Record<string, unknown>;
  expected: Expected;
}

function plan(i: number): Planned {
  const options = { timeoutMs: 5000, idempotencyKey: `faults-${i}` };
  if (i % 50 === 9) return { type: 'demo.fail', payload: { permanent: true }, options, expected: 'DEAD' };
  if (i % 10 === 6 || i % 10 === 7) {
    return { type: 'demo.fail', payload: { failTimes: 1 }, options: { ...options, backoff: { type: 'fixed', delayMs: 200 } }, expected: 'SUCCEEDED' };
  }
  if (i % 10 === 8) return { type: 'demo.sleep', payload: { ms: 100 }, options, expected: 'SUCCEEDED' };
  return { type: 'demo.echo', payload: { i }, options, expected: 'SUCCEEDED' };
}

describe('under injected AWS faults', () => {
  let cloud: LocalCloud;
  const unabsorbed: { status: number; code: unknown; retryAfter: string | null }[] = [];
  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, faults: { rate: 0.05, seed: 20261204 } });
  });
  afterAll(async () => cloud?.stop());

  it('1,000 jobs through the client: all reach their outcome, none killed by a fault, none run twice at once', async () => {
    // Every 5xx the client sees, and every item of a batch answered 5xx, is recorded.
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status >= 500) {
        const body = (await response.clone().json().catch(() => ({}))) as { code?: unknown };
        unabsorbed.push({ status: response.status, code: body.code, retryAfter: response.headers.get('retry-after') });
      }
      return response;
    };
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: recordingFetch, retries: 8 });
    const planned = Array.from({ length: 1000 }, (_, i) => plan(i));
    const expectedById = new Map<string, Planned>();

    // 600 in batches of 100 (503 items are retried by the client with their keys)...
    for (let start = 0; start < 600; start += 100) {
      const results: BatchResult[] = await client.enqueueBatch(
        planned.slice(start, start + 100).map((p) => ({ type: p.type, payload: p.payload, options: p.options }) as never),
      );
      results.forEach((r, i) => {
        if (r.status >= 500) unabsorbed.push({ status: r.status, code: r.error?.code, retryAfter: String(r.error?.details?.retryAfterSeconds ?? '') || null });
        expect([200, 201], JSON.stringify(r)).toContain(r.status);
        expectedById.set((r.job as JobView).id, planned[start + i] as Planned);
      });
    }
    // ...and 400 one by one, 16 at a time.
    let next = 600;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 1000) {
          const p = planned[next++] as Planned;
          const job = await client.enqueue(p.type as never, p.payload as never, p.options as never);
          expectedById.set(job.id, p);
        }
      }),
    );
    expect(expectedById.size).toBe(1000);

    // Every job reaches its expected outcome.
    const finished = new Map<string, JobView>();
    await expect
      .poll(
        async () => {
          for await (const job of client.list({ pageSize: 200 })) if (expectedById.has(job.id)) finished.set(job.id, job);
          return [...expectedById.keys()].filter((id) => !['SUCCEEDED', 'DEAD', 'CANCELLED'].includes(finished.get(id)?.status ?? '')).length;
        },
        { timeout: 240_000, interval: 2000 },
      )
      .toBe(0);

    for (const [id, p] of expectedById) {
      const job = finished.get(id) as JobView;
      expect(job.status, JSON.stringify(job)).toBe(p.expected);
      // DEAD only for the permanent failures: never because of an injected fault.
      if (job.status === 'DEAD') expect(job.lastError?.name, JSON.stringify(job)).toBe('PermanentError');
      const history = [...job.history].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
      expect(history.filter((a) => a.outcome === 'SUCCEEDED').length).toBeLessThanOrEqual(1);
      // No two attempts at once: each starts after the previous one ended.
      for (let i = 1; i < history.length; i += 1) {
        expect(Date.parse(history[i]!.startedAt), JSON.stringify(history)).toBeGreaterThanOrEqual(Date.parse(history[i - 1]!.finishedAt));
      }
    }

    // Every failure the API could not absorb is a 503 in the error shape, with Retry-After.
    for (const failure of unabsorbed) expect(failure).toMatchObject({ status: 503, code: 'UNAVAILABLE', retryAfter: expect.stringMatching(/^\d+$/) });
    const counts = cloud.faults();
    const injected = Object.values(counts.injected).reduce((a, b) => a + b, 0);
    const lastAttempt = Object.values(counts.unabsorbed).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(100);
    const lost = [...finished.values()].filter((j) => j.history.some((a) => a.outcome === 'LOST')).length;
    console.info(
      `faults: ${injected} injected (${JSON.stringify(counts.injected)}), ${injected - lastAttempt} absorbed by SDK retries, ` +
        `${lastAttempt} seen by a function, ${unabsorbed.length} surfaced to the client as 503; ${lost} jobs with a lost attempt`,
    );
  }, 300_000);
});
