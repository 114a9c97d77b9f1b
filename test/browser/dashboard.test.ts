import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardProxy, type DashboardProxy } from '../../cli/dashboard-proxy.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { httpClient, type Json } from '../support/http-client.ts';
import { launchChromium, type TestBrowser } from './support/chromium.ts';

/**
 * The operator dashboard in Debian's Chromium, against the real local cloud: one cloud and one
 * browser for the whole file. With SKYFORGE_SCREENSHOTS=<dir> set, each view is also saved as a
 * PNG there (how docs/dashboard/*.png are made).
 */
const screenshotDir = process.env.SKYFORGE_SCREENSHOTS;

/** Page script: makes the document report itself hidden (or shown) and says so, as a tab switch does. */
const SET_HIDDEN = (hidden: boolean) =>
  `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} }); document.dispatchEvent(new Event('visibilitychange'));`;

/** Page script: the elements outside a scrolling table region that stick out of the viewport. */
const WIDER_THAN_VIEWPORT = `[...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-scroll'))
  .map((e) => e.tagName.toLowerCase() + '.' + e.className + ' "' + (e.textContent || '').slice(0, 40) + '"')`;

/** Every write action's visible name (the issue's list). */
const WRITE_BUTTONS = ['Retry', 'Cancel', 'Send to DLQ', 'Delete', 'Replay', 'Pause', 'Resume', 'Trigger', 'Create schedule'];

