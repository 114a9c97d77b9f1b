import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalCloudUsage } from '../local/cloud.ts';
import { usageBetween } from './cost.ts';
import type { BenchCloud } from './skyforge.ts';

/**
 * The price of flows (issue 17), measured: flows of three shapes of demo.echo jobs on the metered
 * local cloud, and what each costs in DynamoDB writes (calls and write units), SQS sends and
 * reads per flow job. `independent` (the same number of jobs, no edges) isolates the flow's own
 * overhead; the difference to it, divided by the edges, is the cost of one dependency edge.
 */

export interface FlowShape {
  name: string;
  /** The POST /flows jobs of one flow. */
  jobs: Array<{ ref: string; type: string; payload: unknown; dependsOn?: string[] }>;
}

const echo = (ref: string, dependsOn?: string[]) => ({ ref, type: 'demo.echo', payload: { ref }, ...(dependsOn ? { dependsOn } : {}) });

export const FLOW_SHAPES: readonly FlowShape[] = [
  { name: 'independent (4 jobs, 0 edges)', jobs: ['a', 'b', 'c', 'd'].map((r) => echo(r)) },
  { name: 'diamond (4 jobs, 4 edges)', jobs: [echo('a'), echo('b', ['a']), echo('c', ['a']), echo('d', ['b', 'c'])] },
  { name: 'fan-out (10 jobs: 9 into 1, 9 edges)', jobs: [...Array.from({ length: 9 }, (_, i) => echo(`p${i}`)), echo('merge', Array.from({ length: 9 }, (_, i) => `p${i}`))] },
];

/** Per flow job of one shape's run. */
export interface FlowCost {
  shape: string;
  flows: number;
  jobs: number;
  edges: number;
  seconds: number;
  /** Single-item writes (PutItem, UpdateItem, DeleteItem calls) per flow job. */
  writesPerJob: number;
  /** DynamoDB write units per flow job (item sizes as DynamoDB bills them). */
  wruPerJob: number;
  /** SQS SendMessage and SendMessageBatch calls per flow job. */
  sendsPerJob: number;
  /** GetItem and BatchGetItem calls per flow job. */
  readsPerJob: number;
}

const sum = (record: Record<string, number>, keep: (key: string) => boolean): number =>
  Object.entries(record).reduce((total, [key, value]) => (keep(key) ? total + value : total), 0);

/** Runs `flows` flows of a shape (8 POST /flows at a time), waits until every job finished, and meters it. */
export async function runFlowCost(bench: BenchCloud, shape: FlowShape, flows: number): Promise<FlowCost> {
  const jobsPerFlow = shape.jobs.length;
  const edges = shape.jobs.reduce((n, j) => n + (j.dependsOn?.length ?? 0), 0);
  const base = await finished(bench);
  bench.cloud.setCapacityMetering(true);
  const before = bench.usage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < flows) {
        next += 1;
        const response = await fetch(`${bench.cloud.apiUrl}/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobs: shape.jobs }) });
        if (response.status !== 201) throw new Error(`POST /flows answered ${response.status}: ${await response.text()}`);
      }
    }),
  );
  // The counters say when every job has finished (polling GET /flows would be metered too).
  const deadline = Date.now() + 300_000;
  while ((await finished(bench)) - base < flows * jobsPerFlow) {
    if (Date.now() > deadline) throw new Error(`flows of ${shape.name} did not finish within 300 s`);
    await sleep(250);
  }
  const seconds = (performance.now() - started) / 1000;
  await sleep(500);
  const usage: LocalCloudUsage = usageBetween(before, bench.usage());
  bench.cloud.setCapacityMetering(false);
  const jobs = flows * jobsPerFlow;
  return {
    shape: shape.name,
    flows,
    jobs,
    edges: flows * edges,
    seconds,
    writesPerJob: sum(usage.calls, (k) => /^DynamoDB\.(PutItem|UpdateItem|DeleteItem)$/.test(k)) / jobs,
    wruPerJob: sum(usage.dynamodb?.writeUnits ?? {}, () => true) / jobs,
    sendsPerJob: sum(usage.calls, (k) => /^SQS\.SendMessage(Batch)?$/.test(k)) / jobs,
    readsPerJob: sum(usage.calls, (k) => /^DynamoDB\.(GetItem|BatchGetItem)$/.test(k)) / jobs,
  };
}

async function finished(bench: BenchCloud): Promise<number> {
  const c = await bench.finishedCount();
  return c.succeeded + c.dead + c.cancelled;
}

/** What one dependency edge adds, from a shape's run and the edge-free run of the same jobs. */
export function costPerEdge(run: FlowCost, independent: FlowCost): { writes: number; wru: number; sends: number; reads: number } {
  const per = (mine: number, theirs: number) => (run.edges === 0 ? 0 : ((mine - theirs) * run.jobs) / run.edges);
  return {
    writes: per(run.writesPerJob, independent.writesPerJob),
    wru: per(run.wruPerJob, independent.wruPerJob),
    sends: per(run.sendsPerJob, independent.sendsPerJob),
    reads: per(run.readsPerJob, independent.readsPerJob),
  };
}

/** The report's flows section: per flow job, and per edge. */
export function flowCostReport(runs: readonly FlowCost[]): string {
  const independent = runs[0];
  const rows = runs.map((r) => {
    const edge = independent ? costPerEdge(r, independent) : null;
    const f = (n: number) => n.toFixed(2);
    return `| ${r.shape} | ${r.flows} | ${f(r.writesPerJob)} | ${f(r.wruPerJob)} | ${f(r.sendsPerJob)} | ${f(r.readsPerJob)} | ${edge && r.edges > 0 ? `${f(edge.writes)} / ${f(edge.wru)} / ${f(edge.sends)} / ${f(edge.reads)}` : '-'} |`;
  });
  return [
    '| flow shape | flows | writes / job | WRU / job | SQS sends / job | reads / job | per edge: writes / WRU / sends / reads |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
