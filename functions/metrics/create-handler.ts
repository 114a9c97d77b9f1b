import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config/env.ts';
import type { JobDefinitions } from '../../shared/jobs/registry.ts';
import { createDependencies } from '../../shared/runtime/create-dependencies.ts';
import { createMetricsApp } from './app.ts';

/** The metrics function for a job registry (see functions/api/create-handler.ts). */
export function createMetricsHandler(jobs: JobDefinitions) {
  const config = loadConfig();
  const deps = createDependencies({ config, jobs, serviceName: 'skyforge-metrics' });
  return middy(createMetricsApp(deps))
    .use(deps.tracing.middlewares())
    .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
}
