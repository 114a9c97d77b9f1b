/**
 * `skyforge`: what a job registry module needs. Define job types with a zod schema (zod is a
 * peer dependency: install it next to skyforge, so your schemas and SkyForge share one copy).
 *
 * @example
 * import * as z from 'zod';
 * import { defineJob, defineJobs, PermanentError } from 'skyforge';
 *
 * export const jobs = defineJobs({
 *   'email.send': defineJob({
 *     schema: z.object({ to: z.email() }),
 *     defaults: { priority: 'high', maxAttempts: 5 },
 *     handler: async ({ to }, ctx) => mailer.send(to, { signal: ctx.signal }),
 *   }),
 * });
 */
export {
  defineJob,
  defineJobs,
  type AnyJobDefinition,
  type DependencyOutcome,
  type JobContext,
  type JobDefinition,
  type JobDefinitions,
  type JobLogger,
  type JobPayloads,
  type JobTrace,
  type JobTypeDefaults,
} from '../shared/jobs/registry.ts';
export { JobCancelledError, JobTimeoutError, PermanentError } from '../shared/domain/errors.ts';
export type { BackoffPolicy, JobStatus, JobView, Priority } from '../shared/domain/job.ts';
