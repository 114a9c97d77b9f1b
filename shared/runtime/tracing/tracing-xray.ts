import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { CreateTracing } from './tracing.ts';

/**
 * AWS X-Ray through Powertools' Tracer: one segment per invocation (cold start and errors
 * annotated) and a subsegment per AWS SDK call. Bundled only when the construct's `tracing` is on.
 */
export const createTracing: CreateTracing = (serviceName) => {
  const tracer = new Tracer({ serviceName });
  return {
    enabled: tracer.isTracingEnabled(),
    captureClient: (client) => tracer.captureAWSv3Client(client),
    middlewares: () => [captureLambdaHandler(tracer)],
  };
};
