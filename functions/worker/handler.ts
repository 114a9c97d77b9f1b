import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { jobs } from 'skyforge-job-registry';
import { loadConfig } from '../../shared/config/env.ts';
import { createDependencies } from '../../shared/runtime/create-dependencies.ts';
import { createWorkerApp } from './app.ts';

const config = loadConfig();
const deps = createDependencies({ config, jobs, serviceName: 'skyforge-worker' });

export const handler = middy(createWorkerApp(deps, { queueUrls: config.queueUrls }))
  .use(deps.tracing.middlewares())
  .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
