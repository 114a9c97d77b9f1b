import type { Flow, JobStatus } from './api.ts';

const UNFINISHED: readonly JobStatus[] = ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RETRYING', 'RUNNING'];

/**
 * Which operator actions a flow allows (API.md, Flows): Cancel while a job is unfinished, Retry
 * once a job is DEAD (retry replays the DEAD jobs). The API still refuses what no longer applies.
 */
export const FLOW_ACTIONS = {
  cancel: (flow: Flow) => Object.values(flow.jobs).some((job) => UNFINISHED.includes(job.status)),
  retry: (flow: Flow) => Object.values(flow.jobs).some((job) => job.status === 'DEAD'),
} as const;

export type FlowAction = keyof typeof FLOW_ACTIONS;

export function flowAllows(flow: Flow, action: FlowAction): boolean {
  return FLOW_ACTIONS[action](flow);
}
