import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { jobs } from 'skyforge-job-registry';
import { loadConfig } from '../../shared/config/env.ts';
import { createDependencies } from '../../shared/runtime/create-dependencies.ts';
import { createApiApp } from './app.ts';

const config = loadConfig();
const deps = createDependencies({ config, jobs, serviceName: 'skyforge-api' });

export const handler = middy(
  createApiApp(deps, {
    apiToken: config.apiToken,
    // resetKeys (below) clears it before the next invocation.
    onRequest: (requestId) => deps.powertoolsLogger.appendKeys({ requestId }),
  }),
)
  .use(deps.tracing.middlewares())
  .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
