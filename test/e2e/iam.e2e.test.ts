import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../local/cloud.ts';
import { withoutGrant, type FunctionPolicy } from '../../local/iam/policy.ts';
import { recurringScheduleName } from '../../shared/domain/schedule-names.ts';
import { freePort } from '../support/cloud-process.ts';
import { httpClient, type Json } from '../support/http-client.ts';

/**
 * The local cloud plays IAM with the policies `cdk synth` gives each function. For three grants
 * the path that needs it is run twice: with the stack's policies (it works), and with that one
 * grant taken out of the synthesized policy (it fails with AccessDeniedException, as on a first
 * deploy to AWS with the grant missing).
 *
 * One process loads the handlers once, for one edge URL: every cloud of this file runs on the
 * same two ports, one after the other.
 */

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/skyforge-jobs';
const NORMAL_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:skyforge-normal';

const ports = Promise.all([freePort(), freePort()]);
let offsetMs = 0;
let cloud: LocalCloud | undefined;

async function start(iamPolicies?: (functions: readonly FunctionPolicy[]) => readonly FunctionPolicy[]): Promise<LocalCloud> {
  const [port, edgePort] = await ports;
  const options: LocalCloudOptions = {
    port,
    edgePort,
    memory: true,
    quiet: true,
    schedulerNow: () => Date.now() + offsetMs,
    ...(iamPolicies ? { iamPolicies } : {}),
  };
  cloud = await startLocalCloud(options);
  return cloud;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await cloud?.stop();
  cloud = undefined;
});

