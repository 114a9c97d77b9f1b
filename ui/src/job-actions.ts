import type { JobStatus } from './api.ts';

/**
 * Which operator actions a job's state allows (API.md, Jobs): the dashboard shows only these,
 * and the API still refuses any other with 409 INVALID_STATE (the state may have moved on).
 */
export const JOB_ACTIONS = {
  cancel: ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RETRYING', 'RUNNING'],
  retry: ['DEAD', 'CANCELLED'],
  dlq: ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RETRYING', 'RUNNING'],
  delete: ['BLOCKED', 'SCHEDULED', 'QUEUED', 'RETRYING', 'SUCCEEDED', 'DEAD', 'CANCELLED'],
} as const satisfies Record<string, readonly JobStatus[]>;

export type JobAction = keyof typeof JOB_ACTIONS;

export function allows(status: JobStatus, action: JobAction): boolean {
  return (JOB_ACTIONS[action] as readonly JobStatus[]).includes(status);
}
