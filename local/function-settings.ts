import { WORKER_DEFAULTS } from '../shared/config/definitions.ts';

/**
 * Timeouts, memory and event source settings of the three functions as a default deployment
 * has them. The worker's come from shared/config/definitions.ts; the api's and dead-letter
 * consumer's defaults live in infra/constructs/resolve-skyforge-config.ts (infra code the local
 * cloud must not import), so they are mirrored here: keep the two in step.
 */
export const LOCAL_FUNCTIONS = {
  api: { timeoutSeconds: 29, memoryMb: 512 },
  worker: {
    timeoutSeconds: WORKER_DEFAULTS.timeoutSeconds,
    memoryMb: WORKER_DEFAULTS.memoryMb,
    batchSize: WORKER_DEFAULTS.batchSize,
    maxBatchingWindowSeconds: WORKER_DEFAULTS.maxBatchingWindowSeconds,
    totalMaximumConcurrency: WORKER_DEFAULTS.totalMaximumConcurrency,
  },
  /** The DLQ mappings use Lambda's default batch size (10) and no batching window, as the stack does. */
  deadLetter: { timeoutSeconds: 30, memoryMb: 256, batchSize: 10, maximumConcurrency: 2 },
} as const;