/** Polls until `find` returns something (no fixed sleeps). */
async function eventually<T>(find: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What the functions log from now on (Powertools' JSON lines: info to stdout, warnings and errors to stderr). */
function captureFunctionLogs(): () => Json[] {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  return () =>
    lines.flatMap((line) =>
      line
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Json),
    );
}

describe('each function signs as itself and is held to its own policy', () => {
  it('checks the calls of all four functions and denies none on the normal paths', async () => {
    const local = await start();
    const http = httpClient(local.apiUrl);

    const job = (await http.post('/jobs', { type: 'demo.echo', payload: { hello: 'iam' } })).body;
    expect((await http.waitFor(job.id, ['SUCCEEDED'])).result).toEqual({ hello: 'iam' });
    expect((await http.get('/stats')).status).toBe(200);
    expect((await fetch(`${local.apiUrl}/metrics`)).status).toBe(200);

    const checked = local.iam?.checked() ?? {};
    for (const name of ['skyforge-api', 'skyforge-worker', 'skyforge-metrics', 'skyforge-dead-letter']) {
      expect(checked[name], name).toBeGreaterThan(0);
    }
    expect(local.iam?.denials()).toEqual([]);
  });
});

describe('worker dynamodb:UpdateItem on the table', () => {
  it('without it, the worker cannot claim a job: AccessDeniedException, and the job stays QUEUED', async () => {
    const local = await start((functions) => withoutGrant(functions, 'skyforge-worker', 'dynamodb:UpdateItem', TABLE_ARN));
    const logs = captureFunctionLogs();
    const http = httpClient(local.apiUrl);

    const job = (await http.post('/jobs', { type: 'demo.echo', payload: 1 })).body;
    const denial = await eventually(
      () => local.iam?.denials().find((d) => d.functionName === 'skyforge-worker'),
      "the worker's denied claim",
    );
    expect(denial).toMatchObject({ action: 'dynamodb:UpdateItem', resource: TABLE_ARN, explicit: false });
    expect(denial.principalArn).toMatch(/^arn:aws:sts::000000000000:assumed-role\/.+\/skyforge-worker$/);
    const failure = await eventually(() => logs().find((l) => l.message === 'message failed; it will be delivered again'), 'the worker log line');
    expect(failure.jobId).toBe(job.id);
    expect(failure.error).toMatch(
      /^AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role\/.+\/skyforge-worker is not authorized to perform: dynamodb:UpdateItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/skyforge-jobs because no identity-based policy allows the dynamodb:UpdateItem action$/,
    );
    expect((await http.get(`/jobs/${job.id}`)).body).toMatchObject({ status: 'QUEUED', attempts: 0 });
  });

  it('with it, the same job runs', async () => {
    const local = await start();
    const http = httpClient(local.apiUrl);

    const job = (await http.post('/jobs', { type: 'demo.echo', payload: 1 })).body;
    expect(await http.waitFor(job.id, ['SUCCEEDED'])).toMatchObject({ attempts: 1, result: 1 });
    expect(local.iam?.denials()).toEqual([]);
  });
});

describe('api sqs:SendMessage on the queues', () => {
  it('without it, a submitted job cannot be queued: the API answers 500 and the job is DEAD with the AccessDeniedException', async () => {
    const local = await start((functions) => withoutGrant(functions, 'skyforge-api', 'sqs:SendMessage'));
    const http = httpClient(local.apiUrl);

    const res = await http.post('/jobs', { type: 'demo.echo', payload: 2 });
    expect(res.status).toBe(500);
    const jobId = res.body.details.jobId as string;
    const dead = (await http.get(`/jobs/${jobId}`)).body;
    expect(dead.status).toBe('DEAD');
    expect(dead.deadReason).toContain(
      `AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/`,
    );
    expect(dead.deadReason).toContain(`/skyforge-api is not authorized to perform: sqs:SendMessage on resource: ${NORMAL_QUEUE_ARN}`);
    expect(local.iam?.denials()).toMatchObject([{ functionName: 'skyforge-api', action: 'sqs:SendMessage', resource: NORMAL_QUEUE_ARN }]);
  });

  it('with it, the job is queued and runs', async () => {
    const local = await start();
    const http = httpClient(local.apiUrl);

    const res = await http.post('/jobs', { type: 'demo.echo', payload: 2 });
    expect(res.status).toBe(201);
    expect((await http.waitFor(res.body.id, ['SUCCEEDED'])).result).toBe(2);
  });
});

describe('dead-letter dynamodb:PutItem: a schedule firing Scheduler could not deliver', () => {
  /**
   * A recurring schedule whose target queue is gone (and outside the execution role's policy, so
   * the delivery is refused as that role): its next firing fails, Scheduler gives up (no retries
   * here) and puts the firing in the schedule DLQ, where the dead-letter function
   * records it as a new DEAD job (PutItem). The schedule is created through the API, then
   * pointed at a missing queue with the tests' own (unchecked) Scheduler client.
   */
  async function undeliverableFiring(local: LocalCloud, name: string): Promise<void> {
    const http = httpClient(local.apiUrl);
    const created = await http.post('/schedules', { name, expression: 'cron(0 3 1 1 ? *)', job: { type: 'demo.echo', payload: name } });
    expect(created.status).toBe(201);
    const scheduler = new SchedulerClient({
      endpoint: local.edgeUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const groupName = local.resources.scheduleGroupName;
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: recurringScheduleName(name), GroupName: groupName }));
      await scheduler.send(
        new UpdateScheduleCommand({
          Name: recurringScheduleName(name),
          GroupName: groupName,
          ScheduleExpression: 'rate(1 minute)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            ...schedule.Target,
            Arn: 'arn:aws:sqs:us-east-1:000000000000:skyforge-deleted-queue',
            RoleArn: schedule.Target?.RoleArn ?? '',
            RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
          },
        }),
      );
    } finally {
      scheduler.destroy();
    }
    // A rate schedule fires at once; then the next minute, in case the first was already taken.
    await local.scheduler.runDue();
    offsetMs += 61_000;
    await local.scheduler.runDue();
  }

  it('with it, the undelivered firing shows in /dlq as a DEAD job with the reason', async () => {
    const local = await start();
    const http = httpClient(local.apiUrl);

    await undeliverableFiring(local, 'lost-firing');
    const dead = await eventually(async () => {
      const items = (await http.get('/dlq')).body.items as Json[];
      return items.find((j) => j.scheduleName === 'lost-firing');
    }, 'the DEAD job of the firing');
    expect(dead.deadReason ?? (await http.get(`/dlq/${dead.id}`)).body.deadReason).toMatch(/EventBridge Scheduler could not deliver the firing/);
    // The only refusal: the execution role may not send to a queue outside the stack (as on AWS).
    expect(new Set(local.iam?.denials().map((d) => `${d.functionName} ${d.action} ${d.resource}`))).toEqual(
      new Set(['skyforge-scheduler sqs:SendMessage arn:aws:sqs:us-east-1:000000000000:skyforge-deleted-queue']),
    );
  });

  it('without it, the dead-letter function is refused PutItem and the firing is not recorded', async () => {
    const local = await start((functions) => withoutGrant(functions, 'skyforge-dead-letter', 'dynamodb:PutItem', TABLE_ARN));
    const logs = captureFunctionLogs();
    const http = httpClient(local.apiUrl);

    await undeliverableFiring(local, 'lost-again');
    const denial = await eventually(
      () => local.iam?.denials().find((d) => d.functionName === 'skyforge-dead-letter'),
      "the dead-letter function's denied PutItem",
    );
    expect(denial).toMatchObject({ action: 'dynamodb:PutItem', resource: TABLE_ARN });
    const failure = await eventually(() => logs().find((l) => l.message === 'dead letter failed; it will be delivered again'), 'the log line');
    expect(failure.schedule).toBe('lost-again');
    expect(failure.error).toMatch(/^AccessDeniedException: User: .+\/skyforge-dead-letter is not authorized to perform: dynamodb:PutItem on resource: /);
    const items = (await http.get('/dlq')).body.items as Json[];
    expect(items.filter((j) => j.scheduleName === 'lost-again')).toEqual([]);
  });
});

