import type { Job } from './api.ts';

/** Orders a flow's jobs in stages: a job's stage is one more than its deepest dependency's. */
export function flowStages(jobs: Record<string, Job>): Array<Array<[string, Job]>> {
  const byId = new Map(Object.entries(jobs).map(([ref, job]) => [job.id, ref]));
  const depth = new Map<string, number>();
  const visit = (ref: string, seen: Set<string>): number => {
    const known = depth.get(ref);
    if (known !== undefined) return known;
    if (seen.has(ref)) return 0; // a cycle cannot be created (the API refuses it); guard anyway
    seen.add(ref);
    const deps = (jobs[ref]?.dependsOn ?? []).map((id) => byId.get(id)).filter((r): r is string => r !== undefined);
    const d = deps.length ? Math.max(...deps.map((r) => visit(r, seen))) + 1 : 0;
    depth.set(ref, d);
    return d;
  };
  const stages: Array<Array<[string, Job]>> = [];
  for (const [ref, job] of Object.entries(jobs)) {
    const d = visit(ref, new Set());
    (stages[d] ??= []).push([ref, job]);
  }
  return stages.filter(Boolean);
}
