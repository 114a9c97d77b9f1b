import { API_FUNCTION_DEFAULTS, DEAD_LETTER_DEFAULTS, DEFAULT_PREFIX, METRICS_FUNCTION_DEFAULTS, WORKER_DEFAULTS } from '../shared/config/definitions.ts';

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

/**
 * Each function's name in the local cloud, which is also the access key id it signs its AWS calls
 * with there: the local IAM checks those calls against that function's synthesized policies.
 */
export const LOCAL_FUNCTION_NAMES = {
  api: `${DEFAULT_PREFIX}-api`,
  metrics: `${DEFAULT_PREFIX}-metrics`,
  worker: `${DEFAULT_PREFIX}-worker`,
  deadLetter: `${DEFAULT_PREFIX}-dead-letter`,
} as const;
