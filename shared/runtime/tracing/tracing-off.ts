import type { CreateTracing } from './tracing.ts';

/** No tracing: SDK clients as they are, no middleware. The default, and what the local cloud runs. */
export const createTracing: CreateTracing = () => ({
  enabled: false,
  captureClient: (client) => client,
  middlewares: () => [],
});