describe('operator dashboard in Chromium', () => {
  let cloud: LocalCloud;
  let browser: TestBrowser;
  let page: Page;
  let http: ReturnType<typeof httpClient>;
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    [cloud, browser] = await Promise.all([
      startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_CANCEL_POLL_MS: '100' } }),
      launchChromium(),
    ]);
    http = httpClient(cloud.apiUrl);
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    if (screenshotDir) await mkdir(screenshotDir, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });
  afterEach(() => {
    // A script error in the page fails the test that caused it.
    expect(pageErrors.splice(0)).toEqual([]);
  });

  const submit = async (body: Json): Promise<Json> => {
    const res = await http.post('/jobs', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const open = async (path: string) => {
    await page.goto(`${cloud.apiUrl}${path}`);
  };
  const shoot = async (name: string) => {
    if (screenshotDir) await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  };
  const confirmIn = (label: string) => page.getByRole('dialog').getByRole('button', { name: label, exact: true });

  it('serves the dashboard under /ui/ on the API port, with its own CSP, and every view path loads the app', async () => {
    for (const path of ['/ui/', '/ui/jobs', '/ui/jobs/01ABC', '/ui/dlq', '/ui/schedules', '/ui/flows/f1']) {
      const res = await fetch(`${cloud.apiUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await res.text()).toContain('<script type="module" src="/ui/app.js');
    }
    const js = await fetch(`${cloud.apiUrl}/ui/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const redirect = await fetch(`${cloud.apiUrl}/ui`, { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe('/ui/');
    // The API itself is untouched next to it.
    expect((await http.get('/healthz')).status).toBe(200);
  });

  it('shows the overview: queues per priority, jobs per status and the per-minute charts', async () => {
    const job = await submit({ type: 'demo.echo', payload: { overview: true } });
    await http.waitFor(job.id, ['SUCCEEDED']);
    await open('/ui/');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const queues = page.getByRole('table').first();
    for (const priority of ['critical', 'high', 'normal', 'low']) await queues.getByRole('link', { name: priority }).waitFor();
    await page.getByRole('img', { name: /Throughput per minute, last hour: succeeded [1-9]/ }).waitFor();
    await page.getByRole('img', { name: /Failures per minute/ }).waitFor();
    const succeeded = page.getByRole('list', { name: 'Jobs per status' }).getByRole('link', { name: /SUCCEEDED/ });
    await expect.poll(async () => Number((await succeeded.innerText()).split('\n')[0]?.replace(/\D/g, ''))).toBeGreaterThanOrEqual(1);
    await shoot('overview');
  });

  it('lists jobs submitted through the API, newest first, with filters kept in the URL', async () => {
    const first = await submit({ type: 'demo.echo', payload: { n: 1 }, priority: 'high' });
    const second = await submit({ type: 'demo.echo', payload: { n: 2 }, priority: 'high' });
    await http.waitFor(second.id, ['SUCCEEDED']);
    await open('/ui/jobs');
    const rows = page.locator('table.jobs tbody tr');
    await page.getByRole('link', { name: second.id }).waitFor();
    await page.getByRole('link', { name: first.id }).waitFor();
    const ids = await rows.locator('td:first-child').allInnerTexts();
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));

    await page.getByLabel('Priority').selectOption('high');
    await page.waitForURL(/priority=high/);
    await page.getByLabel('Status').selectOption('SUCCEEDED');
    await page.waitForURL(/status=SUCCEEDED/);
    await page.getByRole('link', { name: second.id }).waitFor();
    expect(await page.locator('table.jobs tbody tr td:nth-child(4)').allInnerTexts()).toEqual(expect.arrayContaining(['high']));
    expect(new Set(await page.locator('table.jobs tbody tr td:nth-child(4)').allInnerTexts())).toEqual(new Set(['high']));
    await shoot('jobs');

    // The URL alone restores the filters (a link can be shared).
    await page.reload();
    expect(await page.getByLabel('Status').inputValue()).toBe('SUCCEEDED');
    expect(await page.getByLabel('Priority').inputValue()).toBe('high');

    // Jump to an id.
    await page.getByLabel('Job id').fill(first.id);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL(`**/ui/jobs/${first.id}`);
    await page.getByRole('heading', { name: /demo\.echo/ }).waitFor();
    expect(await page.getByLabel('Payload').innerText()).toContain('"n": 1');
  });

  it('pages through jobs with a cursor', async () => {
    const res = await http.post('/jobs/batch', { jobs: Array.from({ length: 60 }, (_, n) => ({ type: 'demo.echo', payload: { n }, priority: 'low', delayMs: 600_000 })) });
    expect(res.status).toBe(200);
    await open('/ui/jobs?priority=low&status=SCHEDULED');
    await page.locator('table.jobs tbody tr').nth(49).waitFor();
    const firstPage = await page.locator('table.jobs tbody td:first-child').allInnerTexts();
    expect(firstPage).toHaveLength(50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await expect.poll(async () => (await page.locator('table.jobs tbody td:first-child').allInnerTexts()).length).toBe(10);
    const secondPage = await page.locator('table.jobs tbody td:first-child').allInnerTexts();
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(async () => (await page.locator('table.jobs tbody td:first-child').allInnerTexts())[0]).toBe(firstPage[0]);
  });

  it('cancels a job and retries the CANCELLED job from its page, with the keyboard only, until it SUCCEEDED', async () => {
    const job = await submit({ type: 'demo.echo', payload: { retried: true }, delayMs: 600_000 });
    await open(`/ui/jobs/${job.id}`);
    await page.getByText('SCHEDULED', { exact: true }).first().waitFor();
    expect(job.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.getByTestId('trace-id').innerText()).toBe(job.traceId);
    const actions = page.getByRole('group', { name: 'Actions' });
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Cancel', 'Send to DLQ', 'Delete']);

    // Keyboard: focus the Cancel button, open its confirmation with Enter, confirm with Tab-less Enter on the action.
    await actions.getByRole('button', { name: 'Cancel', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await confirmIn('Cancel').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await http.get(`/jobs/${job.id}`)).body.status).toBe('CANCELLED');
    await actions.getByRole('button', { name: 'Retry', exact: true }).waitFor();
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Retry', 'Delete']);

    await actions.getByRole('button', { name: 'Retry', exact: true }).focus();
    await page.keyboard.press('Enter');
    // Esc closes the dialog without acting; the job stays CANCELLED.
    await page.keyboard.press('Escape');
    expect((await http.get(`/jobs/${job.id}`)).body.status).toBe('CANCELLED');
    await actions.getByRole('button', { name: 'Retry', exact: true }).focus();
    await page.keyboard.press('Enter');
    await confirmIn('Retry').focus();
    await page.keyboard.press('Enter');
    await page.locator('h1 .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 15_000 });
    expect((await http.get(`/jobs/${job.id}`)).body).toMatchObject({ status: 'SUCCEEDED', result: { retried: true } });
    await page.getByRole('list', { name: 'Attempt history' }).getByText('Attempt 1').waitFor();
    await shoot('job');
  });

  it('sends a job to the DLQ with a reason, then deletes it, from its page', async () => {
    const job = await submit({ type: 'demo.echo', delayMs: 600_000 });
    await open(`/ui/jobs/${job.id}`);
    const actions = page.getByRole('group', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Send to DLQ', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Reason (optional)').fill('bad input from the UI');
    await confirmIn('Send to DLQ').click();
    await page.locator('h1 .badge', { hasText: 'DEAD' }).waitFor();
    expect((await http.get(`/jobs/${job.id}`)).body).toMatchObject({ status: 'DEAD', deadReason: expect.stringContaining('bad input from the UI') });
    await page.getByText(/Dead because/).waitFor();

    await actions.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmIn('Delete').click();
    await page.waitForURL(/\/ui\/jobs$/);
    expect((await http.get(`/jobs/${job.id}`)).status).toBe(404);
  });

  it('shows a running job with a live progress bar, then its result', async () => {
    const job = await submit({ type: 'demo.progress', payload: { steps: 10, stepMs: 400 } });
    await open(`/ui/jobs/${job.id}`);
    const bar = page.locator('.progress progress');
    await bar.waitFor({ timeout: 10_000 });
    const seen = new Set<string>();
    await expect
      .poll(async () => {
        seen.add((await bar.getAttribute('value').catch(() => null)) ?? 'gone');
        return seen.size;
      }, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    await page.locator('h1 .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 15_000 });
  });

  it('groups dead letters by failure and replays a whole group, with progress', async () => {
    // Three failures that differ only in their variable parts: one group.
    const jobs = await Promise.all([41, 42, 43].map((n) => submit({ type: 'demo.fail', payload: { permanent: true, message: `card ${n}00${n} declined for order "o-${n}"` } })));
    const other = await submit({ type: 'demo.fail', payload: { permanent: true, message: 'a different failure' } });
    for (const job of [...jobs, other]) await http.waitFor(job.id, ['DEAD']);
    const fingerprint = (await http.get(`/jobs/${jobs[0]?.id}`)).body.fingerprint as string;
    expect(fingerprint).toMatch(/^[0-9a-f]{12,}$/);

    await open('/ui/dlq');
    const row = page.locator('table.groups tbody tr', { hasText: fingerprint });
    await row.waitFor();
    expect(await row.locator('td.num').innerText()).toBe('3');
    await shoot('dead-letters');
    await row.getByRole('button', { name: 'Replay', exact: true }).click();
    await confirmIn('Replay').click();
    await page.getByRole('status').filter({ hasText: /replayed 3 of 3\./ }).waitFor({ timeout: 15_000 });
    // Each job ran again (and died again: the failure is permanent): two attempts in its history.
    for (const job of jobs) {
      await expect.poll(async () => (await http.get(`/jobs/${job.id}`)).body.history.length, { timeout: 10_000 }).toBe(2);
    }
    expect((await http.get(`/jobs/${other.id}`)).body.history).toHaveLength(1);
  });

  it('replays selected dead jobs', async () => {
    const jobs = await Promise.all([1, 2].map((n) => submit({ type: 'demo.fail', payload: { permanent: true, message: `selected ${n}` } })));
    for (const job of jobs) await http.waitFor(job.id, ['DEAD']);
    await open('/ui/dlq?type=demo.fail');
    await page.getByRole('checkbox', { name: `Select ${jobs[0]?.id}` }).check();
    await page.getByRole('button', { name: 'Replay selected (1)' }).click();
    await confirmIn('Replay selected (1)').click();
    await page.getByRole('status').filter({ hasText: /Selected jobs: replayed 1 of 1\./ }).waitFor();
    await expect.poll(async () => (await http.get(`/jobs/${jobs[0]?.id}`)).body.history.length, { timeout: 10_000 }).toBe(2);
    expect((await http.get(`/jobs/${jobs[1]?.id}`)).body.history).toHaveLength(1);
  });

  it('creates a schedule from the form after previewing its firings, then pauses, resumes, triggers and deletes', async () => {
    await open('/ui/schedules');
    const form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Name').fill('nightly-ui');
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('Expression').fill('cron(0 25 * * ? *)');
    await form.getByText(/Invalid expression/).waitFor();
    expect(await form.getByRole('button', { name: 'Create schedule' }).isDisabled()).toBe(true);
    await form.getByLabel('Expression').fill('cron(30 2 * * ? *)');
    const preview = form.locator('#expression-check ol li');
    await expect.poll(() => preview.count()).toBe(5);
    expect(await preview.first().innerText()).toMatch(/2:30:00/);
    await form.getByRole('button', { name: 'Create schedule' }).click();

    const row = page.locator('table.schedules tbody tr', { hasText: 'nightly-ui' });
    await row.waitFor();
    expect(await row.locator('ol.firings li').count()).toBe(5);
    expect((await http.get('/schedules/nightly-ui')).body).toMatchObject({ expression: 'cron(30 2 * * ? *)', timezone: 'Europe/Berlin', enabled: true });
    await shoot('schedules');

    await row.getByRole('button', { name: 'Pause', exact: true }).click();
    await confirmIn('Pause').click();
    await row.getByText('paused', { exact: true }).first().waitFor();
    expect((await http.get('/schedules/nightly-ui')).body).toMatchObject({ enabled: false, nextRunAt: null });
    expect(await row.locator('ol.firings li').count()).toBe(0);

    await row.getByRole('button', { name: 'Resume', exact: true }).click();
    await confirmIn('Resume').click();
    await row.getByText('active', { exact: true }).waitFor();
    expect((await http.get('/schedules/nightly-ui')).body.enabled).toBe(true);

    await row.getByRole('button', { name: 'Trigger', exact: true }).click();
    await confirmIn('Trigger').click();
    await page.getByRole('status').filter({ hasText: /Trigger nightly-ui: job .+ created/ }).waitFor();
    const triggered = await http.get('/jobs?type=demo.echo&limit=5');
    expect(triggered.body.items.some((j: Json) => j.scheduleName === 'nightly-ui')).toBe(true);

    // Delete, on a second schedule (the read-only test below still lists the first).
    expect((await http.post('/schedules', { name: 'hourly-ui', expression: 'rate(2 hours)', timezone: 'UTC', job: { type: 'demo.echo' } })).status).toBe(201);
    const second = page.locator('table.schedules tbody tr', { hasText: 'hourly-ui' });
    await second.waitFor();
    await second.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmIn('Delete').click();
    await second.waitFor({ state: 'detached' });
    expect((await http.get('/schedules/hourly-ui')).status).toBe(404);
  });

  it('says so for a flow that does not exist', async () => {
    await open('/ui/flows/does-not-exist');
    await page.getByRole('heading', { name: 'Flow does-not-exist' }).waitFor();
    await page.getByRole('alert').filter({ hasText: /No flow with this id/ }).waitFor();
  });

  const createFlow = async (body: Json): Promise<Json> => {
    const res = await http.post('/flows', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  it("draws a real flow's jobs in stages with their statuses and dependencies, links to its jobs and back, and cancels it", async () => {
    const flow = await createFlow({
      jobs: [
        { ref: 'fetch', type: 'demo.sleep', payload: { ms: 60_000 } },
        { ref: 'resize', type: 'demo.echo', dependsOn: ['fetch'] },
        { ref: 'notify', type: 'demo.echo', dependsOn: ['fetch', 'resize'], onDependencyFailure: 'run' },
      ],
    });
    await http.waitFor(flow.jobs.fetch.id, ['RUNNING']);
    await open(`/ui/flows/${flow.id}`);
    await page.locator('h1 .badge', { hasText: 'RUNNING' }).waitFor();
    const stages = page.getByRole('list', { name: 'Stages' }).locator(':scope > li');
    await expect.poll(() => stages.count()).toBe(3);
    await expect.poll(() => stages.nth(0).innerText()).toMatch(/fetch\s+RUNNING/);
    expect(await stages.nth(1).innerText()).toMatch(/resize\s+BLOCKED[\s\S]*after fetch/);
    expect(await stages.nth(2).innerText()).toMatch(/notify\s+BLOCKED[\s\S]*after fetch, resize, even if they fail/);
    const rows = page.locator('table tbody tr');
    expect(await rows.allInnerTexts()).toHaveLength(3);
    expect(await rows.filter({ hasText: 'notify' }).locator('td').nth(2).innerText()).toBe('fetch, resize');
    expect(await rows.filter({ hasText: 'notify' }).locator('td').nth(3).innerText()).toBe('0 of 3');
    await shoot('flow');

    // From a job of the flow to its page, and back through the job's Flow link.
    await page.getByRole('link', { name: 'resize' }).first().click();
    await page.waitForURL(`**/ui/jobs/${flow.jobs.resize.id}`);
    await page.locator('h1 .badge', { hasText: 'BLOCKED' }).waitFor();
    await page.getByRole('link', { name: flow.jobs.fetch.id, exact: true }).waitFor(); // what it depends on
    await page.getByRole('link', { name: 'resize', exact: true }).click();
    await page.waitForURL(`**/ui/flows/${flow.id}`);

    const actions = page.getByRole('group', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Cancel', exact: true }).waitFor();
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Cancel']);
    await actions.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').waitFor();
    // Back leaves the flow as it was.
    await page.getByRole('dialog').getByRole('button', { name: 'Back' }).click();
    expect((await http.get(`/flows/${flow.id}`)).body.status).toBe('RUNNING');
    await actions.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Reason (optional)').fill('order withdrawn in the UI');
    await confirmIn('Cancel').click();
    await page.locator('h1 .badge', { hasText: 'CANCELLED' }).waitFor({ timeout: 10_000 });
    const after = (await http.get(`/flows/${flow.id}`)).body;
    expect(Object.values(after.jobs as Record<string, Json>).map((j) => j.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(after.jobs.resize.cancelReason).toContain('order withdrawn in the UI');
    await expect.poll(() => actions.getByRole('button').count()).toBe(0);
  });

  it('retries a FAILED flow from its page until every job SUCCEEDED', async () => {
    const flow = await createFlow({
      jobs: [
        { ref: 'charge', type: 'demo.echo', payload: { step: 'charge' }, delayMs: 600_000 },
        { ref: 'ship', type: 'demo.echo', dependsOn: ['charge'] },
      ],
    });
    expect((await http.post(`/jobs/${flow.jobs.charge.id}/dlq`, { reason: 'declined, from the test' })).status).toBe(200);
    await http.waitFor(flow.jobs.ship.id, ['CANCELLED']);
    await open(`/ui/flows/${flow.id}`);
    await page.locator('h1 .badge', { hasText: 'FAILED' }).waitFor();
    const actions = page.getByRole('group', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Retry', exact: true }).click();
    await confirmIn('Retry').click();
    await page.locator('h1 .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 15_000 });
    const stages = page.getByRole('list', { name: 'Stages' }).locator(':scope > li');
    await expect.poll(() => stages.nth(1).innerText()).toMatch(/ship\s+SUCCEEDED/);
    expect((await http.get(`/flows/${flow.id}`)).body.status).toBe('SUCCEEDED');
  });

  it('stops refreshing while the tab is hidden and refreshes about every 3 s while shown', async () => {
    await open('/ui/');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const calls: number[] = [];
    const onRequest = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === '/stats') calls.push(Date.now());
    };
    page.on('request', onRequest);
    try {
      // As a browser does when the tab goes to the background.
      await page.evaluate(SET_HIDDEN(true));
      const hiddenSince = Date.now();
      await page.waitForTimeout(4_000); // a window longer than one refresh period, to show that none happens
      expect(calls.filter((t) => t > hiddenSince + 100)).toEqual([]);
      await page.evaluate(SET_HIDDEN(false));
      await expect.poll(() => calls.length, { timeout: 8_000 }).toBeGreaterThanOrEqual(2);
      const gap = (calls[1] ?? 0) - (calls[0] ?? 0);
      expect(gap).toBeGreaterThan(2_000);
      expect(gap).toBeLessThan(5_000);
    } finally {
      page.off('request', onRequest);
    }
  });

  it('fits a phone screen: no page-wide sideways scrolling, tables scroll in their own region', async () => {
    const phone = await browser.context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      const flow = await createFlow({
        jobs: [
          { ref: 'a-rather-long-reference-for-the-first-job', type: 'demo.echo', delayMs: 600_000 },
          { ref: 'second', type: 'demo.echo', dependsOn: ['a-rather-long-reference-for-the-first-job'] },
          { ref: 'third', type: 'demo.echo', dependsOn: ['a-rather-long-reference-for-the-first-job', 'second'] },
        ],
      });
      for (const path of ['/ui/', '/ui/jobs', '/ui/dlq', '/ui/schedules', `/ui/flows/${flow.id}`]) {
        await phone.goto(`${cloud.apiUrl}${path}`);
        await phone.locator('main h1').waitFor();
        await phone.locator('table tbody tr').first().waitFor();
        const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        const wide = overflow > 0 ? await phone.evaluate<string[]>(WIDER_THAN_VIEWPORT) : [];
        expect(overflow, `${path}: ${wide.join(', ')}`).toBeLessThanOrEqual(0);
        if (path === '/ui/jobs' && screenshotDir) await phone.screenshot({ path: join(screenshotDir, 'jobs-phone.png') });
      }
    } finally {
      await phone.close();
    }
  });

  describe('skyforge ui (the signing proxy) in front of the local cloud', () => {
    let proxy: DashboardProxy;
    let readOnly: DashboardProxy;
    const signedCalls: { method: string; authorization: string | null }[] = [];

    beforeAll(async () => {
      // The proxy signs with SigV4 as it would for a deployed stack; the local cloud accepts the signed calls.
      const recordingFetch: typeof fetch = async (input, init) => {
        const headers = new Headers(init?.headers);
        signedCalls.push({ method: init?.method ?? 'GET', authorization: headers.get('authorization') });
        return fetch(input, init);
      };
      const connection = { baseUrl: cloud.apiUrl, source: '--url', sigv4: { region: 'us-east-1' } };
      const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
      [proxy, readOnly] = await Promise.all([
        startDashboardProxy({ connection, port: 0, readOnly: false, credentials, fetch: recordingFetch }),
        startDashboardProxy({ connection, port: 0, readOnly: true, credentials, fetch: recordingFetch }),
      ]);
    });
    afterAll(async () => {
      await proxy?.close();
      await readOnly?.close();
    });

    it('serves the dashboard and forwards its calls signed with SigV4; writes from the dashboard work', async () => {
      const job = await submit({ type: 'demo.echo', payload: { viaProxy: true }, delayMs: 600_000 });
      await page.goto(`${proxy.url}jobs/${job.id}`);
      await page.getByRole('heading', { name: /demo\.echo/ }).waitFor();
      await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Cancel', exact: true }).click();
      await confirmIn('Cancel').click();
      await expect.poll(async () => (await http.get(`/jobs/${job.id}`)).body.status).toBe('CANCELLED');
      expect(signedCalls.length).toBeGreaterThan(0);
      for (const call of signedCalls) expect(call.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/execute-api\/aws4_request/);
      expect(signedCalls.some((c) => c.method === 'POST')).toBe(true);
    });

    it("the local cloud itself refuses a write that a page of another site sends it (no-cors POST), and serves its own", async () => {
      const job = await submit({ type: 'demo.echo', delayMs: 600_000 });
      // The proxy's page is another origin than the local cloud's API port.
      await page.goto(proxy.url);
      await page.locator('main h1').waitFor();
      await page.evaluate(`fetch(${JSON.stringify(`${cloud.apiUrl}/jobs/${job.id}/cancel`)}, { method: 'POST', mode: 'no-cors' }).catch(() => undefined)`);
      const direct = await fetch(`${cloud.apiUrl}/jobs/${job.id}/cancel`, { method: 'POST', headers: { origin: 'https://evil.example' } });
      expect(direct.status).toBe(403);
      expect(await direct.json()).toMatchObject({ code: 'FORBIDDEN' });
      expect((await http.get(`/jobs/${job.id}`)).body.status).toBe('SCHEDULED');
      // Same origin (the dashboard on the API port) and clients that send no Origin (curl, SDKs) still write.
      const own = await fetch(`${cloud.apiUrl}/jobs/${job.id}/cancel`, { method: 'POST', headers: { origin: cloud.apiUrl, 'content-type': 'application/json' }, body: '{}' });
      expect(own.status).toBe(200);
    });

    it('refuses writes from another origin, from scripts without one, and from another Host', async () => {
      const job = await submit({ type: 'demo.echo', delayMs: 600_000 });
      const path = `${proxy.url.replace(/\/ui\/$/, '')}/jobs/${job.id}/cancel`;
      const post = (headers: Record<string, string>) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
      expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
      expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect((await post({})).status).toBe(403);
      expect((await post({ host: 'attacker.example' })).status).toBe(403);
      expect((await http.get(`/jobs/${job.id}`)).body.status).toBe('SCHEDULED');
      const allowed = await post({ origin: `http://127.0.0.1:${proxy.port}` });
      expect(allowed.status).toBe(200);
      expect((await http.get(`/jobs/${job.id}`)).body.status).toBe('CANCELLED');
    });

    it('read-only: shows no write button on any view, and refuses a POST with 403', async () => {
      const dead = await submit({ type: 'demo.fail', payload: { permanent: true, message: 'read-only check' } });
      await http.waitFor(dead.id, ['DEAD']);
      const flow = await createFlow({ jobs: [{ ref: 'later', type: 'demo.echo', delayMs: 600_000 }, { ref: 'after', type: 'demo.echo', dependsOn: ['later'] }] });
      for (const path of ['', 'jobs', `jobs/${dead.id}`, 'dlq', 'schedules', `flows/${flow.id}`]) {
        await page.goto(`${readOnly.url}${path}`);
        await page.locator('main h1').waitFor();
        await page.getByText('read-only', { exact: true }).waitFor();
        if (path === 'dlq') await page.locator('table.groups tbody tr').first().waitFor();
        if (path === 'schedules') await page.locator('table.schedules tbody tr', { hasText: 'nightly-ui' }).waitFor();
        if (path.startsWith('jobs/')) await page.getByText('read-only check').first().waitFor();
        if (path.startsWith('flows/')) await page.getByRole('list', { name: 'Stages' }).getByText('BLOCKED').waitFor();
        const names = await page.getByRole('button').allInnerTexts();
        for (const name of WRITE_BUTTONS) expect(names.filter((n) => n.startsWith(name)), `${path}: ${names.join(', ')}`).toEqual([]);
        expect(await page.getByRole('checkbox').count()).toBe(0);
      }
      if (screenshotDir) await page.screenshot({ path: join(screenshotDir, 'read-only.png') });
      // Even the dashboard's own origin cannot write through it.
      const status = await page.evaluate(async (id) => (await fetch(`/jobs/${id}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, dead.id);
      expect(status).toBe(403);
      const direct = await fetch(`http://127.0.0.1:${readOnly.port}/dlq/replay`, { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${readOnly.port}` }, body: '{}' });
      expect(direct.status).toBe(403);
      expect(await direct.json()).toMatchObject({ code: 'FORBIDDEN' });
      expect((await http.get(`/jobs/${dead.id}`)).body.status).toBe('DEAD');
      // Reads still go through.
      expect((await fetch(`http://127.0.0.1:${readOnly.port}/stats`)).status).toBe(200);
    });
  });
});
