import { SqsRequestError } from './errors.ts';
import { isRecord } from './request-fields.ts';

/**
 * Queue attributes: which ones exist, their defaults and ranges, and how a request's values
 * are checked and normalised. Values are kept as the strings SQS returns, so GetQueueAttributes
 * and the CreateQueue "same attributes?" comparison work on one representation.
 */

/** Settable attributes of a standard queue and their defaults (MaximumMessageSize is 1 MiB since 2026). */
export const QUEUE_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

/** Attributes that exist only on FIFO queues; SQS calls them unknown on a standard queue. */
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

const SETTABLE = new Set([
  ...Object.keys(INTEGER_RANGES),
  'SqsManagedSseEnabled',
  'KmsMasterKeyId',
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
]);

/** Names GetQueueAttributes understands (settable ones plus the computed ones). */
export const READABLE_QUEUE_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...SETTABLE,
  'All',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'FifoQueue',
  ...FIFO_ONLY,
]);

export const MAX_RECEIVE_COUNT_RANGE = [1, 1000] as const;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface AttributeCheckContext {
  /** Whether a queue with this ARN exists (a RedrivePolicy must point at one). */
  queueArnExists(arn: string): boolean;
}

/**
 * Checks and normalises the attributes of CreateQueue / SetQueueAttributes. An empty
 * RedrivePolicy / Policy / RedriveAllowPolicy / KmsMasterKeyId means "remove" and is returned
 * as '' so the caller can delete it.
 */
export function normalizeQueueAttributes(
  input: Readonly<Record<string, string>>,
  context: AttributeCheckContext,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    if (name === 'FifoQueue') {
      if (raw.toLowerCase() === 'true') {
        throw new SqsRequestError('UnsupportedOperation', 'FIFO queues are not supported by the SkyForge SQS emulator.');
      }
      continue;
    }
    if (!SETTABLE.has(name)) throw new SqsRequestError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    result[name] = normalizeValue(name, raw, context);
  }
  return result;
}

function normalizeValue(name: string, raw: string, context: AttributeCheckContext): string {
  const range = INTEGER_RANGES[name];
  if (range !== undefined) {
    const value = raw.trim();
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < range[0] || number > range[1]) throw invalidAttributeValue(name);
    return String(number);
  }
  switch (name) {
    case 'SqsManagedSseEnabled': {
      const value = raw.trim().toLowerCase();
      if (value !== 'true' && value !== 'false') throw invalidAttributeValue(name);
      return value;
    }
    case 'RedrivePolicy':
      return raw.trim() === '' ? '' : JSON.stringify(parseRedrivePolicyValue(raw, context));
    case 'Policy':
    case 'RedriveAllowPolicy':
      if (raw.trim() !== '' && !isRecord(parseJson(raw))) throw invalidAttributeValue(name);
      return raw;
    default:
      return raw;
  }
}

function parseRedrivePolicyValue(raw: string, context: AttributeCheckContext): RedrivePolicy {
  const parsed = parseJson(raw);
  if (!isRecord(parsed)) throw invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a JSON object.');
  const arn = parsed['deadLetterTargetArn'];
  const rawCount = parsed['maxReceiveCount'];
  const count = typeof rawCount === 'string' && /^\d+$/.test(rawCount) ? Number(rawCount) : rawCount;
  if (typeof arn !== 'string' || arn === '') {
    throw invalidAttributeValue('RedrivePolicy', 'Redrive policy does not contain deadLetterTargetArn.');
  }
  const [min, max] = MAX_RECEIVE_COUNT_RANGE;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < min || count > max) {
    throw invalidAttributeValue('RedrivePolicy', `maxReceiveCount must be an integer between ${min} and ${max}.`);
  }
  if (!context.queueArnExists(arn)) {
    throw invalidAttributeValue('RedrivePolicy', 'Dead letter target does not exist.');
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/** The stored (already validated) RedrivePolicy of a queue, if any. */
export function readRedrivePolicy(attributes: Readonly<Record<string, string>>): RedrivePolicy | undefined {
  const raw = attributes['RedrivePolicy'];
  if (raw === undefined || raw === '') return undefined;
  const parsed = parseJson(raw);
  if (!isRecord(parsed)) return undefined;
  const arn = parsed['deadLetterTargetArn'];
  const count = parsed['maxReceiveCount'];
  return typeof arn === 'string' && typeof count === 'number' ? { deadLetterTargetArn: arn, maxReceiveCount: count } : undefined;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function invalidAttributeValue(name: string, reason?: string): SqsRequestError {
  return new SqsRequestError(
    'InvalidAttributeValue',
    `Invalid value for the parameter ${name}.${reason === undefined ? '' : ` Reason: ${reason}`}`,
  );
}
