import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
  type ScheduleSummary,
} from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startEmulatedAws, type EmulatedAws } from '../../local/emulated-aws.ts';
import type { ScheduleDelivery, SchedulerEmulatorOptions } from '../../local/scheduler/emulator.ts';
import { startSchedulerServer, type SchedulerServer } from '../../local/scheduler/server.ts';
import { uniqueName } from '../support/dynamo.ts';

/**
 * The Scheduler emulator on the wire: every operation through `@aws-sdk/client-scheduler`, and
 * firings observed as SQS messages (through `@aws-sdk/client-sqs`) in the emulated AWS, or as
 * deliveries of a small standalone server whose clock, randomness and target we control.
 */

const ROLE = 'arn:aws:iam::000000000000:role/skyforge-scheduler';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const MINUTE = 60_000;

/** A clock tests move by hand. */
function virtualClock(iso: string): { now: () => number; set: (iso: string) => void; advance: (ms: number) => void } {
  let current = Date.parse(iso);
  return {
    now: () => current,
    set: (next) => {
      current = Date.parse(next);
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the call to fail');
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Through the emulated AWS (edge port, SQS targets)

describe('in the emulated AWS', () => {
  const clock = virtualClock('2026-11-23T10:00:00Z');
  let aws: EmulatedAws;
  let scheduler: SchedulerClient;
  let queueArn: string;

  async function createQueue(name: string): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await aws.clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await aws.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl ?? '', arn: Attributes?.QueueArn ?? '' };
  }

  async function receiveBodies(url: string): Promise<string[]> {
    const { Messages = [] } = await aws.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    return Messages.map((m) => m.Body ?? '');
  }

  function schedule(overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
    return {
      Name: uniqueName('s'),
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: queueArn, RoleArn: ROLE, Input: '{"hello":"world"}' },
      ...overrides,
    };
  }

  beforeAll(async () => {
    aws = await startEmulatedAws({ port: 0, dataDir: null, schedulerNow: clock.now, log: () => undefined });
    scheduler = aws.clients.scheduler;
    ({ arn: queueArn } = await createQueue(uniqueName('api-target')));
  });

  afterAll(async () => {
    await aws?.close();
  });

  describe('schedules', () => {
    it('returns every field of CreateSchedule from GetSchedule', async () => {
      // Prepare
      const group = uniqueName('round-trip');
      await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
      const startDate = new Date(clock.now() + 60 * MINUTE);
      const endDate = new Date(clock.now() + 24 * 60 * MINUTE);
      const input = schedule({
        GroupName: group,
        ScheduleExpression: 'cron(15 8 ? * MON-FRI *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        StartDate: startDate,
        EndDate: endDate,
        Description: 'every working day',
        State: 'DISABLED',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        ActionAfterCompletion: 'DELETE',
        KmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/abc-123',
        Target: {
          Arn: queueArn,
          RoleArn: ROLE,
          Input: '{"at":"<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 120 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:some-dlq' },
          SqsParameters: { MessageGroupId: 'g1' },
        },
      });

      // Act
      const created = await scheduler.send(new CreateScheduleCommand(input));
      const got = await scheduler.send(new GetScheduleCommand({ Name: input.Name, GroupName: group }));

      // Assess
      expect(created.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/${group}/${input.Name}`);
      expect(got).toMatchObject({
        Arn: created.ScheduleArn,
        Name: input.Name,
        GroupName: group,
        ScheduleExpression: 'cron(15 8 ? * MON-FRI *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        StartDate: startDate,
        EndDate: endDate,
        Description: 'every working day',
        State: 'DISABLED',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        ActionAfterCompletion: 'DELETE',
        KmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/abc-123',
        CreationDate: new Date(clock.now()),
        LastModificationDate: new Date(clock.now()),
        Target: input.Target,
      });
    });

    it('shows the defaults of the members a create leaves out', async () => {
      // Prepare
      const input = schedule({ Target: { Arn: queueArn, RoleArn: ROLE } });

      // Act
      await scheduler.send(new CreateScheduleCommand(input));
      const got = await scheduler.send(new GetScheduleCommand({ Name: input.Name }));

      // Assess
      expect(got).toMatchObject({
        GroupName: 'default',
        ScheduleExpressionTimezone: 'UTC',
        State: 'ENABLED',
        ActionAfterCompletion: 'NONE',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: queueArn, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } },
      });
      expect(got.Description).toBeUndefined();
      expect(got.StartDate).toBeUndefined();
    });

    it('refuses a taken name with ConflictException, but answers a retried create with the same ClientToken', async () => {
      // Prepare
      const input = schedule({ ClientToken: 'token-1' });
      const first = await scheduler.send(new CreateScheduleCommand(input));

      // Act
      const retried = await scheduler.send(new CreateScheduleCommand(input));
      const conflict = await failure(scheduler.send(new CreateScheduleCommand({ ...input, ClientToken: 'token-2' })));
      const group = uniqueName('other');
      await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
      const elsewhere = await scheduler.send(new CreateScheduleCommand({ ...input, GroupName: group }));

      // Assess
      expect(retried.ScheduleArn).toBe(first.ScheduleArn);
      expect(conflict).toBeInstanceOf(ConflictException);
      expect(conflict.message).toBe(`Schedule ${input.Name} already exists.`);
      expect(elsewhere.ScheduleArn).toContain(`:schedule/${group}/`);
    });

    it('answers ResourceNotFoundException for a schedule or group that does not exist', async () => {
      const missing = uniqueName('missing');
      const errors = await Promise.all([
        failure(scheduler.send(new GetScheduleCommand({ Name: missing }))),
        failure(scheduler.send(new UpdateScheduleCommand(schedule({ Name: missing })))),
        failure(scheduler.send(new DeleteScheduleCommand({ Name: missing }))),
        failure(scheduler.send(new CreateScheduleCommand(schedule({ GroupName: missing })))),
        failure(scheduler.send(new GetScheduleGroupCommand({ Name: missing }))),
        failure(scheduler.send(new DeleteScheduleGroupCommand({ Name: missing }))),
      ]);
      for (const error of errors) expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(errors[0]?.message).toBe(`Schedule ${missing} does not exist.`);
    });

    it.each<[string, Partial<CreateScheduleCommandInput>, RegExp]>([
      ['a name with a space', { Name: 'bad name' }, /at 'name'.*regular expression/],
      ['a name over 64 characters', { Name: 'n'.repeat(65) }, /at 'name'.*length less than or equal to 64/],
      ['a malformed expression', { ScheduleExpression: 'rate(0 minutes)' }, /Invalid Schedule Expression rate\(0 minutes\)/],
      ['a 5-field cron', { ScheduleExpression: 'cron(0 12 * * *)' }, /Invalid Schedule Expression/],
      ['an unknown time zone', { ScheduleExpressionTimezone: 'Mars/Olympus' }, /ScheduleExpressionTimezone Mars\/Olympus/],
      ['FLEXIBLE without a window', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, /MaximumWindowInMinutes is required/],
      ['a window over 1440 minutes', { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 } }, /maximumWindowInMinutes/],
      ['an unknown state', { State: 'PAUSED' as 'ENABLED' }, /at 'state'.*enum value set/],
      ['a role that is no IAM role ARN', { Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', RoleArn: 'role' } }, /target\.roleArn/],
      [
        'more than 185 retries',
        { Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } } },
        /target\.retryPolicy\.maximumRetryAttempts/,
      ],
      [
        'a DLQ that is no SQS ARN',
        { Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', RoleArn: ROLE, DeadLetterConfig: { Arn: 'arn:aws:sns:us-east-1:000000000000:t' } } },
        /target\.deadLetterConfig\.arn/,
      ],
      ['no target', { Target: undefined }, /at 'target'.*must not be null/],
      ['a recurring StartDate over 5 minutes ago', { StartDate: new Date(Date.parse('2026-11-23T09:54:00Z')) }, /cannot be earlier than 5 minutes ago/],
      [
        'an EndDate before the StartDate',
        { StartDate: new Date(Date.parse('2026-11-24T00:00:00Z')), EndDate: new Date(Date.parse('2026-11-23T12:00:00Z')) },
        /EndDate you specify must be after the StartDate/,
      ],
    ])('refuses %s with ValidationException', async (_case, overrides, message) => {
      clock.set('2026-11-23T10:00:00Z');
      const error = await failure(scheduler.send(new CreateScheduleCommand(schedule(overrides))));
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toMatch(message);
    });

    it('replaces the whole schedule on UpdateSchedule, keeping its creation date', async () => {
      // Prepare
      const input = schedule({ Description: 'before', State: 'DISABLED', ActionAfterCompletion: 'DELETE' });
      await scheduler.send(new CreateScheduleCommand(input));
      const created = clock.now();
      clock.advance(90_000);

      // Act
      await scheduler.send(
        new UpdateScheduleCommand({
          Name: input.Name,
          ScheduleExpression: 'rate(1 hour)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: queueArn, RoleArn: ROLE, Input: 'after' },
        }),
      );
      const got = await scheduler.send(new GetScheduleCommand({ Name: input.Name }));

      // Assess
      expect(got).toMatchObject({
        ScheduleExpression: 'rate(1 hour)',
        State: 'ENABLED',
        ActionAfterCompletion: 'NONE',
        CreationDate: new Date(created),
        LastModificationDate: new Date(clock.now()),
        Target: { Input: 'after' },
      });
      expect(got.Description).toBeUndefined();
    });

    it('deletes a schedule once', async () => {
      const input = schedule();
      await scheduler.send(new CreateScheduleCommand(input));
      await scheduler.send(new DeleteScheduleCommand({ Name: input.Name }));
      expect(await failure(scheduler.send(new GetScheduleCommand({ Name: input.Name })))).toBeInstanceOf(ResourceNotFoundException);
      expect(await failure(scheduler.send(new DeleteScheduleCommand({ Name: input.Name })))).toBeInstanceOf(ResourceNotFoundException);
    });

    it('lists by group, name prefix and state, page by page', async () => {
      // Prepare: 5 enabled and 2 disabled under one prefix, 1 elsewhere.
      const group = uniqueName('list');
      await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
      const prefix = uniqueName('p');
      const enabled = Array.from({ length: 5 }, (_, i) => `${prefix}-e${i}`);
      const disabled = [`${prefix}-d0`, `${prefix}-d1`];
      for (const name of enabled) await scheduler.send(new CreateScheduleCommand(schedule({ Name: name, GroupName: group })));
      for (const name of disabled) {
        await scheduler.send(new CreateScheduleCommand(schedule({ Name: name, GroupName: group, State: 'DISABLED' })));
      }
      await scheduler.send(new CreateScheduleCommand(schedule({ Name: uniqueName('q'), GroupName: group })));

      // Act
      const pages: ScheduleSummary[][] = [];
      let NextToken: string | undefined;
      do {
        const page = await scheduler.send(new ListSchedulesCommand({ GroupName: group, NamePrefix: prefix, MaxResults: 2, NextToken }));
        pages.push(page.Schedules ?? []);
        NextToken = page.NextToken;
      } while (NextToken !== undefined);
      const onlyDisabled = await scheduler.send(new ListSchedulesCommand({ GroupName: group, State: 'DISABLED' }));
      const badToken = await failure(scheduler.send(new ListSchedulesCommand({ NextToken: 'not-a-token' })));

      // Assess
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
      expect(pages.flat().map((s) => s.Name)).toEqual([...disabled, ...enabled]);
      expect(pages[0]?.[0]).toMatchObject({ GroupName: group, State: 'DISABLED', Target: { Arn: queueArn } });
      expect(onlyDisabled.Schedules?.map((s) => s.Name)).toEqual(disabled);
      expect(badToken).toBeInstanceOf(ValidationException);
    });
  });

  describe('schedule groups and tags', () => {
    it('has the default group from the start and refuses to delete it', async () => {
      const got = await scheduler.send(new GetScheduleGroupCommand({ Name: 'default' }));
      const error = await failure(scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' })));
      expect(got).toMatchObject({ Name: 'default', State: 'ACTIVE', Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/default' });
      expect(error).toBeInstanceOf(ValidationException);
    });

    it('creates, lists by prefix page by page, and refuses a taken name', async () => {
      // Prepare
      const prefix = uniqueName('grp');
      for (const suffix of ['a', 'b', 'c']) await scheduler.send(new CreateScheduleGroupCommand({ Name: `${prefix}-${suffix}` }));

      // Act
      const first = await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: prefix, MaxResults: 2 }));
      const second = await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
      const taken = await failure(scheduler.send(new CreateScheduleGroupCommand({ Name: `${prefix}-a` })));

      // Assess
      expect(first.ScheduleGroups?.map((g) => g.Name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
      expect(second.ScheduleGroups?.map((g) => g.Name)).toEqual([`${prefix}-c`]);
      expect(second.NextToken).toBeUndefined();
      expect(first.ScheduleGroups?.[0]).toMatchObject({ State: 'ACTIVE', CreationDate: new Date(clock.now()) });
      expect(taken).toBeInstanceOf(ConflictException);
    });

    it('deletes a group with its schedules', async () => {
      // Prepare
      const group = uniqueName('doomed');
      await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
      const input = schedule({ GroupName: group });
      await scheduler.send(new CreateScheduleCommand(input));

      // Act
      await scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));

      // Assess
      expect(await failure(scheduler.send(new GetScheduleGroupCommand({ Name: group })))).toBeInstanceOf(ResourceNotFoundException);
      expect((await scheduler.send(new ListSchedulesCommand({ GroupName: group }))).Schedules).toEqual([]);
      await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
      expect(await failure(scheduler.send(new GetScheduleCommand({ Name: input.Name, GroupName: group })))).toBeInstanceOf(
        ResourceNotFoundException,
      );
    });

    it('tags schedule groups, and only them', async () => {
      // Prepare
      const { ScheduleGroupArn } = await scheduler.send(
        new CreateScheduleGroupCommand({ Name: uniqueName('tagged'), Tags: [{ Key: 'team', Value: 'core' }] }),
      );
      const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand(schedule()));

      // Act
      await scheduler.send(new TagResourceCommand({ ResourceArn: ScheduleGroupArn, Tags: [{ Key: 'env', Value: 'local' }, { Key: 'team', Value: 'jobs' }] }));
      const tagged = await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }));
      await scheduler.send(new UntagResourceCommand({ ResourceArn: ScheduleGroupArn, TagKeys: ['team'] }));
      const untagged = await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }));
      const onSchedule = await failure(scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleArn })));

      // Assess
      expect(tagged.Tags).toEqual([
        { Key: 'team', Value: 'jobs' },
        { Key: 'env', Value: 'local' },
      ]);
      expect(untagged.Tags).toEqual([{ Key: 'env', Value: 'local' }]);
      expect(onSchedule).toBeInstanceOf(ValidationException);
    });

    it('counts calls per operation', async () => {
      const before = aws.scheduler.calls.get('ListScheduleGroups') ?? 0;
      await scheduler.send(new ListScheduleGroupsCommand({}));
      await scheduler.send(new ListScheduleGroupsCommand({}));
      expect(aws.scheduler.calls.get('ListScheduleGroups')).toBe(before + 2);
    });
  });

  describe('firing into SQS', () => {
    it('delivers an at() schedule once, at its time in its zone, with the context attributes, then deletes it', async () => {
      // Prepare: 12:00 in Berlin (CET, UTC+1) is 11:00 UTC.
      clock.set('2026-11-23T10:00:00Z');
      const target = await createQueue(uniqueName('at-target'));
      const name = uniqueName('once');
      const input =
        '{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","id":"<aws.scheduler.execution-id>","n":<aws.scheduler.attempt-number>}';
      const { ScheduleArn } = await scheduler.send(
        new CreateScheduleCommand({
          Name: name,
          ScheduleExpression: 'at(2026-11-23T12:00:00)',
          ScheduleExpressionTimezone: 'Europe/Berlin',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: { Arn: target.arn, RoleArn: ROLE, Input: input },
        }),
      );

      // Act
      clock.set('2026-11-23T10:59:59Z');
      await aws.scheduler.runDue();
      const early = await receiveBodies(target.url);
      clock.set('2026-11-23T11:00:00Z');
      await aws.scheduler.runDue();
      const onTime = await receiveBodies(target.url);
      clock.advance(5 * MINUTE);
      await aws.scheduler.runDue();
      const later = await receiveBodies(target.url);

      // Assess
      expect(early).toEqual([]);
      expect(onTime).toHaveLength(1);
      const body = JSON.parse(onTime[0] ?? '{}') as { arn: string; at: string; id: string; n: number };
      expect(body).toMatchObject({ arn: ScheduleArn, at: '2026-11-23T11:00:00Z', n: 1 });
      expect(body.id).toMatch(/^[0-9a-f]{16}$/);
      expect(later).toEqual([]);
      expect(await failure(scheduler.send(new GetScheduleCommand({ Name: name })))).toBeInstanceOf(ResourceNotFoundException);
    });

    it('fires a cron() at the right instant of its time zone', async () => {
      // Prepare: Monday 23 November 2026; 09:00 in New York (EST, UTC-5) is 14:00 UTC.
      clock.set('2026-11-23T13:00:00Z');
      const target = await createQueue(uniqueName('cron-target'));
      await scheduler.send(
        new CreateScheduleCommand({
          Name: uniqueName('weekday'),
          ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
          ScheduleExpressionTimezone: 'America/New_York',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: target.arn, RoleArn: ROLE, Input: '<aws.scheduler.scheduled-time>' },
        }),
      );

      // Act
      clock.set('2026-11-23T13:59:59Z');
      await aws.scheduler.runDue();
      const early = await receiveBodies(target.url);
      clock.set('2026-11-23T14:00:00Z');
      await aws.scheduler.runDue();
      const first = await receiveBodies(target.url);
      clock.set('2026-11-24T14:00:30Z');
      await aws.scheduler.runDue();
      const second = await receiveBodies(target.url);

      // Assess
      expect(early).toEqual([]);
      expect(first).toEqual(['2026-11-23T14:00:00Z']);
      expect(second).toEqual(['2026-11-24T14:00:00Z']);
    });

    it('never fires a DISABLED schedule', async () => {
      // Prepare
      clock.set('2026-11-23T15:00:00Z');
      const target = await createQueue(uniqueName('disabled-target'));
      await scheduler.send(
        new CreateScheduleCommand(schedule({ ScheduleExpression: 'rate(1 minute)', State: 'DISABLED', Target: { Arn: target.arn, RoleArn: ROLE, Input: 'x' } })),
      );

      // Act
      for (let minute = 0; minute < 5; minute += 1) {
        clock.advance(MINUTE);
        await aws.scheduler.runDue();
      }

      // Assess
      expect(await receiveBodies(target.url)).toEqual([]);
    });

    it('retries a target that fails, then sends the Input to the dead-letter queue', async () => {
      // Prepare: the target queue does not exist, so every SendMessage fails.
      clock.set('2026-11-23T16:00:00Z');
      const dlq = await createQueue(uniqueName('schedule-dlq'));
      await scheduler.send(
        new CreateScheduleCommand({
          Name: uniqueName('failing'),
          ScheduleExpression: 'at(2026-11-23T16:01:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: 'arn:aws:sqs:us-east-1:000000000000:no-such-queue',
            RoleArn: ROLE,
            Input: '{"attempt":<aws.scheduler.attempt-number>}',
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: dlq.arn },
          },
        }),
      );

      // Act: each retry waits for its backoff on the scheduler's clock.
      const seen: string[][] = [];
      for (let step = 0; step < 4; step += 1) {
        clock.advance(MINUTE);
        await aws.scheduler.runDue();
        seen.push(await receiveBodies(dlq.url));
      }

      // Assess: three attempts (the first and two retries), then one dead letter.
      expect(seen.flat()).toEqual(['{"attempt":3}']);
      expect(seen[0]).toEqual([]);
      expect(aws.sqs.calls.get('SendMessage')).toBeGreaterThanOrEqual(4);
    });

    it('is reachable on the edge port only by its paths', async () => {
      const response = await fetch(`${aws.url}/schedules?MaxResults=1`);
      const other = await fetch(`${aws.url}/schedulesX`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { Schedules: unknown[] }).Schedules).toHaveLength(1);
      expect(other.status).toBe(400);
    });

    it('fires by itself, without a runDue call, as soon as a new schedule is due', async () => {
      // Prepare
      const target = await createQueue(uniqueName('self-firing'));

      // Act: rate() without a StartDate fires at creation; the emulator's own loop delivers it.
      await scheduler.send(
        new CreateScheduleCommand(schedule({ ScheduleExpression: 'rate(1 hour)', Target: { Arn: target.arn, RoleArn: ROLE, Input: 'by itself' } })),
      );
      const { Messages = [] } = await aws.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: target.url, WaitTimeSeconds: 5 }));

      // Assess
      expect(Messages.map((m) => m.Body)).toEqual(['by itself']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// A standalone server: controlled clock, randomness and target

interface Standalone {
  server: SchedulerServer;
  client: SchedulerClient;
  deliveries: ScheduleDelivery[];
  /** Attempts to fail before deliveries succeed again (DLQ deliveries never fail). */
  failures: { remaining: number };
  close(): Promise<void>;
}

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:target';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:dlq';
const opened: Standalone[] = [];
const folders: string[] = [];

async function standalone(options: Partial<SchedulerEmulatorOptions>): Promise<Standalone> {
  const deliveries: ScheduleDelivery[] = [];
  const failures = { remaining: 0 };
  const server = await startSchedulerServer({
    tickMs: 0,
    log: () => undefined,
    retryDelayMs: () => 0,
    ...options,
    deliver: async (delivery) => {
      if (delivery.targetArn !== DLQ && failures.remaining > 0) {
        failures.remaining -= 1;
        throw new Error('target unavailable');
      }
      deliveries.push(delivery);
    },
  });
  const client = new SchedulerClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const handle: Standalone = {
    server,
    client,
    deliveries,
    failures,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
  opened.push(handle);
  return handle;
}

function dataFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'skyforge-scheduler-'));
  folders.push(folder);
  return folder;
}

function recurring(name: string, expression: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommand {
  return new CreateScheduleCommand({
    Name: name,
    ScheduleExpression: expression,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: QUEUE, RoleArn: ROLE, Input: '<aws.scheduler.scheduled-time>' },
    ...extra,
  });
}

afterAll(async () => {
  for (const handle of opened) await handle.close().catch(() => undefined);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('firing semantics (standalone, controlled clock)', () => {
  it('fires rate(1 minute) at creation, then once per virtual minute, never in a burst', async () => {
    // Prepare
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const { client, server, deliveries } = await standalone({ now: clock.now });
    await client.send(recurring('every-minute', 'rate(1 minute)'));

    // Act
    const counts = [await server.emulator.runDue()];
    clock.advance(30_000);
    counts.push(await server.emulator.runDue());
    clock.advance(30_000);
    counts.push(await server.emulator.runDue());
    clock.advance(60_000);
    counts.push(await server.emulator.runDue());
    clock.advance(10 * MINUTE);
    counts.push(await server.emulator.runDue());
    clock.advance(MINUTE);
    counts.push(await server.emulator.runDue());

    // Assess
    expect(counts).toEqual([1, 0, 1, 1, 1, 1]);
    expect(deliveries.map((d) => d.input)).toEqual([
      '2026-11-23T12:00:00Z',
      '2026-11-23T12:01:00Z',
      '2026-11-23T12:02:00Z',
      '2026-11-23T12:03:00Z',
      '2026-11-23T12:13:00Z',
    ]);
  });

  it('counts rate() from its StartDate', async () => {
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const { client, server, deliveries } = await standalone({ now: clock.now });
    await client.send(recurring('from-start', 'rate(10 minutes)', { StartDate: new Date('2026-11-23T12:05:00Z') }));
    expect(await server.emulator.runDue()).toBe(0);
    clock.set('2026-11-23T12:05:00Z');
    expect(await server.emulator.runDue()).toBe(1);
    clock.set('2026-11-23T12:14:59Z');
    expect(await server.emulator.runDue()).toBe(0);
    clock.set('2026-11-23T12:15:00Z');
    expect(await server.emulator.runDue()).toBe(1);
    expect(deliveries.map((d) => d.input)).toEqual(['2026-11-23T12:05:00Z', '2026-11-23T12:15:00Z']);
  });

  it('stops at the EndDate and then deletes a schedule with ActionAfterCompletion DELETE', async () => {
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const { client, server, deliveries } = await standalone({ now: clock.now });
    await client.send(
      recurring('bounded', 'rate(1 minute)', { EndDate: new Date('2026-11-23T12:02:00Z'), ActionAfterCompletion: 'DELETE' }),
    );
    for (let minute = 0; minute < 5; minute += 1) {
      await server.emulator.runDue();
      clock.advance(MINUTE);
    }
    expect(deliveries.map((d) => d.input)).toEqual(['2026-11-23T12:00:00Z', '2026-11-23T12:01:00Z']);
    expect(await failure(client.send(new GetScheduleCommand({ Name: 'bounded' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('fires inside a FLEXIBLE window at the random point drawn, naming the scheduled time', async () => {
    // Prepare: random 0.5 in a 10-minute window is 5 minutes late.
    const clock = virtualClock('2026-11-23T11:00:00Z');
    const { client, server, deliveries } = await standalone({ now: clock.now, random: () => 0.5 });
    await client.send(
      recurring('flexible', 'at(2026-11-23T12:00:00)', { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 } }),
    );

    // Act
    clock.set('2026-11-23T12:04:59Z');
    const early = await server.emulator.runDue();
    clock.set('2026-11-23T12:05:00Z');
    const due = await server.emulator.runDue();

    // Assess
    expect([early, due]).toEqual([0, 1]);
    expect(deliveries).toEqual([
      {
        targetArn: QUEUE,
        input: '2026-11-23T12:00:00Z',
        scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/flexible',
        scheduledTime: Date.parse('2026-11-23T12:00:00Z'),
        attempt: 1,
        roleArn: ROLE,
      },
    ]);
  });

  it('retries with a rising attempt number and the same execution id', async () => {
    // Prepare
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const { client, server, deliveries, failures } = await standalone({ now: clock.now });
    failures.remaining = 2;
    await client.send(
      recurring('flaky', 'at(2026-11-23T12:00:00)', {
        Target: { Arn: QUEUE, RoleArn: ROLE, Input: '<aws.scheduler.execution-id>/<aws.scheduler.attempt-number>', SqsParameters: { MessageGroupId: 'g' } },
      }),
    );

    // Act
    const fired = await server.emulator.runDue();

    // Assess: the first two attempts failed; the third got through.
    expect(fired).toBe(1);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ attempt: 3, targetArn: QUEUE, sqsParameters: { MessageGroupId: 'g' } });
    expect(deliveries[0]?.input).toMatch(/^[0-9a-f]{16}\/3$/);
  });

  it.each([
    ['MaximumRetryAttempts', { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600 }, 0, 2],
    ['MaximumEventAgeInSeconds', { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 }, 45_000, 2],
  ])('dead-letters the Input once %s is used up', async (_limit, RetryPolicy, delayMs, attempts) => {
    // Prepare
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const { client, server, deliveries, failures } = await standalone({ now: clock.now, retryDelayMs: () => delayMs });
    failures.remaining = 1_000;
    await client.send(
      recurring('doomed', 'at(2026-11-23T12:00:00)', {
        Target: { Arn: QUEUE, RoleArn: ROLE, Input: 'n=<aws.scheduler.attempt-number>', RetryPolicy, DeadLetterConfig: { Arn: DLQ } },
      }),
    );

    // Act
    for (let step = 0; step < 5; step += 1) {
      await server.emulator.runDue();
      clock.advance(delayMs);
    }

    // Assess
    expect(deliveries).toEqual([expect.objectContaining({ targetArn: DLQ, input: `n=${attempts}`, attempt: attempts })]);
  });
});

describe('persistence (standalone, dataDir)', () => {
  it('keeps groups, tags, schedules and their planned firings across close and open', async () => {
    // Prepare
    const dataDir = dataFolder();
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const first = await standalone({ now: clock.now, dataDir });
    const { ScheduleGroupArn } = await first.client.send(new CreateScheduleGroupCommand({ Name: 'kept', Tags: [{ Key: 'k', Value: 'v' }] }));
    await first.client.send(recurring('hourly', 'rate(1 hour)', { GroupName: 'kept' }));
    await first.server.emulator.runDue();
    await first.close();

    // Act
    clock.set('2026-11-23T12:59:00Z');
    const second = await standalone({ now: clock.now, dataDir });
    const got = await second.client.send(new GetScheduleCommand({ Name: 'hourly', GroupName: 'kept' }));
    const tags = await second.client.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }));
    const beforeDue = await second.server.emulator.runDue();
    clock.set('2026-11-23T13:00:00Z');
    const due = await second.server.emulator.runDue();

    // Assess
    expect(got).toMatchObject({ ScheduleExpression: 'rate(1 hour)', CreationDate: new Date('2026-11-23T12:00:00Z') });
    expect(tags.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
    expect([beforeDue, due]).toEqual([0, 1]);
    expect(second.deliveries.map((d) => d.input)).toEqual(['2026-11-23T13:00:00Z']);
  });

  it('loses nothing acknowledged when the process stops without closing', async () => {
    // Prepare: the first emulator is never closed before the second opens its folder.
    const dataDir = dataFolder();
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const first = await standalone({ now: clock.now, dataDir });
    await first.client.send(recurring('created', 'rate(1 hour)'));
    await first.client.send(recurring('updated', 'rate(1 hour)'));
    await first.client.send(
      new UpdateScheduleCommand({
        Name: 'updated',
        ScheduleExpression: 'rate(2 hours)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: QUEUE, RoleArn: ROLE },
      }),
    );
    await first.client.send(recurring('deleted', 'rate(1 hour)'));
    await first.client.send(new DeleteScheduleCommand({ Name: 'deleted' }));

    // Act
    const second = await standalone({ now: clock.now, dataDir });
    const names = (await second.client.send(new ListSchedulesCommand({}))).Schedules?.map((s) => s.Name);
    const updated = await second.client.send(new GetScheduleCommand({ Name: 'updated' }));
    await second.client.send(recurring('after-takeover', 'rate(1 hour)'));
    // The first one lives on as a zombie: what it does now must not reach the folder.
    await first.client.send(new DeleteScheduleCommand({ Name: 'created' }));
    await first.close();
    const third = await standalone({ now: clock.now, dataDir });
    const finalNames = (await third.client.send(new ListSchedulesCommand({}))).Schedules?.map((s) => s.Name);

    // Assess
    expect(names).toEqual(['created', 'updated']);
    expect(updated.ScheduleExpression).toBe('rate(2 hours)');
    expect(finalNames).toEqual(['after-takeover', 'created', 'updated']);
  });

  it('resumes a retry that was pending when the emulator stopped', async () => {
    // Prepare
    const dataDir = dataFolder();
    const clock = virtualClock('2026-11-23T12:00:00Z');
    const first = await standalone({ now: clock.now, dataDir, retryDelayMs: () => MINUTE });
    first.failures.remaining = 1;
    await first.client.send(recurring('once', 'at(2026-11-23T12:00:00)', { Target: { Arn: QUEUE, RoleArn: ROLE, Input: 'n=<aws.scheduler.attempt-number>' } }));
    await first.server.emulator.runDue();
    await first.close();

    // Act
    clock.advance(MINUTE);
    const second = await standalone({ now: clock.now, dataDir });
    await second.server.emulator.runDue();

    // Assess
    expect(first.deliveries).toEqual([]);
    expect(second.deliveries.map((d) => d.input)).toEqual(['n=2']);
  });

  describe('firings missed while stopped', () => {
    async function restartAfter(expression: string, downMs: number, extra: Partial<CreateScheduleCommandInput> = {}): Promise<{
      atStart: number;
      deliveries: ScheduleDelivery[];
      runDue: () => Promise<number>;
      clock: ReturnType<typeof virtualClock>;
    }> {
      const dataDir = dataFolder();
      const clock = virtualClock('2026-11-23T12:00:30Z');
      const first = await standalone({ now: clock.now, dataDir, random: () => 0 });
      await first.client.send(recurring('missed', expression, { StartDate: new Date('2026-11-23T12:01:00Z'), ...extra }));
      await first.close();
      clock.advance(downMs);
      const second = await standalone({ now: clock.now, dataDir, random: () => 0 });
      const atStart = await second.server.emulator.runDue();
      return { atStart, deliveries: second.deliveries, runDue: () => second.server.emulator.runDue(), clock };
    }

    it('skips a Mode OFF firing that is past its minute, and fires the next one on time', async () => {
      const { atStart, deliveries, runDue, clock } = await restartAfter('rate(5 minutes)', 3 * MINUTE);
      clock.set('2026-11-23T12:06:00Z');
      const next = await runDue();
      expect([atStart, next]).toEqual([0, 1]);
      expect(deliveries.map((d) => d.input)).toEqual(['2026-11-23T12:06:00Z']);
    });

    it('fires once at start when the restart falls inside the flexible window, never a burst', async () => {
      const { atStart, deliveries } = await restartAfter('rate(1 minute)', 10 * MINUTE, {
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      });
      expect(atStart).toBe(1);
      expect(deliveries.map((d) => d.input)).toEqual(['2026-11-23T12:01:00Z']);
    });

    it('fires a one-time schedule late rather than never', async () => {
      const { atStart, deliveries } = await restartAfter('at(2026-11-23T12:01:00)', 3 * 60 * MINUTE);
      expect(atStart).toBe(1);
      expect(deliveries.map((d) => d.input)).toEqual(['2026-11-23T12:01:00Z']);
    });
  });
});
