import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { encodeFiringMessageTemplate } from '../../shared/domain/queue-message.ts';
import { httpClient, type Json } from '../support/http-client.ts';

/**
 * Delayed and recurring jobs in the local cloud, end to end: the API, the Scheduler emulator on
 * the edge port, the SQS emulator, the worker. The scheduler's clock is the real one plus an
 * offset the test moves, so "a minute later" takes no real minute; the jobs themselves run in
 * real time.
 */
describe('schedules end to end', () => {
  let cloud: LocalCloud;
  let http: ReturnType<typeof httpClient>;
  let scheduler: SchedulerClient;
  let sqs: SQSClient;
  let offsetMs = 0;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, schedulerNow: () => Date.now() + offsetMs });
    http = httpClient(cloud.apiUrl);
    const common = { endpoint: cloud.edgeUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    scheduler = new SchedulerClient(common);
    sqs = new SQSClient(common);
  });
  afterAll(async () => {
    scheduler?.destroy();
    sqs?.destroy();
    await cloud?.stop();
  });

  /** Moves the scheduler's clock and fires whatever became due. */
  async function advance(ms: number): Promise<void> {
    offsetMs += ms;
    await cloud.scheduler.runDue();
  }
  async function jobsOf(scheduleName: string): Promise<Json[]> {
    const res = await http.get('/jobs?type=demo.echo&limit=200');
    return res.body.items.filter((j: Json) => j.scheduleName === scheduleName);
  }
  async function waitForJobs(scheduleName: string, count: number): Promise<Json[]> {
    return vi.waitFor(
      async () => {
        const jobs = await jobsOf(scheduleName);
        if (jobs.length < count) throw new Error(`${jobs.length} of ${count} jobs of ${scheduleName}`);
        return jobs;
      },
      { timeout: 5_000, interval: 50 },
    );
  }
  /**
   * Waits until no queue holds a message: every firing sent so far (advance() returns once the
   * Scheduler has sent them) has been taken by the worker and made its job, or was dropped.
   */
  async function queuesDrained(): Promise<void> {
    await expect
      .poll(
        async () => {
          const { queues } = (await http.get('/stats')).body as { queues: Record<string, { ready: number; inFlight: number; delayed: number }> };
          return Object.values(queues).reduce((n, q) => n + q.ready + q.inFlight + q.delayed, 0);
        },
        { timeout: 5_000, interval: 50 },
      )
      .toBe(0);
  }

  it('runs a job with delayMs of 2 s after about 2 s', async () => {
    const job = (await http.post('/jobs', { type: 'demo.echo', delayMs: 2_000 })).body;
    expect(job.status).toBe('SCHEDULED');
    const done = await http.waitFor(job.id, ['SUCCEEDED'], 8_000);
    const waited = Date.parse(done.startedAt) - Date.parse(done.createdAt);
    expect(waited).toBeGreaterThanOrEqual(2_000);
    expect(waited).toBeLessThan(4_000);
  });

  it('holds a job delayed 2 hours in a one-time schedule, and cancel removes it', async () => {
    const job = (await http.post('/jobs', { type: 'demo.echo', delayMs: 2 * 3600_000 })).body;
    expect(job.status).toBe('SCHEDULED');
    const name = `job.${job.id}.0`;
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: cloud.resources.scheduleGroupName }));
    // at() takes whole seconds: rounded up, so the job never fires early
    const dueSecond = new Date(Math.ceil(Date.parse(job.runAt) / 1000) * 1000).toISOString().slice(0, 19);
    expect(schedule.ScheduleExpression).toBe(`at(${dueSecond})`);
    expect(schedule.ActionAfterCompletion).toBe('DELETE');
    expect(schedule.Target?.Arn).toBe(cloud.resources.queueArns.normal);
    expect(JSON.parse(schedule.Target?.Input ?? '{}')).toEqual({ v: 1, id: job.id, t: job.timeoutMs });

    expect((await http.post(`/jobs/${job.id}/cancel`)).body.status).toBe('CANCELLED');
    await expect(scheduler.send(new GetScheduleCommand({ Name: name, GroupName: cloud.resources.scheduleGroupName }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('fires a rate(1 minute) schedule once per minute, each firing its own job; pause stops it', async () => {
    const created = await http.post('/schedules', {
      name: 'every-minute',
      expression: 'rate(1 minute)',
      job: { type: 'demo.echo', payload: { tick: true } },
    });
    expect(created.status).toBe(201);
    // Scheduler starts a rate schedule at once, then every minute.
    const first = await waitForJobs('every-minute', 1);
    expect(first).toHaveLength(1);
    await advance(60_000);
    const second = await waitForJobs('every-minute', 2);
    expect(second).toHaveLength(2);
    for (const job of second) expect((await http.waitFor(job.id, ['SUCCEEDED'])).result).toEqual({ tick: true });
    expect(new Set(second.map((j) => j.runAt)).size).toBe(2);

    expect((await http.post('/schedules/every-minute/pause')).body).toMatchObject({ enabled: false, nextRunAt: null });
    await advance(60_000);
    await advance(60_000);
    await queuesDrained();
    expect(await jobsOf('every-minute')).toHaveLength(2);

    const resumed = await http.post('/schedules/every-minute/resume');
    expect(resumed.body.enabled).toBe(true);
    await advance(60_000);
    expect(await waitForJobs('every-minute', 3)).toHaveLength(3);
  });

  it('trigger makes a job at once', async () => {
    await http.post('/schedules', { name: 'on-demand', expression: 'cron(0 3 1 1 ? *)', job: { type: 'demo.echo', payload: 'now' } });
    const triggered = await http.post('/schedules/on-demand/trigger');
    expect(triggered.status).toBe(202);
    expect(triggered.body.scheduleName).toBe('on-demand');
    const done = await http.waitFor(triggered.body.id, ['SUCCEEDED']);
    expect(done.result).toBe('now');
  });

  it('a firing delivered twice makes one job', async () => {
    await http.post('/schedules', { name: 'twice', expression: 'cron(0 4 1 1 ? *)', job: { type: 'demo.echo', payload: 2 } });
    const body = encodeFiringMessageTemplate('twice').replace('<aws.scheduler.scheduled-time>', '2027-01-01T04:00:00Z');
    await sqs.send(new SendMessageCommand({ QueueUrl: cloud.resources.queueUrls.normal, MessageBody: body }));
    const jobs = await waitForJobs('twice', 1);
    const done = await http.waitFor(jobs[0]!.id, ['SUCCEEDED']);
    // The duplicate comes once the first delivery's job has ended. Sent together, the two can be
    // taken by two pollers at once; the later one then finds the job RUNNING and is hidden until
    // the lease ends (claim-job.ts, as on AWS), which would keep the queue from draining here.
    await sqs.send(new SendMessageCommand({ QueueUrl: cloud.resources.queueUrls.normal, MessageBody: body }));
    // Both deliveries have been taken and handled: whatever jobs they make exist now.
    await queuesDrained();
    const after = await jobsOf('twice');
    expect(after).toHaveLength(1);
    expect(done).toMatchObject({ attempts: 1, runAt: '2027-01-01T04:00:00.000Z' });
    expect(await http.get(`/jobs/${jobs[0]!.id}`)).toMatchObject({ body: { status: 'SUCCEEDED', attempts: 1 } });
  });

  it('answers nextRunAt for a cron in a time zone', async () => {
    const res = await http.post('/schedules', {
      name: 'berlin-nightly',
      expression: 'cron(0 2 * * ? *)',
      timezone: 'Europe/Berlin',
      job: { type: 'demo.echo' },
    });
    expect(res.status).toBe(201);
    const next = new Date(res.body.nextRunAt);
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next);
    expect(berlin).toBe('02:00');
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(25 * 3600_000);
    const listed = await http.get('/schedules');
    expect(listed.body.items.map((s: Json) => s.name)).toEqual(expect.arrayContaining(['berlin-nightly', 'every-minute']));
  });
});
