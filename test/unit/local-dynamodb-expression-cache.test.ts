import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPRESSION_CACHE_SOURCE } from '../../local/dynamodb-expression-cache.ts';

type Parser = { parse: (str: string, options: unknown) => unknown };
type Data = Record<string, unknown>;

const require = createRequire(import.meta.url);
const dynaliteDir = dirname(require.resolve('dynalite'));
const validations = require(join(dynaliteDir, 'validations', 'index.js')) as { validateExpressions: (data: Data) => string | undefined };
const parsers = ['conditionParser', 'updateParser', 'projectionParser'].map((name) => require(join(dynaliteDir, 'db', `${name}.js`)) as Parser);
const originals = parsers.map((parser) => parser.parse);

function loadMemoizer(): (parser: Parser) => Parser['parse'] {
  const module = { exports: {} as unknown };
  new Function('module', EXPRESSION_CACHE_SOURCE)(module);
  return module.exports as (parser: Parser) => Parser['parse'];
}

/** Fresh memoized parsers in place of dynalite's, as dynalite's thread installs them; counts the real parses. */
function memoize(): { parses: number } {
  const memoizeParser = loadMemoizer();
  const counter = { parses: 0 };
  parsers.forEach((parser, i) => {
    const original = originals[i] as Parser['parse'];
    parser.parse = memoizeParser({
      parse: (str, options) => {
        counter.parses += 1;
        return original(str, options);
      },
    });
  });
  return counter;
}

/** What dynalite's own validation makes of a request: its error, or the parsed expressions. */
function validate(data: Data): Data {
  const copy = structuredClone(data);
  const error = validations.validateExpressions(copy);
  return { error, updates: copy._updates, condition: copy._condition, keyCondition: copy._keyCondition, filter: copy._filter, projection: copy._projection };
}

function withRawParsers<T>(fn: () => T): T {
  const current = parsers.map((parser) => parser.parse);
  parsers.forEach((parser, i) => {
    parser.parse = originals[i] as Parser['parse'];
  });
  try {
    return fn();
  } finally {
    parsers.forEach((parser, i) => {
      parser.parse = current[i] as Parser['parse'];
    });
  }
}

afterEach(() => {
  parsers.forEach((parser, i) => {
    parser.parse = originals[i] as Parser['parse'];
  });
});

const jobTransition = (status: string, attempt: string): Data => ({
  UpdateExpression: 'SET #status = :status, attempt = :attempt, updatedAt = :now REMOVE leaseUntil ADD #v :one',
  ConditionExpression: '#status IN (:from1, :from2) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND size(payload) > :zero',
  ExpressionAttributeNames: { '#status': 'status', '#v': 'version' },
  ExpressionAttributeValues: {
    ':status': { S: status },
    ':attempt': { N: attempt },
    ':now': { N: String(1_700_000_000 + Number(attempt)) },
    ':one': { N: '1' },
    ':from1': { S: 'QUEUED' },
    ':from2': { S: 'RUNNING' },
    ':zero': { N: '0' },
  },
});

describe('dynalite expression memo', () => {
  it.each([
    ['update and condition of a transition', jobTransition('RUNNING', '1'), jobTransition('SUCCEEDED', '2')],
    [
      'a put guard',
      { ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':now': { N: '1' } } },
      { ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':now': { N: '2' } } },
    ],
    [
      'a query with filter and projection',
      { KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)', FilterExpression: 'contains(tags, :t)', ProjectionExpression: 'pk, #d.a[1]', ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':p': { S: 'a' }, ':s': { S: 'b' }, ':t': { S: 'x' } } },
      { KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)', FilterExpression: 'contains(tags, :t)', ProjectionExpression: 'pk, #d.a[1]', ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':p': { S: 'c' }, ':s': { S: 'd' }, ':t': { S: 'y' } } },
    ],
    [
      'nested values (a map and a list)',
      { UpdateExpression: 'SET leases = :l, m = list_append(m, :x)', ExpressionAttributeValues: { ':l': { M: { a: { N: '1' } } }, ':x': { L: [{ S: 'a' }] } } },
      { UpdateExpression: 'SET leases = :l, m = list_append(m, :x)', ExpressionAttributeValues: { ':l': { M: { b: { N: '2' } } }, ':x': { L: [{ S: 'b' }, { S: 'c' }] } } },
    ],
    [
      'a value whose type changes makes the second call fail as dynalite does',
      { UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
      { UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { S: '1' } } },
    ],
    [
      'an unused value is still reported after a hit',
      { UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } },
      { UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'y' }, ':b': { S: 'z' } } },
    ],
    [
      'a value used by the update and the condition',
      { UpdateExpression: 'SET a = :a', ConditionExpression: 'b = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } },
      { UpdateExpression: 'SET a = :b', ConditionExpression: 'b = :a', ExpressionAttributeValues: { ':a': { S: 'x' }, ':b': { S: 'y' } } },
    ],
    [
      'BETWEEN is never cached (its bounds are compared)',
      { ConditionExpression: 'n BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':lo': { N: '1' }, ':hi': { N: '2' } } },
      { ConditionExpression: 'n BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':lo': { N: '3' }, ':hi': { N: '2' } } },
    ],
    [
      'attribute_type is never cached (it reads its value)',
      { ConditionExpression: 'attribute_type(a, :t)', ExpressionAttributeValues: { ':t': { S: 'N' } } },
      { ConditionExpression: 'attribute_type(a, :t)', ExpressionAttributeValues: { ':t': { S: 'X' } } },
    ],
    [
      'an undefined value',
      { UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } },
      { UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':c': { S: 'x' } } },
    ],
  ])('%s: the same as dynalite without the memo', (_name, first, second) => {
    const expectedFirst = withRawParsers(() => validate(first));
    const expectedSecond = withRawParsers(() => validate(second));
    memoize();
    expect(validate(first)).toEqual(expectedFirst);
    expect(validate(second)).toEqual(expectedSecond);
    expect(validate(first)).toEqual(expectedFirst);
  });

  it('parses an expression once, puts this call\'s value objects into the tree, and gives each hit a tree of its own', () => {
    const counter = memoize();
    const data = { UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } };
    expect(validations.validateExpressions({ ...data })).toBeUndefined();
    const value = { S: 'y' };
    const second: Data = { ...data, ExpressionAttributeValues: { ':a': value } };
    expect(validations.validateExpressions(second)).toBeUndefined();
    expect(counter.parses).toBe(1);
    const sections = (second._updates as { sections: Array<{ val: unknown }> }).sections;
    expect(sections[0]?.val).toBe(value);
    sections.length = 0;
    const third: Data = { ...data, ExpressionAttributeValues: { ':a': { S: 'z' } } };
    validations.validateExpressions(third);
    expect(counter.parses).toBe(1);
    expect(third._updates).toEqual(withRawParsers(() => validate(third)).updates);
  });

  it('parses again when the names differ, and never keeps a failed parse', () => {
    const counter = memoize();
    const named = (name: string): Data => ({ UpdateExpression: 'SET #a = :a', ExpressionAttributeNames: { '#a': name }, ExpressionAttributeValues: { ':a': { S: 'x' } } });
    validate(named('one'));
    expect(validate(named('two'))).toEqual(withRawParsers(() => validate(named('two'))));
    expect(counter.parses).toBe(2);
    const broken: Data = { UpdateExpression: 'SET a = :a, a = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } };
    expect(validate(broken).error).toMatch(/overlap/);
    expect(validate(broken).error).toMatch(/overlap/);
    expect(counter.parses).toBe(4);
  });
});
