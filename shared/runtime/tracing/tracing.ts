import type { MiddlewareObj } from '@middy/core';

/**
 * Tracing as the handlers use it. Which implementation a function gets is decided at bundle time
 * through the `skyforge-tracing` alias (like the job registry): `tracing-off.ts` by default,
 * `tracing-xray.ts` when the SkyForge construct's `tracing` is on. So a function without
 * tracing carries neither the X-Ray SDK (about 120 KB minified) nor its async hooks, which tax
 * every promise of every invocation.
 */
export interface Tracing {
  /** True when SDK calls and invocations are recorded (X-Ray). */
  readonly enabled: boolean;
  /** Wraps an AWS SDK client once, before use, so its calls become subsegments. */
  captureClient<T>(client: T): T;
  /** The handler middlewares (X-Ray: Powertools' captureLambdaHandler), in order; none when off. */
  middlewares(): MiddlewareObj[];
}

export type CreateTracing = (serviceName: string) => Tracing;
