import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { launchChromium, type TestBrowser } from './support/chromium.ts';

/**
 * How long the Jobs view takes to show its first page with 10,000 jobs in the table. Loading
 * 10,000 jobs takes a few minutes on a laptop, so this runs only when asked:
 * `SKYFORGE_UI_10K=1 npx vitest run test/browser/jobs-10k`. It prints the timings it asserts on.
 */
const enabled = process.env.SKYFORGE_UI_10K === '1';
const JOBS = 10_000;

describe.skipIf(!enabled)('Jobs view with 10,000 jobs', () => {
  let cloud: LocalCloud;
  let browser: TestBrowser;

  beforeAll(async () => {
    [cloud, browser] = await Promise.all([startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true }), launchChromium()]);
    // Delayed by SQS (under its 15 minutes), so the workers stay idle and the table holds exactly these.
    const body = (n: number) => ({ type: 'demo.echo', payload: { n }, delayMs: 14 * 60_000, priority: (['critical', 'high', 'normal', 'low'] as const)[n % 4] });
    const batches = Array.from({ length: JOBS / 100 }, (_, b) => Array.from({ length: 100 }, (_, i) => body(b * 100 + i)));
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) {
          const jobs = batches[next++];
          const res = await fetch(`${cloud.apiUrl}/jobs/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobs }) });
          const { results } = (await res.json()) as { results: { status: number }[] };
          expect(results.filter((r) => r.status !== 201)).toEqual([]);
        }
      }),
    );
    const stats = (await (await fetch(`${cloud.apiUrl}/stats`)).json()) as { jobs: Record<string, number> };
    expect(stats.jobs.SCHEDULED).toBe(JOBS);
  }, 900_000);
  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });

  it.each([
    ['/ui/jobs', 'newest first, no filter'],
    ['/ui/jobs?priority=high', 'one priority'],
    ['/ui/jobs?status=SCHEDULED', 'one status'],
    ['/ui/jobs?status=SCHEDULED&priority=low', 'status and priority'],
  ])('shows the first page of %s (%s)', async (path) => {
    const page = await browser.context.newPage();
    try {
      // Warm: the assets are built and cached once; the timing is of the view, not of esbuild.
      await page.goto(`${cloud.apiUrl}/ui/`);
      const runs: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const started = performance.now();
        await page.goto(`${cloud.apiUrl}${path}`);
        await page.locator('table.jobs tbody tr').nth(49).waitFor({ timeout: 30_000 });
        runs.push(Math.round(performance.now() - started));
      }
      console.log(`${path}: first page of 50 in ${runs.join(' / ')} ms with ${JOBS} jobs`);
      expect(Math.min(...runs)).toBeLessThan(3_000);
    } finally {
      await page.close();
    }
  });
});
