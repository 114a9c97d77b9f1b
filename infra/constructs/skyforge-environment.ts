import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.ts';
import { workerCapacityOf } from '../../shared/config/definitions.ts';
import type { JobQueues } from './job-queues.ts';
import type { JobScheduler } from './job-scheduler.ts';
import type { JobTable } from './job-table.ts';
import type { ResolvedSkyForgeConfig } from './resolve-skyforge-config.ts';

/**
 * The SkyForge settings every function receives, under the names shared/config/env.ts parses.
 * Every function gets the same set: one config schema, no "which function needs what" drift.
 * The house variables (Powertools, NODE_OPTIONS) are added by SkyForgeFunction.
 */
export function skyforgeEnvironment(
  scope: Construct,
  config: ResolvedSkyForgeConfig,
  table: JobTable,
  queues: JobQueues,
  scheduler: JobScheduler,
): Record<string, string> {
  const stack = Stack.of(scope);
  const env: Record<string, string> = {
    [ENV.tableName]: table.tableName,
    // toJsonString keeps the URL tokens intact (they render as Fn::Join at deploy time).
    [ENV.queueUrls]: stack.toJsonString(queues.queueUrls),
    [ENV.deadLetterQueueUrls]: stack.toJsonString(queues.deadLetterQueueUrls),
    [ENV.queueArns]: stack.toJsonString(queues.queueArns),
    [ENV.scheduleGroup]: scheduler.scheduleGroupName,
    [ENV.schedulerRoleArn]: scheduler.executionRole.roleArn,
    [ENV.scheduleDeadLetterArn]: scheduler.deadLetterQueue.queueArn,
    [ENV.jobRetentionSeconds]: String(config.jobRetentionSeconds),
    [ENV.deadJobRetentionSeconds]: String(config.deadJobRetentionSeconds),
    [ENV.maxPayloadBytes]: String(config.maxPayloadBytes),
    [ENV.maxResultBytes]: String(config.maxResultBytes),
    [ENV.maxJobTimeoutMs]: String(config.maxJobTimeoutMs),
    [ENV.demoJobs]: String(config.demoJobs),
    [ENV.workerCapacity]: JSON.stringify(workerCapacityOf(config.worker.maximumConcurrency, config.worker.batchSize)),
  };
  if (Object.keys(config.worker.queueRateLimits).length > 0) {
    env[ENV.queueRateLimits] = JSON.stringify(config.worker.queueRateLimits);
  }
  if (config.cancelPollMs !== undefined) {
    env[ENV.cancelPollMs] = String(config.cancelPollMs);
  }
  return env;
}
