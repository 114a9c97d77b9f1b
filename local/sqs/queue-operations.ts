import { SqsRequestError, invalidParameter, missingParameter, queueDoesNotExist } from './errors.ts';
import type { Operation, OperationContext } from './operation-context.ts';
import {
  QUEUE_ATTRIBUTE_DEFAULTS,
  READABLE_QUEUE_ATTRIBUTES,
  normalizeQueueAttributes,
  readRedrivePolicy,
} from './queue-attributes.ts';
import type { Queue } from './queue.ts';
import type { RequestFields } from './request-fields.ts';

/** Queue-level operations: lifecycle, attributes, listing, tags, purge. */

const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
/** SQS allows one PurgeQueue per queue every 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;
const MAX_TAGS = 50;

export const createQueue: Operation = (context, fields) => {
  const name = fields.requiredString('QueueName');
  if (name.endsWith('.fifo')) {
    throw new SqsRequestError('UnsupportedOperation', 'FIFO queues are not supported by the SkyForge SQS emulator.');
  }
  if (!QUEUE_NAME_PATTERN.test(name)) {
    throw invalidParameter('QueueName', name, 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.');
  }
  const requested = normalizeQueueAttributes(fields.optionalStringMap('Attributes'), attributeContext(context));
  const tags = fields.optionalStringMap('tags');
  checkTagCount(tags);
  const existing = context.state.get(name);
  if (existing !== undefined) {
    // SQS returns the existing queue when every attribute given matches it; attributes left
    // out are not compared, which is what makes repeated CreateQueue calls at startup safe.
    for (const [attribute, value] of Object.entries(requested)) {
      const current = existing.attributes[attribute] ?? QUEUE_ATTRIBUTE_DEFAULTS[attribute] ?? '';
      if (current !== value) {
        throw new SqsRequestError(
          'QueueAlreadyExists',
          `A queue already exists with the same name and a different value for attribute ${attribute}`,
        );
      }
    }
    return { QueueUrl: context.queueUrl(name) };
  }
  const attributes: Record<string, string> = { ...QUEUE_ATTRIBUTE_DEFAULTS };
  for (const [attribute, value] of Object.entries(requested)) if (value !== '') attributes[attribute] = value;
  context.commit({ type: 'createQueue', name, attributes, tags, at: context.now() });
  return { QueueUrl: context.queueUrl(name) };
};

export const getQueueUrl: Operation = (context, fields) => {
  const name = fields.requiredString('QueueName');
  const owner = fields.optionalString('QueueOwnerAWSAccountId');
  if (context.state.get(name) === undefined || (owner !== undefined && owner !== context.accountId)) throw queueDoesNotExist();
  return { QueueUrl: context.queueUrl(name) };
};

export const listQueues: Operation = (context, fields) => {
  const prefix = fields.optionalString('QueueNamePrefix') ?? '';
  const names = [...context.state.queues.keys()].filter((name) => name.startsWith(prefix));
  const page = paginate(names, fields);
  return {
    ...(page.items.length === 0 ? {} : { QueueUrls: page.items.map((name) => context.queueUrl(name)) }),
    ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
  };
};

export const listDeadLetterSourceQueues: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const arn = context.queueArn(queue.name);
  const sources = [...context.state.queues.values()]
    .filter((candidate) => readRedrivePolicy(candidate.attributes)?.deadLetterTargetArn === arn)
    .map((candidate) => candidate.name);
  const page = paginate(sources, fields);
  return {
    queueUrls: page.items.map((name) => context.queueUrl(name)),
    ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
  };
};

export const getQueueAttributes: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const requested = fields.optionalStringList('AttributeNames');
  for (const name of requested) {
    if (!READABLE_QUEUE_ATTRIBUTES.has(name)) throw new SqsRequestError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  if (requested.length === 0) return {};
  const all = renderQueueAttributes(context, queue);
  const wanted = requested.includes('All') ? Object.keys(all) : requested;
  const attributes: Record<string, string> = {};
  for (const name of wanted) {
    const value = all[name];
    if (value !== undefined) attributes[name] = value;
  }
  return { Attributes: attributes };
};

export const setQueueAttributes: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const attributes = normalizeQueueAttributes(fields.optionalStringMap('Attributes'), attributeContext(context));
  if (Object.keys(attributes).length > 0) {
    context.commit({ type: 'setQueueAttributes', name: queue.name, attributes, at: context.now() });
  }
  return {};
};

export const deleteQueue: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  context.commit({ type: 'deleteQueue', name: queue.name });
  // Parked receives on the queue end now, empty, instead of waiting out their time.
  context.notify(queue.name);
  return {};
};

export const purgeQueue: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const now = context.now();
  if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) {
    throw new SqsRequestError(
      'PurgeQueueInProgress',
      `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
    );
  }
  context.commit({ type: 'purgeQueue', name: queue.name, at: now });
  return {};
};

export const tagQueue: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const tags = fields.optionalStringMap('Tags');
  if (Object.keys(tags).length === 0) throw missingParameter('Tags');
  checkTagCount({ ...queue.tags, ...tags });
  context.commit({ type: 'tagQueue', name: queue.name, tags });
  return {};
};

export const untagQueue: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  const keys = fields.optionalStringList('TagKeys');
  if (keys.length === 0) throw missingParameter('TagKeys');
  context.commit({ type: 'untagQueue', name: queue.name, keys });
  return {};
};

export const listQueueTags: Operation = (context, fields) => {
  const queue = context.requireQueue(fields);
  return Object.keys(queue.tags).length === 0 ? {} : { Tags: { ...queue.tags } };
};

function renderQueueAttributes(context: OperationContext, queue: Queue): Record<string, string> {
  const counts = queue.counts(context.now());
  return {
    ...queue.attributes,
    QueueArn: context.queueArn(queue.name),
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
  };
}

function attributeContext(context: OperationContext): { queueArnExists(arn: string): boolean } {
  return { queueArnExists: (arn) => context.queueNameFromArn(arn) !== undefined };
}

function checkTagCount(tags: Readonly<Record<string, string>>): void {
  const count = Object.keys(tags).length;
  if (count > MAX_TAGS) throw invalidParameter('Tags', count, `A queue can have at most ${MAX_TAGS} tags.`);
}

interface Page {
  items: string[];
  nextToken?: string;
}

/**
 * ListQueues-style paging over sorted names. Without MaxResults SQS returns up to 1,000 and
 * no token; with it, a token that resumes after the last name returned.
 */
function paginate(names: string[], fields: RequestFields): Page {
  const sorted = [...names].sort();
  const maxResults = fields.optionalInteger('MaxResults', 1, 1000);
  const token = fields.optionalString('NextToken');
  let start = 0;
  if (token !== undefined && token !== '') {
    const after = decodeToken(token);
    start = sorted.findIndex((name) => name > after);
    if (start === -1) start = sorted.length;
  }
  if (maxResults === undefined) return { items: sorted.slice(start, start + 1000) };
  const items = sorted.slice(start, start + maxResults);
  const last = items.at(-1);
  const more = start + maxResults < sorted.length;
  return more && last !== undefined ? { items, nextToken: Buffer.from(last, 'utf8').toString('base64url') } : { items };
}

function decodeToken(token: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!QUEUE_NAME_PATTERN.test(decoded)) throw invalidParameter('NextToken', token, 'Invalid NextToken value.');
  return decoded;
}
