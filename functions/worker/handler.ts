import { jobs } from 'skyforge-job-registry';
import { createWorkerHandler } from './create-handler.ts';

export const handler = createWorkerHandler(jobs);
