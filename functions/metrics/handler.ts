import { jobs } from 'skyforge-job-registry';
import { createMetricsHandler } from './create-handler.ts';

export const handler = createMetricsHandler(jobs);
