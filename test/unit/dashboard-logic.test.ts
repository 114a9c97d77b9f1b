import { describe, expect, it } from 'vitest';
import type { Flow, FlowStatus, Job, JobStatus } from '../../ui/src/api.ts';
import { flowAllows, type FlowAction } from '../../ui/src/flow-actions.ts';
import { flowStages } from '../../ui/src/flow-stages.ts';
import { allows, type JobAction } from '../../ui/src/job-actions.ts';
import { previewFirings, scheduleFirings } from '../../ui/src/schedule-preview.ts';

/** The dashboard's pure decisions, written out by hand against API.md (not derived from the code). */
describe('dashboard: which actions a job state offers', () => {
  const table: Array<[JobStatus, JobAction[]]> = [
    ['BLOCKED', ['cancel', 'dlq', 'delete']],
    ['SCHEDULED', ['cancel', 'dlq', 'delete']],
    ['QUEUED', ['cancel', 'dlq', 'delete']],
    ['RUNNING', ['cancel', 'dlq']],
    ['RETRYING', ['cancel', 'dlq', 'delete']],
    ['SUCCEEDED', ['delete']],
    ['DEAD', ['retry', 'delete']],
    ['CANCELLED', ['retry', 'delete']],
  ];
  it.each(table)('%s offers %j', (status, actions) => {
    const offered = (['cancel', 'retry', 'dlq', 'delete'] as const).filter((a) => allows(status, a));
    expect(offered).toEqual(actions);
  });
});

describe('dashboard: schedule previews', () => {
  const now = Date.parse('2026-03-28T12:00:00Z');

  it('lists the next five firings in the zone; 02:30 on the night Berlin skips that hour never comes', () => {
    const preview = previewFirings('cron(30 2 * * ? *)', 'Europe/Berlin', { now });
    expect(preview).toEqual({
      ok: true,
      times: ['2026-03-30T00:30:00Z', '2026-03-31T00:30:00Z', '2026-04-01T00:30:00Z', '2026-04-02T00:30:00Z', '2026-04-03T00:30:00Z'].map(Date.parse),
    });
  });

  it.each([
    ['cron(0 25 * * ? *)', 'UTC', /hour/i],
    ['cron(0 2 * * *)', 'UTC', /6 fields|six|fields/i],
    ['at(2026-05-01T00:00:00)', 'UTC', /cron\(\.\.\.\) or rate\(\.\.\.\)/],
    ['rate(5 minutes)', 'Mars/Olympus', /time zone/],
  ])('refuses %s in %s', (expression, zone, message) => {
    const preview = previewFirings(expression, zone, { now });
    expect(preview.ok).toBe(false);
    expect(preview.ok ? '' : preview.error).toMatch(message);
  });

  it('shows no firings for a paused schedule, and rate() steps from its creation', () => {
    const schedule = {
      name: 's',
      expression: 'rate(10 minutes)',
      timezone: 'UTC',
      enabled: true,
      description: null,
      startDate: null,
      endDate: null,
      job: { type: 'demo.echo' },
      createdAt: '2026-03-28T11:55:00.000Z',
      updatedAt: '2026-03-28T11:55:00.000Z',
      nextRunAt: null,
    };
    expect(scheduleFirings(schedule, 2, now).map((t) => new Date(t).toISOString())).toEqual(['2026-03-28T12:05:00.000Z', '2026-03-28T12:15:00.000Z']);
    expect(scheduleFirings({ ...schedule, enabled: false }, 5, now)).toEqual([]);
  });
});

describe('dashboard: flow stages', () => {
  const job = (id: string, status: JobStatus, dependsOn: string[] = []) => ({ id, status, dependsOn }) as unknown as Job;

  it('puts each job one stage after its deepest dependency', () => {
    const stages = flowStages({
      fetch: job('j1', 'SUCCEEDED'),
      resize: job('j2', 'RUNNING', ['j1']),
      audit: job('j4', 'QUEUED'),
      notify: job('j3', 'BLOCKED', ['j1', 'j2']),
    });
    expect(stages.map((s) => s.map(([ref]) => ref))).toEqual([['fetch', 'audit'], ['resize'], ['notify']]);
  });
});

describe('dashboard: which actions a flow offers', () => {
  // Cancel while a job can still change; Retry once a job is DEAD (retry replays DEAD jobs).
  const table: Array<[FlowStatus, JobStatus[], FlowAction[]]> = [
    ['RUNNING', ['SUCCEEDED', 'RUNNING', 'BLOCKED'], ['cancel']],
    ['RUNNING', ['SCHEDULED', 'BLOCKED'], ['cancel']],
    ['RUNNING', ['DEAD', 'QUEUED'], ['cancel', 'retry']],
    ['RUNNING', ['RETRYING'], ['cancel']],
    ['FAILED', ['DEAD', 'CANCELLED', 'SUCCEEDED'], ['retry']],
    ['CANCELLED', ['CANCELLED', 'SUCCEEDED'], []],
    ['SUCCEEDED', ['SUCCEEDED', 'SUCCEEDED'], []],
  ];
  it.each(table)('a %s flow with jobs %j offers %j', (status, statuses, actions) => {
    const flow = { id: 'f', status, jobs: Object.fromEntries(statuses.map((s, i) => [`r${i}`, { id: `j${i}`, status: s } as unknown as Job])) } as Flow;
    expect((['cancel', 'retry'] as const).filter((a) => flowAllows(flow, a))).toEqual(actions);
  });
});
