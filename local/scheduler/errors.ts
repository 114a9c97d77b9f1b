/**
 * EventBridge Scheduler errors as they travel on the wire, and the emulator's own errors.
 *
 * Scheduler speaks REST-JSON (restJson1). The SDK (`@aws-sdk/client-scheduler`) reads the error
 * name from the `x-amzn-errortype` header first, then looks it up among the modeled shapes of
 * `com.amazonaws.scheduler`, so the header alone makes `instanceof ResourceNotFoundException`
 * work; the body carries the shapes' only member, `Message`. Statuses are the `httpError` traits
 * of node_modules/@aws-sdk/client-scheduler/dist-es/schemas/schemas_0.js.
 */
export const SCHEDULER_ERRORS = {
  ValidationException: { status: 400 },
  ResourceNotFoundException: { status: 404 },
  ConflictException: { status: 409 },
  ServiceQuotaExceededException: { status: 402 },
  ThrottlingException: { status: 429 },
  InternalServerException: { status: 500 },
  // Not modeled by the SDK (callers see a SchedulerServiceException with this `name`).
  UnknownOperationException: { status: 404 },
  ServiceUnavailableException: { status: 503 },
} as const satisfies Record<string, { status: number }>;

export type SchedulerErrorCode = keyof typeof SCHEDULER_ERRORS;

/** A request the emulator refuses the way EventBridge Scheduler would. */
export class SchedulerRequestError extends Error {
  override readonly name = 'SchedulerRequestError';
  constructor(
    readonly code: SchedulerErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return SCHEDULER_ERRORS[this.code].status;
  }
}

/** AWS's wording for a field that breaks its model constraints ("1 validation error detected: ..."). */
export function constraintViolation(field: string, value: unknown, constraint: string): SchedulerRequestError {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return new SchedulerRequestError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

export function validationError(message: string): SchedulerRequestError {
  return new SchedulerRequestError('ValidationException', message);
}

export function scheduleNotFound(name: string): SchedulerRequestError {
  return new SchedulerRequestError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
}

export function groupNotFound(name: string): SchedulerRequestError {
  return new SchedulerRequestError('ResourceNotFoundException', `Schedule group ${name} does not exist.`);
}

/**
 * A target the local cloud cannot invoke, or an invocation that failed; the emulator retries
 * it under the schedule's RetryPolicy like any failed delivery.
 */
export class ScheduleDeliveryError extends Error {
  override readonly name = 'ScheduleDeliveryError';
  readonly code = 'SCHEDULE_DELIVERY_FAILED';
  constructor(
    readonly targetArn: string,
    reason: string,
  ) {
    super(`delivery to ${targetArn} failed: ${reason}`);
  }
}

/** The data folder holds something the Scheduler emulator cannot read back safely. */
export class SchedulerJournalCorruptError extends Error {
  override readonly name = 'SchedulerJournalCorruptError';
  readonly code = 'SCHEDULER_JOURNAL_CORRUPT';
}
