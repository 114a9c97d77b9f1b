import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isFlowFinished, type FlowView, type JobView } from '../../cli/client/index.ts';
import { flowFromText } from '../../cli/commands/flows.ts';
import { CliUsageError } from '../../cli/errors.ts';
import { flowFailure, flowRows, jobCounts, printFlow } from '../../cli/flow-views.ts';
import { Output } from '../../cli/output.ts';
import { Capture } from './run-cli.ts';

/** How the CLI reads a flow file and shows a flow, without a network. */

function job(id: string, status: string, dependsOn: string[] = [], extra: Partial<JobView> = {}): JobView {
  return { id, type: 'demo.echo', status, attempts: status === 'SUCCEEDED' ? 1 : 0, maxAttempts: 3, dependsOn, ...extra } as JobView;
}

/** notify waits for fetch and resize; resize for fetch; audit (listed first) for notify. */
const FLOW: FlowView = {
  id: 'f-1',
  status: 'RUNNING',
  createdAt: '2026-05-01T12:00:00.000Z',
  idempotencyKey: null,
  jobs: {
    audit: job('j-audit', 'BLOCKED', ['j-notify'], { onDependencyFailure: 'run' }),
    notify: job('j-notify', 'BLOCKED', ['j-fetch', 'j-resize']),
    fetch: job('j-fetch', 'SUCCEEDED'),
    resize: job('j-resize', 'RUNNING', ['j-fetch']),
    extra: job('j-extra', 'QUEUED'),
  },
};

describe('flowRows', () => {
  it('lists dependencies first, in the flow’s own order within a stage, with refs for ids', () => {
    const rows = flowRows(FLOW);
    expect(rows.map((r) => [r.ref, r.stage, r.after])).toEqual([
      ['fetch', 0, []],
      ['extra', 0, []],
      ['resize', 1, ['fetch']],
      ['notify', 2, ['fetch', 'resize']],
      ['audit', 3, ['notify']],
    ]);
  });

  it('shows a dependency the flow does not list by its id, and survives a cycle in a malformed answer', () => {
    const rows = flowRows({ jobs: { a: job('1', 'BLOCKED', ['2', 'elsewhere']), b: job('2', 'BLOCKED', ['1']) } });
    expect(rows.map((r) => r.ref).sort()).toEqual(['a', 'b']);
    expect(rows.find((r) => r.ref === 'a')?.after).toEqual(['b', 'elsewhere']);
  });
});

describe('a flow for people', () => {
  it('prints the status, the counts per status and one row per job: ref, type, status, dependencies, attempts, id', () => {
    const stdout = new Capture();
    printFlow(new Output(stdout, new Capture(), {}), FLOW);
    const lines = stdout.text.split('\n');
    expect(lines[0]).toMatch(/^flow:\s+f-1$/);
    expect(lines[1]).toMatch(/^status:\s+RUNNING$/);
    expect(lines[2]).toMatch(/^jobs:\s+5 jobs: 2 BLOCKED, 1 SUCCEEDED, 1 RUNNING, 1 QUEUED$/);
    expect(lines[4]?.split(/\s{2,}/)).toEqual(['REF', 'TYPE', 'STATUS', 'DEPENDS ON', 'ATTEMPTS', 'JOB']);
    expect(lines[5]?.split(/\s{2,}/)).toEqual(['fetch', 'demo.echo', 'SUCCEEDED', '-', '1/3', 'j-fetch']);
    expect(lines[8]?.split(/\s{2,}/)).toEqual(['notify', 'demo.echo', 'BLOCKED', 'fetch, resize', '0/3', 'j-notify']);
    expect(lines[9]?.split(/\s{2,}/)).toEqual(['audit', 'demo.echo', 'BLOCKED', 'notify (run)', '0/3', 'j-audit']);
  });

  it('counts jobs per status', () => {
    expect(jobCounts(FLOW)).toBe('5 jobs: 2 BLOCKED, 1 SUCCEEDED, 1 RUNNING, 1 QUEUED');
    expect(jobCounts({ jobs: { a: job('1', 'QUEUED') } })).toBe('1 job: 1 QUEUED');
  });

  it('names the jobs that did not succeed, with why', () => {
    const failed: FlowView = {
      ...FLOW,
      id: 'f-2',
      status: 'FAILED',
      jobs: {
        fetch: job('1', 'SUCCEEDED'),
        resize: job('2', 'DEAD', ['1'], { deadReason: null, lastError: { name: 'Error', message: 'boom', at: '' } }),
        notify: job('3', 'CANCELLED', ['2'], { cancelReason: 'dependency resize (2) ended DEAD' }),
      },
    };
    expect(flowFailure(failed)).toBe('resize DEAD (boom), notify CANCELLED (dependency resize (2) ended DEAD)');
  });
});

describe('isFlowFinished', () => {
  it.each([
    ['RUNNING', ['SUCCEEDED', 'RUNNING'], false],
    ['RUNNING', ['SUCCEEDED', 'SUCCEEDED'], false],
    ['FAILED', ['DEAD', 'QUEUED'], false],
    ['FAILED', ['DEAD', 'CANCELLED'], true],
    ['SUCCEEDED', ['SUCCEEDED', 'SUCCEEDED'], true],
    ['CANCELLED', ['CANCELLED', 'SUCCEEDED'], true],
  ] as const)('a %s flow with jobs %j: %s', (status, statuses, expected) => {
    const jobs = Object.fromEntries(statuses.map((s, i) => [`r${i}`, job(String(i), s)]));
    expect(isFlowFinished({ status, jobs })).toBe(expected);
  });
});

describe('flowFromText', () => {
  it('reads the POST /flows body of examples/flow.json, and a bare array of jobs', () => {
    const example = flowFromText(readFileSync(new URL('../../examples/flow.json', import.meta.url), 'utf8'), 'examples/flow.json');
    expect(example.jobs.map((j) => j.ref)).toEqual(['fetch', 'resize', 'thumbnail', 'notify', 'audit']);
    expect(example.idempotencyKey).toBe('order-42');
    expect(flowFromText('[{"ref":"a","type":"demo.echo"}]', 'f.json')).toEqual({ jobs: [{ ref: 'a', type: 'demo.echo' }] });
  });

  it.each([
    ['{"jobs":', /f\.json is not valid JSON/],
    ['{"steps":[]}', /f\.json: expected a flow/],
    ['"a"', /f\.json: expected a flow/],
  ])('refuses %s as a usage error', (text, message) => {
    expect(() => flowFromText(text, 'f.json')).toThrow(CliUsageError);
    expect(() => flowFromText(text, 'f.json')).toThrow(message);
  });
});
