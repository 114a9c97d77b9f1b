import { matchRoute } from '../scheduler/rest-routes.ts';
import type { AuthorizationRequest } from './evaluate-policy.ts';

/** The service a request at the edge is for, and so the shape its denial takes. */
export type EdgeService = 'dynamodb' | 'sqs' | 'scheduler';

export interface EdgeCall {
  readonly service: EdgeService;
  /** `dynamodb:UpdateItem`, `sqs:SendMessage`, `scheduler:CreateSchedule`. */
  readonly operation: string;
  /** Every authorization the call needs (several for batches across tables, PassRole alongside CreateSchedule). */
  readonly authorizations: readonly AuthorizationRequest[];
}

export interface CallLocation {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

const DYNAMODB_PREFIX = 'DynamoDB_20120810.';
const SQS_PREFIX = 'AmazonSQS.';
const SCHEDULER_PRINCIPAL = 'scheduler.amazonaws.com';

/** SQS batch APIs are authorized as their single-message actions (SQS API reference, "batch actions"). */
const SQS_ACTION_OF: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** DynamoDB operations that name no table (IAM's `Resource: '*'`). */
const DYNAMODB_UNSCOPED = new Set(['ListTables', 'DescribeLimits', 'DescribeEndpoints', 'ListBackups', 'ListGlobalTables']);

/**
 * What IAM checks for one call at the edge: the action (`service:Operation`, batch APIs mapped
 * to their actions), the resource ARN from the request (a table or one of its indexes, a queue
 * from its URL, a schedule in its group) and the request's condition keys. Undefined for
 * requests that are not AWS calls (the edge's own health route).
 */
export function authorizationsOf(
  target: string | undefined,
  method: string,
  rawUrl: string,
  body: Buffer,
  where: CallLocation,
): EdgeCall | undefined {
  const context = { 'aws:RequestedRegion': where.region };
  if (target?.startsWith(DYNAMODB_PREFIX)) {
    const operation = target.slice(DYNAMODB_PREFIX.length);
    return { service: 'dynamodb', operation: `dynamodb:${operation}`, authorizations: dynamoDb(operation, body, where, context) };
  }
  if (target?.startsWith(SQS_PREFIX)) {
    const operation = target.slice(SQS_PREFIX.length);
    const action = `sqs:${SQS_ACTION_OF[operation] ?? operation}`;
    const input = { QueueUrl: topLevelString(body, 'QueueUrl'), QueueName: topLevelString(body, 'QueueName') };
    return { service: 'sqs', operation: `sqs:${operation}`, authorizations: [{ action, resource: queueArn(input, where), context }] };
  }
  if (target !== undefined) return undefined;
  const url = new URL(rawUrl, 'http://edge.local');
  const route = matchRoute(method, url.pathname);
  if (route === undefined) return undefined;
  const input = parse(body);
  const action = `scheduler:${route.operation}`;
  const arn = (resource: string): string => `arn:${where.partition}:scheduler:${where.region}:${where.accountId}:${resource}`;
  const group = String(input.GroupName ?? url.searchParams.get('groupName') ?? 'default');
  let resource: string;
  switch (route.operation) {
    case 'CreateSchedule':
    case 'UpdateSchedule':
    case 'GetSchedule':
    case 'DeleteSchedule':
      resource = arn(`schedule/${group}/${route.label}`);
      break;
    case 'CreateScheduleGroup':
    case 'GetScheduleGroup':
    case 'DeleteScheduleGroup':
      resource = arn(`schedule-group/${route.label}`);
      break;
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsForResource':
      resource = route.label;
      break;
    default:
      resource = '*';
  }
  const authorizations: AuthorizationRequest[] = [{ action, resource, context }];
  // Creating or changing a schedule passes its execution role to Scheduler.
  const roleArn = (input.Target as { RoleArn?: unknown } | undefined)?.RoleArn;
  if ((route.operation === 'CreateSchedule' || route.operation === 'UpdateSchedule') && typeof roleArn === 'string') {
    authorizations.push({ action: 'iam:PassRole', resource: roleArn, context: { ...context, 'iam:PassedToService': SCHEDULER_PRINCIPAL } });
  }
  return { service: 'scheduler', operation: action, authorizations };
}

function dynamoDb(operation: string, body: Buffer, where: CallLocation, context: Record<string, string>): AuthorizationRequest[] {
  const action = `dynamodb:${operation}`;
  const table = (name: unknown, index?: unknown): string => {
    if (name === undefined) return '*';
    const base = String(name).startsWith('arn:')
      ? String(name)
      : `arn:${where.partition}:dynamodb:${where.region}:${where.accountId}:table/${String(name)}`;
    return index === undefined ? base : `${base}/index/${String(index)}`;
  };
  if (DYNAMODB_UNSCOPED.has(operation)) return [{ action, resource: '*', context }];
  if (SINGLE_TABLE_OPERATIONS.has(operation)) {
    // The common case, read without parsing the whole item (see topLevelString).
    return [{ action, resource: table(topLevelString(body, 'TableName'), topLevelString(body, 'IndexName')), context }];
  }
  const input = parse(body);
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys((input.RequestItems as Record<string, unknown> | undefined) ?? {}).map((name) => ({ action, resource: table(name), context }));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (input.TransactItems as Array<Record<string, { TableName?: unknown }>> | undefined) ?? [];
    const actionOf: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, detail]) => ({ action: `dynamodb:${actionOf[kind] ?? kind}`, resource: table(detail.TableName), context })),
    );
  }
  return [{ action, resource: table(input.TableName ?? input.TableArn ?? input.ResourceArn, input.IndexName), context }];
}

/** A queue's ARN from the request's QueueUrl (its last segment is the name) or QueueName. */
function queueArn(input: Record<string, unknown>, where: CallLocation): string {
  const name =
    typeof input.QueueUrl === 'string'
      ? (input.QueueUrl.split('?')[0] ?? '').replace(/\/+$/, '').split('/').pop()
      : typeof input.QueueName === 'string'
        ? input.QueueName
        : undefined;
  return name === undefined ? '*' : `arn:${where.partition}:sqs:${where.region}:${where.accountId}:${name}`;
}

/** DynamoDB operations on one table (or one of its indexes), named by TableName and IndexName. */
const SINGLE_TABLE_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'DescribeTable']);

/**
 * A string member of a JSON request body without parsing it (an item can be 400 KB). Sound for
 * these members: text inside a JSON string has its quotes escaped (`\"TableName\"` never
 * matches), and an attribute or expression name that happens to be `TableName` has an object
 * value (`"TableName":{"S":...}`), which is skipped; only the member itself has a string value.
 */
function topLevelString(body: Buffer, member: string): string | undefined {
  const needle = `"${member}"`;
  for (let key = body.indexOf(needle); key >= 0; key = body.indexOf(needle, key + 1)) {
    // Skip `:` and any whitespace a pretty-printing client put around it, to the opening quote.
    let at = key + needle.length;
    while (at < body.length && (body[at] === 0x3a || body[at] === 0x20 || body[at] === 0x0a || body[at] === 0x0d || body[at] === 0x09)) at += 1;
    // An attribute of that name has an object value: not the member, look further.
    if (body[at] !== 0x22) continue;
    const end = body.indexOf(0x22, at + 1);
    return end < 0 ? undefined : body.toString('utf8', at + 1, end);
  }
  return undefined;
}

function parse(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    // The service itself answers a malformed body; IAM sees no resource in it.
    return {};
  }
}
