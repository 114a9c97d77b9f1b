import type { Context, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.ts';
import { createDeadLetterApp } from '../../functions/dead-letter/app.ts';
import { createWorkerApp } from '../../functions/worker/app.ts';
import type { Priority } from '../../shared/config/definitions.ts';
import { encodeFiringMessageTemplate } from '../../shared/domain/queue-message.ts';
import { jobIdForFiring } from '../../shared/use-cases/body-hash.ts';
import { apiEvent } from '../support/api-event.ts';
import { createHarness, queueArn, TEST_QUEUE_URLS, type Harness } from '../support/harness.ts';
import type { Json } from '../support/http-client.ts';
import { schedulePageSchema, scheduleViewSchema } from '../../shared/http/response-schemas.ts';

/** Recurring schedules and scheduler-held jobs: API, worker firings, dead firings. */

const SCHEDULE_DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:t-schedule-dlq';
let counter = 0;
function sqsRecord(body: string, arn: string): SQSRecord {
  counter += 1;
  return {
    messageId: `s-${counter}`,
    receiptHandle: `rh-s-${counter}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 't', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'us-east-1',
  };
}
/** What EventBridge Scheduler sends for one firing: the template with its time filled in. */
function firing(name: string, at: string, priority: Priority = 'normal'): SQSRecord {
  return sqsRecord(encodeFiringMessageTemplate(name).replace('<aws.scheduler.scheduled-time>', at), queueArn(priority));
}

describe('schedules', () => {
  let h: Harness;
  let api: ReturnType<typeof createApiApp>;
  let worker: ReturnType<typeof createWorkerApp>;
  let deadLetters: ReturnType<typeof createDeadLetterApp>;

  beforeAll(async () => {
    h = await createHarness();
    api = createApiApp(h.deps);
    worker = createWorkerApp(h.deps, { queueUrls: TEST_QUEUE_URLS });
    deadLetters = createDeadLetterApp(h.deps, { deadLetterQueueUrls: TEST_QUEUE_URLS, scheduleDeadLetterArn: SCHEDULE_DLQ_ARN });
  });
  afterAll(async () => h.stop());
  beforeEach(() => {
    h.queue.sent.length = 0;
  });

  async function call(method: string, path: string, body?: unknown) {
    const result = await api(apiEvent(method, path, body === undefined ? {} : { body }));
    return { status: result.statusCode ?? 200, body: (result.body ? JSON.parse(result.body) : {}) as Json };
  }
  const nightly = (name: string, extra: Json = {}) => ({
    name,
    expression: 'cron(0 2 * * ? *)',
    timezone: 'Europe/Berlin',
    job: { type: 'demo.echo', payload: { report: 'nightly' }, priority: 'low' },
    ...extra,
  });

  describe('API', () => {
    it('creates a schedule with its next run, mirrored in EventBridge Scheduler', async () => {
      const res = await call('POST', '/schedules', nightly('nightly-report'));
      expect(res.status).toBe(201);
      scheduleViewSchema.parse(res.body);
      expect(res.body).toMatchObject({
        name: 'nightly-report',
        expression: 'cron(0 2 * * ? *)',
        timezone: 'Europe/Berlin',
        enabled: true,
        job: { type: 'demo.echo', priority: 'low' },
      });
      // 02:00 in Berlin is 01:00Z in winter
      expect(res.body.nextRunAt).toMatch(/T01:00:00\.000Z$/);
      expect(Date.parse(res.body.nextRunAt) - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
      expect(h.scheduler.recurring.get('nightly-report')).toMatchObject({
        expression: 'cron(0 2 * * ? *)',
        timezone: 'Europe/Berlin',
        enabled: true,
        priority: 'low',
      });
    });

    it('refuses a taken name with 409 CONFLICT', async () => {
      await call('POST', '/schedules', nightly('taken'));
      const again = await call('POST', '/schedules', nightly('taken'));
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('CONFLICT');
    });

    it.each([
      ['a 5-field cron', { expression: 'cron(0 2 * * *)' }, 'expression'],
      ['both day fields set', { expression: 'cron(0 2 1 * MON *)' }, 'expression'],
      ['rate with a bad unit', { expression: 'rate(5 minute)' }, 'expression'],
      ['a one-time at()', { expression: 'at(2027-01-01T00:00:00)' }, 'expression'],
      ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
      ['an unknown job type', { job: { type: 'nope' } }, null],
      ['a bad payload', { job: { type: 'demo.sleep', payload: { ms: 'x' } } }, 'job.payload.ms'],
      ['a bad name', { name: 'has space' }, 'name'],
      ['an end before the start', { startDate: '2027-02-01T00:00:00Z', endDate: '2027-01-01T00:00:00Z' }, 'endDate'],
    ])('answers 400 for %s, and creates nothing', async (_what, change, field) => {
      const res = await call('POST', '/schedules', { ...nightly(`bad-${counter++}`), ...change });
      expect(res.status).toBe(400);
      expect(['VALIDATION_ERROR', 'UNKNOWN_JOB_TYPE']).toContain(res.body.code);
      if (field) expect(res.body.details.field).toBe(field);
      expect([...h.scheduler.recurring.keys()].filter((k) => k.startsWith('bad-'))).toEqual([]);
    });

    it('gets, lists, replaces, pauses, resumes and deletes', async () => {
      await call('POST', '/schedules', nightly('ops-a'));
      await call('POST', '/schedules', { ...nightly('ops-b'), expression: 'rate(5 minutes)' });
      expect((await call('GET', '/schedules/ops-a')).body.name).toBe('ops-a');
      const page1 = await call('GET', '/schedules?limit=1');
      expect(page1.body.items).toHaveLength(1);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const all = await call('GET', '/schedules?limit=200');
      schedulePageSchema.parse(all.body);
      expect(all.body.items.map((s: Json) => s.name)).toEqual(expect.arrayContaining(['ops-a', 'ops-b']));
      expect(all.body.items.map((s: Json) => s.name)).toEqual([...all.body.items.map((s: Json) => s.name)].sort());

      const replaced = await call('PUT', '/schedules/ops-a', { ...nightly('ops-a'), expression: 'cron(30 6 ? * MON-FRI *)', timezone: 'UTC' });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ expression: 'cron(30 6 ? * MON-FRI *)', timezone: 'UTC' });
      expect(replaced.body.nextRunAt).toMatch(/T06:30:00\.000Z$/);
      expect((await call('PUT', '/schedules/ops-a', { ...nightly('other-name') })).status).toBe(400);

      const paused = await call('POST', '/schedules/ops-a/pause');
      expect(paused.body).toMatchObject({ enabled: false, nextRunAt: null });
      expect(h.scheduler.recurring.get('ops-a')?.enabled).toBe(false);
      const resumed = await call('POST', '/schedules/ops-a/resume');
      expect(resumed.body.enabled).toBe(true);
      expect(resumed.body.nextRunAt).not.toBeNull();

      expect((await call('DELETE', '/schedules/ops-a')).status).toBe(204);
      expect((await call('GET', '/schedules/ops-a')).status).toBe(404);
      expect((await call('DELETE', '/schedules/ops-a')).status).toBe(404);
      expect(h.scheduler.removed).toContain('rec.ops-a');
      expect((await call('POST', '/schedules/nope/pause')).status).toBe(404);
    });

    it('does not keep a schedule whose EventBridge schedule could not be created', async () => {
      h.scheduler.failFor.add('flaky');
      const res = await call('POST', '/schedules', nightly('flaky'));
      expect(res.status).toBe(500);
      expect((await call('GET', '/schedules/flaky')).status).toBe(404);
    });

    it('trigger runs one firing now: 202 with the new job', async () => {
      await call('POST', '/schedules', nightly('trigger-me'));
      const res = await call('POST', '/schedules/trigger-me/trigger');
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: 'QUEUED', scheduleName: 'trigger-me', priority: 'low', payload: { report: 'nightly' } });
      // Run by hand through the API: the job continues the trigger request's trace.
      expect(h.queue.sent).toEqual([{ timeoutMs: 30_000, jobId: res.body.id, priority: 'low', delaySeconds: 0, traceparent: expect.stringMatching(new RegExp(`^00-${res.body.traceId}-[0-9a-f]{16}-01$`)) }]);
      const second = await call('POST', '/schedules/trigger-me/trigger');
      expect(second.body.id).not.toBe(res.body.id);
    });
  });

  describe('firings in the worker', () => {
    it('turns a firing into a job with scheduleName and runs it; a duplicate firing makes no second job', async () => {
      await call('POST', '/schedules', nightly('fire-1'));
      const at = '2026-11-24T01:00:00Z';
      const first = await worker({ Records: [firing('fire-1', at, 'low')] }, {} as Context);
      expect(first.batchItemFailures).toEqual([]);
      const id = jobIdForFiring('fire-1', new Date(at).toISOString());
      const job = (await call('GET', `/jobs/${id}`)).body;
      expect(job).toMatchObject({ status: 'SUCCEEDED', scheduleName: 'fire-1', attempts: 1, runAt: '2026-11-24T01:00:00.000Z', result: { report: 'nightly' } });
      const again = await worker({ Records: [firing('fire-1', at, 'low')] }, {} as Context);
      expect(again.batchItemFailures).toEqual([]);
      expect((await call('GET', `/jobs/${id}`)).body).toMatchObject({ attempts: 1, history: [expect.objectContaining({ outcome: 'SUCCEEDED' })] });
      const listed = await call('GET', '/jobs?type=demo.echo&limit=200');
      expect(listed.body.items.filter((j: Json) => j.scheduleName === 'fire-1')).toHaveLength(1);
    });

    it('ignores firings of paused or deleted schedules', async () => {
      await call('POST', '/schedules', nightly('paused-1'));
      await call('POST', '/schedules/paused-1/pause');
      await worker({ Records: [firing('paused-1', '2026-11-24T01:00:00Z')] }, {} as Context);
      expect((await call('GET', `/jobs/${jobIdForFiring('paused-1', '2026-11-24T01:00:00.000Z')}`)).status).toBe(404);
      await worker({ Records: [firing('never-existed', '2026-11-24T01:00:00Z')] }, {} as Context);
      expect((await call('GET', `/jobs/${jobIdForFiring('never-existed', '2026-11-24T01:00:00.000Z')}`)).status).toBe(404);
    });

    it('records a firing Scheduler could not deliver as a DEAD job, replayable', async () => {
      await call('POST', '/schedules', nightly('undelivered'));
      const record = sqsRecord(
        encodeFiringMessageTemplate('undelivered').replace('<aws.scheduler.scheduled-time>', '2026-11-25T01:00:00Z'),
        SCHEDULE_DLQ_ARN,
      );
      expect((await deadLetters({ Records: [record] }, {} as Context)).batchItemFailures).toEqual([]);
      const id = jobIdForFiring('undelivered', '2026-11-25T01:00:00.000Z');
      const dead = (await call('GET', `/dlq/${id}`)).body;
      expect(dead).toMatchObject({ status: 'DEAD', scheduleName: 'undelivered' });
      expect(dead.deadReason).toMatch(/could not deliver/);
      expect((await call('POST', `/dlq/${id}/replay`)).body.status).toBe('QUEUED');
    });
  });

  describe('scheduler-held jobs', () => {
    it('sends a backoff longer than 15 minutes through a one-time schedule', async () => {
      const created = await call('POST', '/jobs', { type: 'demo.fail', payload: { failTimes: 1 }, backoff: { type: 'fixed', delayMs: 3_600_000, maxDelayMs: 3_600_000 } });
      const id = created.body.id as string;
      h.queue.sent.length = 0;
      await worker({ Records: [sqsRecord(JSON.stringify({ v: 1, id }), queueArn('normal'))] }, {} as Context);
      const job = (await call('GET', `/jobs/${id}`)).body;
      expect(job.status).toBe('RETRYING');
      expect(h.queue.sent).toEqual([]);
      const scheduled = h.scheduler.oneTime.get(`job.${id}.1`);
      expect(scheduled?.jobId).toBe(id);
      expect(scheduled?.dueAt).toBe(Date.parse(job.nextRunAt));
      // its message arrives when due: the worker claims it (here: we pretend the hour passed)
      const early = await worker({ Records: [sqsRecord(JSON.stringify({ v: 1, id }), queueArn('normal'))] }, {} as Context);
      expect(early.batchItemFailures).toHaveLength(1);
      expect((await call('GET', `/jobs/${id}`)).body.status).toBe('RETRYING');
    });

    it('marks a scheduler-held job DEAD when the schedule DLQ gets its message', async () => {
      const created = await call('POST', '/jobs', { type: 'demo.echo', delayMs: 7_200_000 });
      const id = created.body.id as string;
      const record = sqsRecord(JSON.stringify({ v: 1, id }), SCHEDULE_DLQ_ARN);
      await deadLetters({ Records: [record] }, {} as Context);
      const dead = (await call('GET', `/dlq/${id}`)).body;
      expect(dead.deadReason).toMatch(/Scheduler could not deliver/);
    });
  });
});
