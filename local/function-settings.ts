import { API_FUNCTION_DEFAULTS, DEAD_LETTER_DEFAULTS, METRICS_FUNCTION_DEFAULTS, WORKER_DEFAULTS } from '../shared/config/definitions.ts';

/**
 * Timeouts, memory and event source settings of the three functions as a default deployment
 * has them: the same definitions the CDK construct resolves its defaults from.
 */
export const LOCAL_FUNCTIONS = {
  api: API_FUNCTION_DEFAULTS,
  worker: {
    timeoutSeconds: WORKER_DEFAULTS.timeoutSeconds,
    memoryMb: WORKER_DEFAULTS.memoryMb,
    batchSize: WORKER_DEFAULTS.batchSize,
    maxBatchingWindowSeconds: WORKER_DEFAULTS.maxBatchingWindowSeconds,
    totalMaximumConcurrency: WORKER_DEFAULTS.totalMaximumConcurrency,
  },
  deadLetter: DEAD_LETTER_DEFAULTS,
  metrics: METRICS_FUNCTION_DEFAULTS,
} as const;
