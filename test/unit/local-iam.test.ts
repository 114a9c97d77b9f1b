import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { accessDeniedResponse } from '../../local/iam/access-denied.ts';
import { CompiledPolicy, type AuthorizationRequest, type Decision } from '../../local/iam/evaluate-policy.ts';
import { IamGuard, accessKeyIdOf } from '../../local/iam/iam-guard.ts';
import type { FunctionPolicy, PolicyStatement } from '../../local/iam/policy.ts';
import { withoutGrant } from '../../local/iam/policy.ts';
import { authorizationsOf } from '../../local/iam/request-authorizations.ts';
import { IntrinsicResolver } from '../../local/iam/resolve-intrinsics.ts';
import { kebabCase } from '../../local/iam/stack-policies.ts';

const WHERE = { partition: 'aws', region: 'us-east-1', accountId: '000000000000' };
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/skyforge-jobs';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:skyforge-normal';
const ROLE = 'arn:aws:iam::000000000000:role/skyforge-scheduler';

function policyOf(...statements: PolicyStatement[]): CompiledPolicy {
  return new CompiledPolicy({ functionName: 'fn', roleArn: 'arn:aws:iam::000000000000:role/fn-role', policies: [{ name: 'P', statements }] });
}

describe('IAM policy evaluation', () => {
  const passRole: PolicyStatement = {
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: ROLE,
    Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  };

  it.each<[string, PolicyStatement[], AuthorizationRequest, Decision]>([
    ['an exact action on an exact resource', [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }], { action: 'dynamodb:GetItem', resource: TABLE }, 'allowed'],
    ['another action', [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }], { action: 'dynamodb:PutItem', resource: TABLE }, 'implicitDeny'],
    ['action names ignore case', [{ Effect: 'Allow', Action: 'DynamoDB:getitem', Resource: TABLE }], { action: 'dynamodb:GetItem', resource: TABLE }, 'allowed'],
    ['a service wildcard', [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: TABLE }], { action: 'dynamodb:Query', resource: TABLE }, 'allowed'],
    ['a prefix wildcard', [{ Effect: 'Allow', Action: 'dynamodb:Get*', Resource: TABLE }], { action: 'dynamodb:GetItem', resource: TABLE }, 'allowed'],
    ['the table grant does not cover its index', [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE }], { action: 'dynamodb:Query', resource: `${TABLE}/index/byCreated` }, 'implicitDeny'],
    ['an index wildcard covers an index', [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${TABLE}/index/*` }], { action: 'dynamodb:Query', resource: `${TABLE}/index/byDead` }, 'allowed'],
    ['an index wildcard does not cover the table', [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${TABLE}/index/*` }], { action: 'dynamodb:Query', resource: TABLE }, 'implicitDeny'],
    ['resources compare case-sensitively', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE.toUpperCase() }], { action: 'sqs:SendMessage', resource: QUEUE }, 'implicitDeny'],
    ['a schedule in the granted group', [{ Effect: 'Allow', Action: 'scheduler:CreateSchedule', Resource: 'arn:aws:scheduler:us-east-1:000000000000:schedule/g/*' }], { action: 'scheduler:CreateSchedule', resource: 'arn:aws:scheduler:us-east-1:000000000000:schedule/g/rec.x' }, 'allowed'],
    ['a schedule of another group', [{ Effect: 'Allow', Action: 'scheduler:CreateSchedule', Resource: 'arn:aws:scheduler:us-east-1:000000000000:schedule/g/*' }], { action: 'scheduler:CreateSchedule', resource: 'arn:aws:scheduler:us-east-1:000000000000:schedule/other/x' }, 'implicitDeny'],
    ["'?' matches one character", [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:000000000000:skyforge-?ormal' }], { action: 'sqs:SendMessage', resource: QUEUE }, 'allowed'],
    ["Resource '*'", [{ Effect: 'Allow', Action: 'scheduler:ListSchedules', Resource: '*' }], { action: 'scheduler:ListSchedules', resource: '*' }, 'allowed'],
    ['PassRole to the service the condition names', [passRole], { action: 'iam:PassRole', resource: ROLE, context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }, 'allowed'],
    ['PassRole to another service', [passRole], { action: 'iam:PassRole', resource: ROLE, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }, 'implicitDeny'],
    ['PassRole without the condition key', [passRole], { action: 'iam:PassRole', resource: ROLE }, 'implicitDeny'],
    ['an explicit deny wins over an allow', [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }, { Effect: 'Deny', Action: 'sqs:DeleteQueue', Resource: QUEUE }], { action: 'sqs:DeleteQueue', resource: QUEUE }, 'explicitDeny'],
    ['NotAction allows everything else', [{ Effect: 'Allow', NotAction: 'sqs:DeleteQueue', Resource: QUEUE }], { action: 'sqs:SendMessage', resource: QUEUE }, 'allowed'],
    ['NotAction excludes its action', [{ Effect: 'Allow', NotAction: 'sqs:DeleteQueue', Resource: QUEUE }], { action: 'sqs:DeleteQueue', resource: QUEUE }, 'implicitDeny'],
    ['NotResource excludes its resource', [{ Effect: 'Allow', Action: 'sqs:SendMessage', NotResource: QUEUE }], { action: 'sqs:SendMessage', resource: QUEUE }, 'implicitDeny'],
    ['ArnLike on a context key', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:scheduler:*:000000000000:schedule-group/*' } } }], { action: 'sqs:SendMessage', resource: QUEUE, context: { 'aws:SourceArn': 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/g' } }, 'allowed'],
    ['StringNotEquals with the key missing holds', [{ Effect: 'Deny', Action: 'sqs:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } }], { action: 'sqs:SendMessage', resource: QUEUE }, 'explicitDeny'],
    ['StringEqualsIfExists with the key missing holds', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' } } }], { action: 'sqs:SendMessage', resource: QUEUE }, 'allowed'],
    ['Null true matches a missing key', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { Null: { 'aws:SourceArn': 'true' } } }], { action: 'sqs:SendMessage', resource: QUEUE }, 'allowed'],
  ])('%s', (_, statements, request, expected) => {
    // Act
    const decision = policyOf(...statements).decide(request);

    // Assess
    expect(decision).toBe(expected);
  });

  it('refuses condition operators it cannot evaluate instead of guessing', () => {
    const statement: PolicyStatement = { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01' } } };

    expect(() => policyOf(statement)).toThrow(/does not understand condition operator DateGreaterThan/);
  });
});

describe('CloudFormation intrinsics, resolved to the local cloud', () => {
  const resolver = new IntrinsicResolver(
    {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'skyforge-jobs' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'skyforge-normal' } },
      Group: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: 'skyforge-schedules' } },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Unnamed: { Type: 'AWS::IAM::Role', Properties: {} },
    },
    { ...WHERE, arnOverrides: { Role: ROLE } },
  );

  it.each<[string, unknown, string | string[]]>([
    ['a table ARN', { 'Fn::GetAtt': ['Table', 'Arn'] }, TABLE],
    ['an index ARN built with Fn::Join', { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/byCreated']] }, `${TABLE}/index/byCreated`],
    ['a queue ARN', { 'Fn::GetAtt': ['Queue', 'Arn'] }, QUEUE],
    ['a queue URL (Ref)', { Ref: 'Queue' }, 'https://sqs.us-east-1.amazonaws.com/000000000000/skyforge-normal'],
    [
      "the group's schedules with the pseudo parameters",
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule/', { Ref: 'Group' }, '/*']] },
      'arn:aws:scheduler:us-east-1:000000000000:schedule/skyforge-schedules/*',
    ],
    ['Fn::Sub with a resource attribute and a variable', { 'Fn::Sub': ['arn:${AWS::Partition}:x:${AWS::Region}:${Table.Arn}/${Name}', { Name: 'n' }] }, `arn:aws:x:us-east-1:${TABLE}/n`],
    ['the execution role, named as the local cloud names it', { 'Fn::GetAtt': ['Role', 'Arn'] }, ROLE],
    ['another role, by its logical id', { 'Fn::GetAtt': ['Unnamed', 'Arn'] }, 'arn:aws:iam::000000000000:role/Unnamed'],
    ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Table', 'Arn'] }] }] }, 'skyforge-jobs'],
  ])('%s', (_, value, expected) => {
    expect(resolver.resolve(value)).toEqual(expected);
  });

  it('names what it cannot resolve', () => {
    expect(() => resolver.resolve({ 'Fn::If': ['C', 'a', 'b'] })).toThrow(/cannot resolve .*Fn::If/);
    expect(() => resolver.resolve({ Ref: 'Missing' })).toThrow(/Ref Missing/);
  });
});

describe('what a call at the edge needs', () => {
  const call = (target: string | undefined, body: unknown, method = 'POST', url = '/') =>
    authorizationsOf(target, method, url, Buffer.from(JSON.stringify(body)), WHERE);
  const pairs = (c: ReturnType<typeof call>) => c?.authorizations.map((a) => `${a.action} ${a.resource}`);

  it.each<[string, ReturnType<typeof call>, string[]]>([
    ['UpdateItem on the table', call('DynamoDB_20120810.UpdateItem', { TableName: 'skyforge-jobs' }), [`dynamodb:UpdateItem ${TABLE}`]],
    ['Query on an index', call('DynamoDB_20120810.Query', { TableName: 'skyforge-jobs', IndexName: 'byDead' }), [`dynamodb:Query ${TABLE}/index/byDead`]],
    [
      'PutItem whose item names another table (an attribute and a string value)',
      call('DynamoDB_20120810.PutItem', { Item: { TableName: { S: '"TableName":"other","IndexName":"x"' } }, TableName: 'skyforge-jobs' }),
      [`dynamodb:PutItem ${TABLE}`],
    ],
    [
      'a pretty-printed request',
      authorizationsOf('DynamoDB_20120810.Query', 'POST', '/', Buffer.from(JSON.stringify({ TableName: 'skyforge-jobs', IndexName: 'byCreated' }, null, 2)), WHERE),
      [`dynamodb:Query ${TABLE}/index/byCreated`],
    ],
    ['BatchGetItem on each table', call('DynamoDB_20120810.BatchGetItem', { RequestItems: { 'skyforge-jobs': {}, other: {} } }), [`dynamodb:BatchGetItem ${TABLE}`, 'dynamodb:BatchGetItem arn:aws:dynamodb:us-east-1:000000000000:table/other']],
    ['TransactWriteItems as its item actions', call('DynamoDB_20120810.TransactWriteItems', { TransactItems: [{ Put: { TableName: 'skyforge-jobs' } }, { ConditionCheck: { TableName: 'skyforge-jobs' } }] }), [`dynamodb:PutItem ${TABLE}`, `dynamodb:ConditionCheckItem ${TABLE}`]],
    ['ListTables on *', call('DynamoDB_20120810.ListTables', {}), ['dynamodb:ListTables *']],
    ['SendMessageBatch as sqs:SendMessage on the queue of the URL', call('AmazonSQS.SendMessageBatch', { QueueUrl: 'http://127.0.0.1:4566/000000000000/skyforge-normal', Entries: [] }), [`sqs:SendMessage ${QUEUE}`]],
    ['DeleteMessageBatch as sqs:DeleteMessage', call('AmazonSQS.DeleteMessageBatch', { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/skyforge-normal' }), [`sqs:DeleteMessage ${QUEUE}`]],
    ['GetQueueUrl by name', call('AmazonSQS.GetQueueUrl', { QueueName: 'skyforge-normal' }), [`sqs:GetQueueUrl ${QUEUE}`]],
    [
      'CreateSchedule in its group, and PassRole of its role',
      call(undefined, { GroupName: 'g', Target: { RoleArn: ROLE } }, 'POST', '/schedules/rec.x'),
      ['scheduler:CreateSchedule arn:aws:scheduler:us-east-1:000000000000:schedule/g/rec.x', `iam:PassRole ${ROLE}`],
    ],
    ['DeleteSchedule with the group in the query', call(undefined, {}, 'DELETE', '/schedules/job.1.0?groupName=g&clientToken=t'), ['scheduler:DeleteSchedule arn:aws:scheduler:us-east-1:000000000000:schedule/g/job.1.0']],
    ['GetSchedule in the default group', call(undefined, {}, 'GET', '/schedules/x'), ['scheduler:GetSchedule arn:aws:scheduler:us-east-1:000000000000:schedule/default/x']],
    ['ListSchedules on *', call(undefined, {}, 'GET', '/schedules?MaxResults=5'), ['scheduler:ListSchedules *']],
  ])('%s', (_, actual, expected) => {
    expect(pairs(actual)).toEqual(expected);
  });

  it('passes PassedToService with PassRole', () => {
    const created = call(undefined, { Target: { RoleArn: ROLE } }, 'PUT', '/schedules/x');
    expect(created?.authorizations[1]?.context).toMatchObject({ 'iam:PassedToService': 'scheduler.amazonaws.com' });
  });
});

describe('the guard at the edge', () => {
  const fn: FunctionPolicy = {
    functionName: 'skyforge-worker',
    roleArn: 'arn:aws:iam::000000000000:role/WorkerRole',
    policies: [{ name: 'Access', statements: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: TABLE }] }],
  };
  const request = (accessKeyId: string, target: string) =>
    ({
      method: 'POST',
      url: '/',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261204/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc`,
        'x-amz-target': target,
      },
    }) as unknown as IncomingMessage;
  const body = Buffer.from(JSON.stringify({ TableName: 'skyforge-jobs' }));

  it('reads the access key id of a SigV4 Authorization header', () => {
    expect(accessKeyIdOf('AWS4-HMAC-SHA256 Credential=skyforge-api/20261204/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x')).toBe('skyforge-api');
    expect(accessKeyIdOf(undefined)).toBeUndefined();
    expect(accessKeyIdOf('Bearer abc')).toBeUndefined();
  });

  it("checks only a function's key, and answers a denial in DynamoDB's shape naming identity, action and resource", () => {
    const guard = new IamGuard({ ...WHERE, functions: [fn] });

    expect(guard.identityOf(request('test', 'DynamoDB_20120810.PutItem'))).toBeUndefined();
    expect(guard.identityOf(request('skyforge-worker', 'DynamoDB_20120810.PutItem'))).toBe('skyforge-worker');
    expect(guard.check('skyforge-worker', request('skyforge-worker', 'DynamoDB_20120810.UpdateItem'), body)).toBeUndefined();
    const denied = guard.check('skyforge-worker', request('skyforge-worker', 'DynamoDB_20120810.PutItem'), body);

    expect(denied?.status).toBe(400);
    expect(JSON.parse(denied?.body ?? '{}')).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
      message: `User: arn:aws:sts::000000000000:assumed-role/WorkerRole/skyforge-worker is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:PutItem action`,
    });
    expect(guard.denials()).toMatchObject([{ functionName: 'skyforge-worker', action: 'dynamodb:PutItem', resource: TABLE, explicit: false }]);
    expect(guard.checked()).toEqual({ 'skyforge-worker': 2 });
  });

  it('shapes SQS and Scheduler denials as those services do', () => {
    const sqs = accessDeniedResponse('sqs', 'no');
    const scheduler = accessDeniedResponse('scheduler', 'no');

    expect([sqs.status, JSON.parse(sqs.body).__type, sqs.headers['x-amzn-query-error']]).toEqual([403, 'com.amazon.coral.service#AccessDeniedException', undefined]);
    expect([scheduler.status, scheduler.headers['x-amzn-errortype'], JSON.parse(scheduler.body)]).toEqual([403, 'AccessDeniedException', { Message: 'no' }]);
  });

  it('takes one grant away for a test, and says so when there is none to take', () => {
    const without = withoutGrant([fn], 'skyforge-worker', 'dynamodb:UpdateItem', TABLE);

    expect(without[0]?.policies[0]?.statements).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: TABLE }]);
    expect(() => withoutGrant([fn], 'skyforge-worker', 'dynamodb:PutItem')).toThrow(/holds no dynamodb:PutItem/);
  });

  it('names functions after their construct', () => {
    expect(['Api', 'Worker', 'DeadLetter', 'Metrics'].map(kebabCase)).toEqual(['api', 'worker', 'dead-letter', 'metrics']);
  });
});
