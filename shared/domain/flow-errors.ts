import { SkyForgeError } from './errors.ts';

/** GET /flows/{id} (and its actions) of a flow that does not exist. */
export class FlowNotFoundError extends SkyForgeError {
  override name = 'FlowNotFoundError';
  readonly flowId: string;
  constructor(id: string) {
    super('NOT_FOUND', `flow ${id} does not exist`, { id });
    this.flowId = id;
  }
}

/** POST /flows with an idempotencyKey already used for a different flow body. */
export class FlowIdempotencyKeyReusedError extends SkyForgeError {
  override name = 'FlowIdempotencyKeyReusedError';
  constructor(key: string, flowId: string) {
    super('IDEMPOTENCY_KEY_REUSED', `idempotencyKey "${key}" was already used for a different flow body`, { idempotencyKey: key, flowId });
  }
}

/**
 * A dependent was queued but its message could not be sent. Not an API error: the worker keeps
 * the dependency's message, whose redelivery runs the release again and sends it then.
 */
export class DependentNotSentError extends Error {
  override name = 'DependentNotSentError';
  readonly jobId: string;
  constructor(jobId: string, reason: string) {
    super(`dependent job ${jobId} is QUEUED but its message could not be sent (${reason}); the release runs again`);
    this.jobId = jobId;
  }
}
