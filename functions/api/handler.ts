import { jobs } from 'skyforge-job-registry';
import { createApiHandler } from './create-handler.ts';

export const handler = createApiHandler(jobs);
