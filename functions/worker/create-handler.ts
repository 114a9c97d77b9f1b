import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config/env.ts';
import type { JobDefinitions } from '../../shared/jobs/registry.ts';
import { createDependencies } from '../../shared/runtime/create-dependencies.ts';
import type { CreateTracing } from '../../shared/runtime/tracing/tracing.ts';
import { createWorkerApp } from './app.ts';

/** The worker function for a job registry (see functions/api/create-handler.ts). */
export function createWorkerHandler(jobs: JobDefinitions, options: { createTracing?: CreateTracing | undefined } = {}) {
  const config = loadConfig();
  // The local cloud passes the OpenTelemetry module in (--otel-endpoint); Lambda bundles it by alias.
  const deps = createDependencies({ config, jobs, serviceName: 'skyforge-worker', ...(options.createTracing ? { createTracing: options.createTracing } : {}) });
  return middy(createWorkerApp(deps, { queueUrls: config.queueUrls }))
    .use(deps.tracing.middlewares())
    .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
}
