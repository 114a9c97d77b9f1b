import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { jobs } from 'skyforge-job-registry';
import { loadConfig } from '../../shared/config/env.ts';
import { createDependencies } from '../../shared/runtime/create-dependencies.ts';
import { createDeadLetterApp } from './app.ts';

const config = loadConfig();
const deps = createDependencies({ config, jobs, serviceName: 'skyforge-dead-letter' });

const app = createDeadLetterApp(deps, {
  deadLetterQueueUrls: config.deadLetterQueueUrls,
  scheduleDeadLetterArn: config.scheduleDeadLetterArn,
});

export const handler = middy(app)
  .use(deps.tracing.middlewares())
  .use(injectLambdaContext(deps.powertoolsLogger, { resetKeys: true }));
