import { toJobView, type Job } from '../../shared/domain/job.ts';

/** A job as the API shows it. */
export const jobView = (job: Job) => toJobView(job);

/** A dead job as /dlq shows it: with the reason it died. */
export const deadJobView = (job: Job) => ({ ...toJobView(job), deadReason: job.deadReason });