describe("the Scheduler's execution role: sqs:SendMessage on the queues", () => {
  const fired = async (local: LocalCloud, name: string): Promise<Json[]> =>
    ((await httpClient(local.apiUrl).get('/jobs?type=demo.echo&limit=100')).body.items as Json[]).filter((j) => j.scheduleName === name);

  it('without it, a firing is refused as the role (AccessDenied) and makes no job', async () => {
    const local = await start((functions) => withoutGrant(functions, 'skyforge-scheduler', 'sqs:SendMessage', NORMAL_QUEUE_ARN));
    const http = httpClient(local.apiUrl);

    expect((await http.post('/schedules', { name: 'refused', expression: 'rate(1 minute)', job: { type: 'demo.echo' } })).status).toBe(201);
    await local.scheduler.runDue();
    const denial = await eventually(() => local.iam?.denials().find((d) => d.functionName === 'skyforge-scheduler'), 'the refused delivery');

    expect(denial).toMatchObject({ action: 'sqs:SendMessage', resource: NORMAL_QUEUE_ARN });
    expect(denial.principalArn).toBe('arn:aws:sts::000000000000:assumed-role/skyforge-scheduler/skyforge-scheduler');
    expect(await fired(local, 'refused')).toEqual([]);
  });

  it('with it, the firing makes its job', async () => {
    const local = await start();
    const http = httpClient(local.apiUrl);

    expect((await http.post('/schedules', { name: 'delivered', expression: 'rate(1 minute)', job: { type: 'demo.echo' } })).status).toBe(201);
    await local.scheduler.runDue();
    const [job] = await eventually(async () => ((await fired(local, 'delivered')).length > 0 ? fired(local, 'delivered') : undefined), 'the job of the firing');

    expect(job).toBeDefined();
    expect(local.iam?.checked()['skyforge-scheduler']).toBeGreaterThan(0);
    expect(local.iam?.denials()).toEqual([]);
  });
});
