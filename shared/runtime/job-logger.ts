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
