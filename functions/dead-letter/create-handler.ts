import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config/env.ts';
import type { JobDefinitions } from '../../shared/jobs/registry.ts';
import { createDeadLetterDependencies } from '../../shared/runtime/create-dependencies.ts';
import { createDeadLetterApp } from './app.ts';

/** The dead-letter function for a job registry (see functions/api/create-handler.ts). */
export function createDeadLetterHandler(jobs: JobDefinitions) {
  const config = loadConfig();
  const deps = createDeadLetterDependencies({ config, jobs, serviceName: 'skyforge-dead-letter' });
  const app = createDeadLetterApp(deps, {
    deadLetterQueueUrls: config.deadLetterQueueUrls,
    scheduleDeadLetterArn: config.scheduleDeadLetterArn,
  });
  return middy(app)
    .use(deps.tracing.middlewares())
    .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
}
