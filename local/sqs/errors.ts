/**
 * SQS errors as they travel on the wire.
 *
 * SQS speaks AWS JSON 1.0 in "query compatible" mode: an error carries the modeled shape in
 * `__type` and the old query-protocol code in the `x-amzn-query-error` header
 * (`<code>;Sender`). The SDK (`@aws-sdk/client-sqs`, `awsQueryCompatible: true`) prefers the
 * header code and maps it back to the modeled exception class through each shape's
 * `awsQueryError` trait, so `instanceof QueueDoesNotExist` works. Codes and HTTP statuses below
 * are copied from the traits in node_modules/@aws-sdk/client-sqs/dist-cjs/index.js; the ones
 * without a modeled shape (InvalidParameterValue, MissingParameter ...) surface in the SDK as a
 * plain SQSServiceException whose `name` is the code.
 */

interface WireError {
  /** Shape name: `__type` is `com.amazonaws.sqs#<shape>`. */
  readonly shape: string;
  /** Query-protocol code sent in `x-amzn-query-error`. */
  readonly queryCode: string;
  readonly status: number;
}

export const SQS_ERRORS = {
  QueueDoesNotExist: { shape: 'QueueDoesNotExist', queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueAlreadyExists: { shape: 'QueueNameExists', queryCode: 'QueueAlreadyExists', status: 400 },
  ReceiptHandleIsInvalid: { shape: 'ReceiptHandleIsInvalid', queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { shape: 'MessageNotInflight', queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  TooManyEntriesInBatchRequest: {
    shape: 'TooManyEntriesInBatchRequest',
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  BatchEntryIdsNotDistinct: {
    shape: 'BatchEntryIdsNotDistinct',
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    status: 400,
  },
  EmptyBatchRequest: { shape: 'EmptyBatchRequest', queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  InvalidBatchEntryId: { shape: 'InvalidBatchEntryId', queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { shape: 'BatchRequestTooLong', queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  PurgeQueueInProgress: { shape: 'PurgeQueueInProgress', queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  InvalidAttributeName: { shape: 'InvalidAttributeName', queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { shape: 'InvalidAttributeValue', queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { shape: 'InvalidMessageContents', queryCode: 'InvalidMessageContents', status: 400 },
  InvalidAddress: { shape: 'InvalidAddress', queryCode: 'InvalidAddress', status: 404 },
  UnsupportedOperation: { shape: 'UnsupportedOperation', queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  // Not modeled in the SDK: they reach callers as SQSServiceException with this `name`.
  InvalidParameterValue: { shape: 'InvalidParameterValue', queryCode: 'InvalidParameterValue', status: 400 },
  MissingParameter: { shape: 'MissingParameter', queryCode: 'MissingParameter', status: 400 },
  SerializationException: { shape: 'SerializationException', queryCode: 'SerializationException', status: 400 },
  ServiceUnavailable: { shape: 'ServiceUnavailable', queryCode: 'ServiceUnavailable', status: 503 },
  InternalFailure: { shape: 'InternalFailure', queryCode: 'InternalFailure', status: 500 },
} as const satisfies Record<string, WireError>;

export type SqsErrorCode = keyof typeof SQS_ERRORS;

/** A request the emulator refuses, the way SQS would; `toResponse` turns it into wire form. */
export class SqsRequestError extends Error {
  override readonly name = 'SqsRequestError';
  constructor(
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Whether the caller is at fault (the `SenderFault` of a failed batch entry). */
  get senderFault(): boolean {
    return SQS_ERRORS[this.code].status < 500;
  }
}

/** `Value <v> for parameter <name> is invalid. Reason: <reason>` is how SQS words most refusals. */
export function invalidParameter(parameter: string, value: unknown, reason: string): SqsRequestError {
  return new SqsRequestError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
  );
}

export function missingParameter(parameter: string): SqsRequestError {
  return new SqsRequestError('MissingParameter', `The request must contain the parameter ${parameter}.`);
}

export function queueDoesNotExist(): SqsRequestError {
  return new SqsRequestError('QueueDoesNotExist', 'The specified queue does not exist.');
}
