import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { jobs } from 'skyforge-job-registry';
import { loadConfig } from '../../shared/config/env.ts';
import { createDependencies } from '../../shared/runtime/create-dependencies.ts';
import { createMetricsApp } from './app.ts';

const config = loadConfig();
const deps = createDependencies({ config, jobs, serviceName: 'skyforge-metrics' });

export const handler = middy(createMetricsApp(deps))
  .use(deps.tracing.middlewares())
  .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
