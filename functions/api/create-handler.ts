import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config/env.ts';
import type { JobDefinitions } from '../../shared/jobs/registry.ts';
import { createDependencies } from '../../shared/runtime/create-dependencies.ts';
import type { CreateTracing } from '../../shared/runtime/tracing/tracing.ts';
import { createApiApp } from './app.ts';

/**
 * The api function for a job registry, configured from the environment as it is now. The Lambda
 * entry (handler.ts) calls it once at module load with the bundled registry; the local cloud
 * calls it with the user's registry, and again on every reload of it.
 */
export function createApiHandler(jobs: JobDefinitions, options: { createTracing?: CreateTracing | undefined } = {}) {
  const config = loadConfig();
  const deps = createDependencies({ config, jobs, serviceName: 'skyforge-api', ...(options.createTracing ? { createTracing: options.createTracing } : {}) });
  return middy(
    createApiApp(deps, {
      apiToken: config.apiToken,
      // resetKeys (below) clears it before the next invocation.
      onRequest: (requestId, trace) => deps.powertoolsLogger.appendKeys({ requestId, traceId: trace.traceId, spanId: trace.spanId }),
    }),
  )
    .use(deps.tracing.middlewares())
    .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
}
