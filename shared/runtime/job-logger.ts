import type { Logger } from '@aws-lambda-powertools/logger';
import type { JobLogger } from '../jobs/registry.ts';

/** Powertools' Logger behind the small JobLogger interface handlers and use cases see. */
export function toJobLogger(logger: Logger): JobLogger {
  return {
    debug: (message, extra) => logger.debug(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

/** A logger whose every line carries the job's id, type, attempt and queue, and its trace and span ids. */
export function withJobKeys(
  logger: JobLogger,
  job: { id: string; type: string; attempts: number; priority: string },
  trace?: { traceId: string; spanId: string },
): JobLogger {
  const keys = { jobId: job.id, type: job.type, attempt: job.attempts, queue: job.priority, ...(trace ? { traceId: trace.traceId, spanId: trace.spanId } : {}) };
  return withKeys(logger, keys);
}

/** A logger whose every line carries `keys` (a line's own fields win). */
export function withKeys(logger: JobLogger, keys: Record<string, unknown>): JobLogger {
  return {
    debug: (m, e) => logger.debug(m, { ...keys, ...e }),
    info: (m, e) => logger.info(m, { ...keys, ...e }),
    warn: (m, e) => logger.warn(m, { ...keys, ...e }),
    error: (m, e) => logger.error(m, { ...keys, ...e }),
  };
}
