import { jobs } from 'skyforge-job-registry';
import { createDeadLetterHandler } from './create-handler.ts';

export const handler = createDeadLetterHandler(jobs);
