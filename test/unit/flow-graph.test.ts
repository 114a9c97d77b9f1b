import { describe, expect, it } from 'vitest';
import { countDependency, decideRelease, newGate, type GateState } from '../../shared/domain/dependency-gate.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { flowStatusOf, validateFlowGraph } from '../../shared/domain/flow.ts';
import type { JobStatus } from '../../shared/domain/job.ts';

type Node = { ref: string; dependsOn: string[] };
const n = (ref: string, ...dependsOn: string[]): Node => ({ ref, dependsOn });
const many = (count: number): Node[] => Array.from({ length: count }, (_, i) => n(`j${i}`));

describe('validateFlowGraph', () => {
  // prettier-ignore
  const REFUSED: [string, Node[], RegExp, Record<string, unknown>][] = [
    ['a two-job cycle',          [n('a', 'b'), n('b', 'a')],                        /cycle: a -> b -> a/,        { cycle: ['a', 'b', 'a'] }],
    ['a three-job cycle',        [n('x'), n('a', 'c'), n('b', 'a'), n('c', 'b')],   /cycle: a -> c -> b -> a/,   { cycle: ['a', 'c', 'b', 'a'] }],
    ['a job on itself',          [n('a', 'a')],                                     /"a" depends on itself/,     { field: 'jobs.0.dependsOn.0' }],
    ['an unknown ref',           [n('a'), n('b', 'a', 'zz')],                       /unknown ref "zz"/,          { field: 'jobs.1.dependsOn.1', ref: 'zz' }],
    ['a duplicate ref',          [n('a'), n('b'), n('a')],                          /duplicate ref "a"/,         { field: 'jobs.2.ref', ref: 'a' }],
    ['a dependency named twice', [n('a'), n('b', 'a', 'a')],                        /names a dependency twice/,  { field: 'jobs.1.dependsOn' }],
    ['101 jobs',                 many(101),                                         /at most 100 jobs \(got 101\)/, { max: 100 }],
    ['no job',                   [],                                                /at least one job/,          { field: 'jobs' }],
  ];

  it.each(REFUSED)('refuses %s with VALIDATION_ERROR naming it', (_name, nodes, message, details) => {
    let thrown: unknown;
    try {
      validateFlowGraph(nodes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).code).toBe('VALIDATION_ERROR');
    expect((thrown as ValidationError).message).toMatch(message);
    expect((thrown as ValidationError).details).toMatchObject(details);
  });

  // prettier-ignore
  const ACCEPTED: [string, Node[]][] = [
    ['one job',                     [n('a')]],
    ['a diamond',                   [n('a'), n('b', 'a'), n('c', 'a'), n('d', 'b', 'c')]],
    ['refs in any order',           [n('d', 'b', 'c'), n('c', 'a'), n('b', 'a'), n('a')]],
    ['100 jobs',                    many(100)],
    ['a fan-out of 99 into one',    [...many(99), n('merge', ...many(99).map((j) => j.ref))]],
    ['a chain of 100',              Array.from({ length: 100 }, (_, i) => (i === 0 ? n('c0') : n(`c${i}`, `c${i - 1}`)))],
  ];

  it.each(ACCEPTED)('accepts %s', (_name, nodes) => {
    expect(() => validateFlowGraph(nodes)).not.toThrow();
  });
});

describe('the gate under duplicate deliveries', () => {
  /** Each row: the dependencies, the deliveries in order (ref, failed?), and what the gate says after each. */
  // prettier-ignore
  const ROWS: { name: string; deps: string[]; deliveries: [string, boolean][]; counted: boolean[]; remaining: number[] }[] = [
    { name: 'each once',                         deps: ['a', 'b'],      deliveries: [['a', false], ['b', false]],                             counted: [true, true],                    remaining: [1, 0] },
    { name: 'a delivered twice before b',        deps: ['a', 'b'],      deliveries: [['a', false], ['a', false], ['b', false]],               counted: [true, false, true],             remaining: [1, 1, 0] },
    { name: 'a delivered three times',           deps: ['a', 'b', 'c'], deliveries: [['a', false], ['a', false], ['a', false]],               counted: [true, false, false],            remaining: [2, 2, 2] },
    { name: 'every one twice, interleaved',      deps: ['a', 'b', 'c'], deliveries: [['a', false], ['b', false], ['a', false], ['c', false], ['b', false], ['c', false]], counted: [true, true, false, true, false, false], remaining: [2, 1, 1, 0, 0, 0] },
    { name: 'a job that is no dependency',       deps: ['a'],           deliveries: [['x', false], ['a', false]],                             counted: [false, true],                   remaining: [1, 0] },
    { name: 'the last one again after zero',     deps: ['a'],           deliveries: [['a', false], ['a', false]],                             counted: [true, false],                   remaining: [0, 0] },
  ];

  it.each(ROWS)('$name', ({ deps, deliveries, counted, remaining }) => {
    let gate: GateState = newGate(deps);
    const seen = deliveries.map(([dep, failed]) => {
      const out = countDependency(gate, dep, failed);
      gate = out.gate;
      return { counted: out.counted, remaining: out.gate.remaining };
    });
    expect(seen.map((s) => s.counted)).toEqual(counted);
    expect(seen.map((s) => s.remaining)).toEqual(remaining);
    // never below zero, and zero exactly once every dependency was counted
    expect(Math.min(...seen.map((s) => s.remaining))).toBeGreaterThanOrEqual(0);
  });

  it('counts a failure once and remembers the first failed dependency', () => {
    let gate = newGate(['a', 'b', 'c']);
    for (const [dep, failed] of [['b', true], ['b', true], ['c', true], ['a', false]] as const) gate = countDependency(gate, dep, failed).gate;
    expect(gate).toMatchObject({ remaining: 0, failures: 2, failedDependency: 'b' });
  });
});

describe('decideRelease', () => {
  // prettier-ignore
  const ROWS: [number, number, 'cancel' | 'run', 'cancel' | 'unblock' | 'wait'][] = [
    // remaining failures policy    action
    [1,         0,       'cancel',  'wait'],
    [0,         0,       'cancel',  'unblock'],
    [1,         1,       'cancel',  'cancel'],   // cancelled at once, without waiting for the others
    [0,         1,       'cancel',  'cancel'],   // a success counted last still sees the earlier failure
    [1,         1,       'run',     'wait'],
    [0,         2,       'run',     'unblock'],  // runs anyway and sees the failures in ctx.dependencies
    [0,         0,       'run',     'unblock'],
  ];
  it.each(ROWS)('remaining %i, failures %i, policy %s: %s', (remaining, failures, policy, action) => {
    expect(decideRelease({ remaining, failures }, policy)).toBe(action);
  });
});

describe('flowStatusOf', () => {
  // prettier-ignore
  const ROWS: [JobStatus[], number, string][] = [
    [['SUCCEEDED', 'SUCCEEDED'],             2, 'SUCCEEDED'],
    [['SUCCEEDED', 'BLOCKED'],               2, 'RUNNING'],
    [['DEAD', 'RUNNING'],                    2, 'RUNNING'],   // a `run` dependent still working
    [['DEAD', 'CANCELLED', 'SUCCEEDED'],     3, 'FAILED'],
    [['CANCELLED', 'SUCCEEDED'],             2, 'CANCELLED'],
    [['SUCCEEDED'],                          2, 'RUNNING'],   // a job not written yet (creation cut short)
  ];
  it.each(ROWS)('%j of %i jobs: %s', (statuses, expected, status) => {
    expect(flowStatusOf(statuses, expected)).toBe(status);
  });
});
