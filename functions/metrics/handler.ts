import { createMetricsHandler } from './create-handler.ts';

// No job registry: the metrics function never runs or checks jobs, so the user's job code stays out of its bundle.
export const handler = createMetricsHandler();
