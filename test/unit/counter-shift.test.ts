import { describe, expect, it } from 'vitest';
import { CounterDeltas, type CountedState } from '../../shared/domain/counter-deltas.ts';
import { jobsByStatus } from '../../shared/domain/metrics.ts';

const group = { queue: 'normal', type: 'demo.echo' } as const;

/** The values one shift leaves, as a plain record (zeros dropped). */
function shifted(before: CountedState | null, after: CountedState | null): Record<string, number> {
  const deltas = new CounterDeltas();
  deltas.shift(group, before, after);
  return deltas.entries()[0]?.values ?? {};
}

describe('CounterDeltas.shift: every job counts once, whoever writes it first', () => {
  it.each<[string, CountedState | null, CountedState | null, Record<string, number>]>([
    ['created counted (SCHEDULED)', null, { status: 'SCHEDULED' }, { submitted: 1, status_SCHEDULED: 1 }],
    ['created uncounted (queued and sent at once)', null, { status: 'QUEUED', uncounted: 'new' }, {}],
    ['claim of a new job', { status: 'QUEUED', uncounted: 'new' }, { status: 'RUNNING' }, { submitted: 1, status_RUNNING: 1 }],
    ['claim of a counted job', { status: 'QUEUED' }, { status: 'RUNNING' }, { status_QUEUED: -1, status_RUNNING: 1 }],
    ['throttle of a new job: counted QUEUED from now on', { status: 'QUEUED', uncounted: 'new' }, { status: 'QUEUED' }, { submitted: 1, status_QUEUED: 1 }],
    ['throttle of a counted job: nothing moves', { status: 'QUEUED' }, { status: 'QUEUED' }, {}],
    ['cancel of a new job', { status: 'QUEUED', uncounted: 'new' }, { status: 'CANCELLED' }, { submitted: 1, status_CANCELLED: 1, cancelled: 1 }],
    ['delete of a new job: it was submitted', { status: 'QUEUED', uncounted: 'new' }, null, { submitted: 1 }],
    ['delete of a counted job', { status: 'DEAD' }, null, { status_DEAD: -1 }],
    ['dead-lettered before any claim', { status: 'QUEUED', uncounted: 'new' }, { status: 'DEAD' }, { submitted: 1, status_DEAD: 1, dead: 1 }],
    ['replay: DEAD counted out, QUEUED left to the queue', { status: 'DEAD' }, { status: 'QUEUED', uncounted: 'queued' }, { status_DEAD: -1 }],
    ['claim of a replayed job: not submitted again', { status: 'QUEUED', uncounted: 'queued' }, { status: 'RUNNING' }, { status_RUNNING: 1 }],
    ['replayed job dead again before its claim', { status: 'QUEUED', uncounted: 'queued' }, { status: 'DEAD' }, { status_DEAD: 1, dead: 1 }],
    ['finish', { status: 'RUNNING' }, { status: 'SUCCEEDED' }, { status_RUNNING: -1, status_SUCCEEDED: 1, succeeded: 1 }],
  ])('%s', (_name, before, after, expected) => {
    expect(shifted(before, after)).toEqual(expected);
  });

  it('sums to exact counts over a whole life, however it goes', () => {
    const lives: Array<Array<CountedState | null>> = [
      [null, { status: 'QUEUED', uncounted: 'new' }, { status: 'RUNNING' }, { status: 'SUCCEEDED' }],
      [null, { status: 'QUEUED', uncounted: 'new' }, { status: 'QUEUED' }, { status: 'RUNNING' }, { status: 'RETRYING' }, { status: 'RUNNING' }, { status: 'DEAD' }],
      [null, { status: 'QUEUED', uncounted: 'new' }, { status: 'CANCELLED' }, { status: 'QUEUED', uncounted: 'queued' }, { status: 'RUNNING' }, { status: 'SUCCEEDED' }],
    ];
    const deltas = new CounterDeltas();
    for (const life of lives) {
      for (let i = 1; i < life.length; i += 1) deltas.shift(group, life[i - 1] ?? null, life[i] ?? null);
    }
    const values = deltas.entries()[0]?.values ?? {};
    expect(values).toMatchObject({ submitted: 3, status_SUCCEEDED: 2, status_DEAD: 1, succeeded: 2, dead: 1, cancelled: 1 });
    for (const active of ['QUEUED', 'RUNNING', 'RETRYING', 'CANCELLED']) expect(values[`status_${active}`] ?? 0).toBe(0);
  });
});

describe('jobsByStatus', () => {
  it('adds the messages ready in the queues to QUEUED and never shows a negative count', () => {
    const counts = jobsByStatus([{ ...group, values: { status_QUEUED: 2, status_RUNNING: -1, status_SUCCEEDED: 5 } }], 7);
    expect(counts).toMatchObject({ QUEUED: 9, RUNNING: 0, SUCCEEDED: 5, DEAD: 0 });
  });
});
