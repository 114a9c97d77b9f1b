import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config/env.ts';
import type { JobDefinitions } from '../../shared/jobs/registry.ts';
import { createMetricsDependencies } from '../../shared/runtime/table-dependencies.ts';
import { createMetricsApp } from './app.ts';

/**
 * The metrics function (see functions/api/create-handler.ts). It never looks at job types, so
 * it takes no registry: `_jobs` is accepted, and ignored, so every function is built alike.
 */
export function createMetricsHandler(_jobs?: JobDefinitions) {
  const config = loadConfig();
  const deps = createMetricsDependencies({ config, serviceName: 'skyforge-metrics' });
  return middy(createMetricsApp(deps))
    .use(deps.tracing.middlewares())
    .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
}
