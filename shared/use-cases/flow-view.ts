import { flowStatusOf, type FlowRecord, type FlowStatus } from '../domain/flow.ts';
import { toJobView, type Job, type JobView } from '../domain/job.ts';

/** GET /flows/{id} (API.md "Flows"): the flow with every job, by ref; its status derived from theirs. */
export interface FlowView {
  id: string;
  status: FlowStatus;
  createdAt: string;
  idempotencyKey: string | null;
  jobs: Record<string, JobView>;
}

/** A job not written yet (a creation cut short, before its retry) is left out and keeps the flow RUNNING. */
export function flowView(flow: FlowRecord, jobs: readonly Job[]): FlowView {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const present = flow.jobs.flatMap((entry) => {
    const job = byId.get(entry.jobId);
    return job ? [[entry.ref, job] as const] : [];
  });
  return {
    id: flow.id,
    status: flowStatusOf(present.map(([, job]) => job.status), flow.jobs.length),
    createdAt: flow.createdAt,
    idempotencyKey: flow.idempotencyKey,
    jobs: Object.fromEntries(present.map(([ref, job]) => [ref, toJobView(job)])),
  };
}
