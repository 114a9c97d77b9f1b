import { demoJobs } from './demo-jobs.ts';
import { JobRegistry, type JobDefinitions } from './registry.ts';

/**
 * The registry a handler runs with: the user's job types, plus the demo types unless the
 * deployment switched them off. A user type of the same name wins over a demo type.
 */
export function createJobRegistry(userJobs: JobDefinitions, options: { demoJobs: boolean }): JobRegistry {
  return new JobRegistry(options.demoJobs ? { ...demoJobs, ...userJobs } : { ...userJobs });
}
