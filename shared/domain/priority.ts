/** The four queues, most urgent first. Each has its own SQS queue and share of worker concurrency. */
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
