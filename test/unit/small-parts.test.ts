import { newJob } from '../support/job-fixture.ts';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/adapters/dynamodb/cursor.ts';
import { fromItem, isExpired, shardOf, toItem } from '../../shared/adapters/dynamodb/job-item.ts';
import { maximumConcurrencyByPriority, TABLE, visibilityTimeoutSeconds } from '../../shared/config/definitions.ts';
import { currentTraceHeader, loadConfig } from '../../shared/config/env.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import type { Job } from '../../shared/domain/job.ts';
import { canonicalJson, jobIdForIdempotencyKey } from '../../shared/use-cases/body-hash.ts';

const NOW_ISO = '2026-01-01T00:00:00.000Z';
const NOW_MS = Date.parse(NOW_ISO);
const at = (offsetMs: number): string => new Date(NOW_MS + offsetMs).toISOString();

function errorOf(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

describe('canonicalJson', () => {
  it.each([
    { name: 'top-level keys', a: { b: 1, a: 2 }, b: { a: 2, b: 1 } },
    { name: 'nested keys', a: { x: { d: 1, c: [{ f: 1, e: 2 }] } }, b: { x: { c: [{ e: 2, f: 1 }], d: 1 } } },
    { name: 'undefined fields', a: { a: 1, b: undefined, n: { c: undefined, d: 2 } }, b: { n: { d: 2 }, a: 1 } },
  ])('is independent of $name order / presence', ({ a, b }) => {
    // Act
    const left = canonicalJson(a);
    const right = canonicalJson(b);

    // Assess
    expect(left).toBe(right);
  });

  it.each([
    { name: 'sorted keys at every level', value: { z: { y: 1, x: [3, 1, 2] }, a: [{ d: 1, c: 2 }] }, json: '{"a":[{"c":2,"d":1}],"z":{"x":[3,1,2],"y":1}}' },
    { name: 'undefined fields dropped', value: { b: undefined, a: { c: undefined } }, json: '{"a":{}}' },
    { name: 'undefined in an array as null (like JSON)', value: [1, undefined, 2], json: '[1,null,2]' },
    { name: 'null kept', value: { a: null }, json: '{"a":null}' },
    { name: 'nested arrays keep their order', value: [[3, 2], [1, [0, -1]]], json: '[[3,2],[1,[0,-1]]]' },
    { name: 'a string', value: 'x"y', json: '"x\\"y"' },
    { name: 'a big number', value: 1e308, json: '1e+308' },
    { name: 'top-level null', value: null, json: 'null' },
    { name: 'top-level undefined', value: undefined, json: 'null' },
  ])('$name', ({ value, json }) => {
    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe(json);
  });

  it.each([
    { name: 'array order', a: [1, 2], b: [2, 1] },
    { name: 'nested array order', a: { a: [[1, 2]] }, b: { a: [[2, 1]] } },
    { name: 'number vs string', a: { a: 1 }, b: { a: '1' } },
    { name: 'null vs absent', a: { a: null }, b: {} },
    { name: 'key case', a: { a: 1 }, b: { A: 1 } },
  ])('tells apart bodies that differ in $name', ({ a, b }) => {
    // Act
    const left = canonicalJson(a);
    const right = canonicalJson(b);

    // Assess
    expect(left).not.toBe(right);
  });
});

describe('jobIdForIdempotencyKey', () => {
  const ID = /^[\w-]{1,128}$/;

  it.each([['order-42-receipt'], ['Order-42-Receipt'], ['ü∑😀 and spaces / slashes'], ['a'.repeat(256)], ['nul\u0000inside'], ['x']])(
    'is deterministic and id-shaped for key %j',
    (key) => {
      // Act
      const first = jobIdForIdempotencyKey(key);
      const second = jobIdForIdempotencyKey(key);

      // Assess
      expect(first).toBe(second);
      expect(first).toMatch(ID);
    },
  );

  it('differs per key (1,000 keys, including near-identical ones)', () => {
    // Prepare
    const keys = [
      ...Array.from({ length: 996 }, (_, i) => `order-${i}`),
      'order-1 ',
      'Order-1',
      'order-1\u0000',
      'order-01',
    ];

    // Act
    const ids = new Set(keys.map(jobIdForIdempotencyKey));

    // Assess
    expect(ids.size).toBe(1000);
  });
});

describe('listing cursor', () => {
  it.each([
    ['a sort key', `${NOW_ISO}#01JABCDEFGHJKMNPQRSTVWXYZ0`],
    ['one character', 'x'],
    ['unicode and separators', 'ü#😀/+= "quoted"'],
    ['511 characters', 'k'.repeat(511)],
  ])('round-trips %s through a URL-safe token', (_name, before) => {
    // Act
    const cursor = encodeCursor(before);
    const decoded = decodeCursor(cursor);

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decoded).toBe(before);
  });

  const valid = encodeCursor(`${NOW_ISO}#01JABCDEFGHJKMNPQRSTVWXYZ0`);
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  it.each([
    ['empty', ''],
    ['garbage', 'garbage'],
    ['punctuation only', '!!!!'],
    ['a JSON text, not encoded', '{"v":1,"before":"x"}'],
    ['truncated', valid.slice(0, -6)],
    ['cut in the middle', valid.slice(0, 10) + valid.slice(20)],
    ['encoded null', b64('null')],
    ['encoded array', b64('[]')],
    ['encoded string', b64('"x"')],
    ['another version', b64('{"v":2,"before":"x"}')],
    ['no before', b64('{"v":1}')],
    ['empty before', b64('{"v":1,"before":""}')],
    ['numeric before', b64('{"v":1,"before":5}')],
    ['512-character before', b64(JSON.stringify({ v: 1, before: 'k'.repeat(512) }))],
  ])('refuses a %s cursor with a ValidationError on field cursor', (_name, cursor) => {
    // Act
    const error = errorOf(() => decodeCursor(cursor));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_ERROR');
    expect((error as ValidationError).details.field).toBe('cursor');
  });
});

describe('job item', () => {
  const fullJob = (over: Partial<Job> = {}): Job => ({
    id: 'foobar',
    type: 'email.send',
    payload: { big: 1e308, tiny: 5e-324, negative: -1.7976931348623157e308, nested: { empty: '', list: ['', { e: '' }, [], {}] } },
    priority: 'high',
    status: 'RETRYING',
    attempts: 2,
    maxAttempts: 5,
    backoff: { type: 'exponential', delayMs: 2000, maxDelayMs: 300_000, jitter: true },
    timeoutMs: 30_000,
    runAt: at(-60_000),
    nextRunAt: at(4000),
    createdAt: at(-120_000),
    updatedAt: at(0),
    startedAt: at(-10_000),
    finishedAt: at(-1000),
    result: { sent: false, ids: [1, 2] },
    progress: 40,
    lastError: { message: '', name: 'Error', at: at(-1000) },
    idempotencyKey: 'order-42-receipt',
    metadata: { tenant: 'acme', empty: '' },
    scheduleName: 'nightly-report',
    history: [
      { attempt: 1, startedAt: at(-30_000), finishedAt: at(-29_000), outcome: 'FAILED', error: { message: 'boom', name: 'Error', at: at(-29_000) } },
      { attempt: 2, startedAt: at(-10_000), finishedAt: at(-1000), outcome: 'TIMED_OUT', error: null },
    ],
    deadReason: 'earlier reason',
    cancelReason: 'earlier cancel',
    fingerprint: '0123456789abcdef',
    leaseToken: 'lease-1',
    leaseUntil: NOW_MS + 40_000,
    bodyHash: 'hash-1',
    expiresAt: Math.floor(NOW_MS / 1000) + 86_400,
    pendingSchedule: 'job.foobar.2',
    flowControl: { key: 'tenant-42', parallelism: 2, rate: 10, periodSeconds: 1 },
    throttledUntil: at(2000),
    throttleReason: 'rate',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    tracestate: 'congo=t61rcWkgMzE',
    ...over,
  });

  const emptyJob = (over: Partial<Job> = {}): Job => {
    const { id, type, priority, maxAttempts, backoff, timeoutMs, createdAt, updatedAt } = fullJob();
    return newJob(id, { type, priority, maxAttempts, backoff, timeoutMs, createdAt, updatedAt, payload: undefined, ...over });
  };

  /** Every number anywhere in the item (DynamoDB numbers stop at 9.99e125). */
  const numbersIn = (value: unknown): number[] =>
    typeof value === 'number'
      ? [value]
      : value && typeof value === 'object'
        ? Object.values(value as Record<string, unknown>).flatMap(numbersIn)
        : [];

  it.each([
    ['a full job with extreme numbers and empty strings', fullJob()],
    ['a job with every optional field unset', emptyJob()],
    ['a job with falsy results', fullJob({ result: false, progress: 0, payload: '' })],
    ['a job with an explicit null payload', fullJob({ payload: null })],
    ['a DEAD job', fullJob({ status: 'DEAD', deadReason: 'failed on attempt 5 of 5' })],
  ])('round-trips %s', (_name, job) => {
    // Act
    const item = toItem(structuredClone(job));
    const back = fromItem(structuredClone(item));

    // Assess
    expect(back).toStrictEqual(job);
  });

  it('keeps every stored number within what DynamoDB can hold', () => {
    // Act
    const item = toItem(fullJob());

    // Assess
    for (const n of numbersIn(item)) expect(Math.abs(n)).toBeLessThan(1e126);
  });

  it('keeps an explicit null payload and omits every other null', () => {
    // Act
    const item = toItem(emptyJob({ payload: null }));
    const back = fromItem(item);

    // Assess
    expect(back.payload).toBeNull();
    expect(Object.entries(item).filter(([, v]) => v === null)).toEqual([]);
    for (const unset of ['runAt', 'nextRunAt', 'startedAt', 'finishedAt', 'lastError', 'idempotencyKey', 'scheduleName', 'deadReason', 'cancelReason', 'leaseToken', 'leaseUntil', 'bodyHash', 'expiresAt', 'result', 'progress']) {
      expect(item).not.toHaveProperty(unset);
    }
  });

  it('tells an absent payload from a null one', () => {
    // Act
    const absent = fromItem(toItem(emptyJob({ payload: undefined })));
    const explicit = fromItem(toItem(emptyJob({ payload: null })));

    // Assess
    expect(absent.payload).toBeUndefined();
    expect(explicit.payload).toBeNull();
  });

  it('keys the item by id and lists it in the byCreated index', () => {
    // Act: FNV-1a("foobar") = 0xbf9cf968, murmur3 fmix32 of it mod 16 = 12 (computed in Python)
    const item = toItem(fullJob({ id: 'foobar' }));

    // Assess
    expect(item.pk).toBe('JOB#foobar');
    expect(item.sk).toBe('JOB');
    expect(item[TABLE.indexes.byCreated.partitionKey]).toBe('J#12');
    expect(item[TABLE.indexes.byCreated.sortKey]).toBe(`${at(-120_000)}#foobar`);
  });

  it('gives a DEAD job the byDead index keys', () => {
    // Act
    const item = toItem(fullJob({ id: 'foobar', status: 'DEAD', updatedAt: at(5000) }));

    // Assess
    expect(item[TABLE.indexes.byDead.partitionKey]).toBe('D#12');
    expect(item[TABLE.indexes.byDead.sortKey]).toBe(`${at(5000)}#foobar`);
  });

  it.each([['SCHEDULED'], ['QUEUED'], ['RUNNING'], ['RETRYING'], ['SUCCEEDED'], ['CANCELLED']] as const)(
    'gives a %s job no byDead index keys',
    (status) => {
      // Act
      const item = toItem(fullJob({ status }));

      // Assess
      expect(item).not.toHaveProperty(TABLE.indexes.byDead.partitionKey);
      expect(item).not.toHaveProperty(TABLE.indexes.byDead.sortKey);
    },
  );

  describe('shardOf', () => {
    it.each([
      // FNV-1a 32-bit reference values, then murmur3's fmix32, mod 16 (computed independently
      // in Python: h ^= h>>16; h *= 0x85ebca6b; h ^= h>>13; h *= 0xc2b2ae35; h ^= h>>16)
      ['', 11], // FNV-1a 0x811c9dc5
      ['a', 3], // FNV-1a 0xe40c292c
      ['foobar', 12], // FNV-1a 0xbf9cf968
    ])('FNV-1a + fmix32 of %j lands in shard %i', (id, shard) => {
      // Act
      const got = shardOf(id);

      // Assess
      expect(got).toBe(shard);
    });

    const idSets: [string, string[]][] = [
      ['sequential ids', Array.from({ length: 1000 }, (_, i) => `job-${i}`)],
      ['ULIDs', Array.from({ length: 1000 }, () => ulid())],
      ['idempotency-derived ids', Array.from({ length: 1000 }, (_, i) => jobIdForIdempotencyKey(`order-${i}`))],
    ];

    it.each(idSets)('%s: stable, within 0..15 and spread over all 16 shards', (_name, ids) => {
      // Act
      const first = ids.map((id) => shardOf(id));
      const again = ids.map((id) => shardOf(id));

      // Assess
      expect(again).toEqual(first);
      for (const shard of first) {
        expect(Number.isInteger(shard)).toBe(true);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThanOrEqual(15);
      }
      const counts = new Map<number, number>();
      for (const shard of first) counts.set(shard, (counts.get(shard) ?? 0) + 1);
      expect(counts.size).toBe(16);
      // 62.5 expected per shard; 20 is more than five standard deviations below.
      for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(20);
    });
  });

  describe('isExpired', () => {
    const nowSeconds = NOW_MS / 1000;

    it.each([
      ['no expiresAt', {}, false],
      ['expiresAt an hour ago', { expiresAt: nowSeconds - 3600 }, true],
      ['expiresAt a second ago', { expiresAt: nowSeconds - 1 }, true],
      ['expiresAt exactly now', { expiresAt: nowSeconds }, true],
      ['expiresAt in a second', { expiresAt: nowSeconds + 1 }, false],
      ['expiresAt next week', { expiresAt: nowSeconds + 7 * 86_400 }, false],
      ['expiresAt as a string', { expiresAt: String(nowSeconds - 3600) }, false],
    ])('%s -> %s', (_name, item, expected) => {
      // Act
      const expired = isExpired(item, NOW_MS);

      // Assess
      expect(expired).toBe(expected);
    });
  });
});

describe('loadConfig', () => {
  const URLS = {
    critical: 'http://localhost:4566/000000000000/skyforge-critical',
    high: 'http://localhost:4566/000000000000/skyforge-high',
    normal: 'http://localhost:4566/000000000000/skyforge-normal',
    low: 'http://localhost:4566/000000000000/skyforge-low',
  };
  const DLQ_URLS = {
    critical: 'http://localhost:4566/000000000000/skyforge-critical-dlq',
    high: 'http://localhost:4566/000000000000/skyforge-high-dlq',
    normal: 'http://localhost:4566/000000000000/skyforge-normal-dlq',
    low: 'http://localhost:4566/000000000000/skyforge-low-dlq',
  };
  const ARNS = {
    critical: 'arn:aws:sqs:us-east-1:000000000000:skyforge-critical',
    high: 'arn:aws:sqs:us-east-1:000000000000:skyforge-high',
    normal: 'arn:aws:sqs:us-east-1:000000000000:skyforge-normal',
    low: 'arn:aws:sqs:us-east-1:000000000000:skyforge-low',
  };
  const validEnv = (over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
    SKYFORGE_TABLE_NAME: 'skyforge-jobs',
    SKYFORGE_QUEUE_URLS: JSON.stringify(URLS),
    SKYFORGE_DLQ_URLS: JSON.stringify(DLQ_URLS),
    SKYFORGE_QUEUE_ARNS: JSON.stringify(ARNS),
    SKYFORGE_SCHEDULE_GROUP: 'skyforge-schedules',
    SKYFORGE_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/skyforge-scheduler',
    SKYFORGE_SCHEDULE_DLQ_ARN: 'arn:aws:sqs:us-east-1:000000000000:skyforge-schedule-dlq',
    PATH: '/usr/bin',
    ...over,
  });

  it('parses the required names and fills in the defaults', () => {
    // Act
    const config = loadConfig(validEnv());

    // Assess
    expect(config).toEqual({
      tableName: 'skyforge-jobs',
      queueUrls: URLS,
      queueRateLimits: {},
      workerCapacity: { critical: 160, high: 80, normal: 40, low: 20 },
      deadLetterQueueUrls: DLQ_URLS,
      queueArns: ARNS,
      scheduleGroup: 'skyforge-schedules',
      schedulerRoleArn: 'arn:aws:iam::000000000000:role/skyforge-scheduler',
      scheduleDeadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:skyforge-schedule-dlq',
      jobRetentionSeconds: 7 * 24 * 3600,
      deadJobRetentionSeconds: 30 * 24 * 3600,
      maxPayloadBytes: 262_144,
      maxResultBytes: 65_536,
      maxJobTimeoutMs: 285_000,
      cancelPollMs: 1000,
      demoJobs: true,
      apiToken: undefined,
      aws: { region: 'us-east-1', endpoint: undefined },
      serviceName: undefined,
      metricsNamespace: 'SkyForge',
      metricsDisabled: false,
    });
  });

  it('reads the AWS and Powertools settings through the same loader', () => {
    // Act
    const config = loadConfig(
      validEnv({
        AWS_DEFAULT_REGION: 'eu-central-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        POWERTOOLS_SERVICE_NAME: 'my-jobs',
        POWERTOOLS_METRICS_NAMESPACE: 'Jobs',
        POWERTOOLS_METRICS_DISABLED: 'true',
      }),
    );
    const regionWins = loadConfig(validEnv({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' }));

    // Assess
    expect(config).toMatchObject({
      aws: { region: 'eu-central-1', endpoint: 'http://127.0.0.1:4566' },
      serviceName: 'my-jobs',
      metricsNamespace: 'Jobs',
      metricsDisabled: true,
    });
    expect(regionWins.aws.region).toBe('eu-west-1');
    expect(() => loadConfig(validEnv({ POWERTOOLS_METRICS_DISABLED: 'yes' }))).toThrow(/POWERTOOLS_METRICS_DISABLED/);
    expect(currentTraceHeader({ _X_AMZN_TRACE_ID: 'Root=1-abc' })).toBe('Root=1-abc');
    expect(currentTraceHeader({})).toBeUndefined();
  });

  it('parses the optional names when set', () => {
    // Act
    const config = loadConfig(
      validEnv({
        SKYFORGE_JOB_RETENTION_SECONDS: '3600',
        SKYFORGE_DEAD_JOB_RETENTION_SECONDS: '7200',
        SKYFORGE_MAX_PAYLOAD_BYTES: '1024',
        SKYFORGE_MAX_RESULT_BYTES: '2048',
        SKYFORGE_MAX_JOB_TIMEOUT_MS: '60000',
        SKYFORGE_CANCEL_POLL_MS: '250',
        SKYFORGE_DEMO_JOBS: 'false',
        SKYFORGE_API_TOKEN: 'a-long-enough-secret-token',
      }),
    );

    // Assess
    expect(config).toMatchObject({
      jobRetentionSeconds: 3600,
      deadJobRetentionSeconds: 7200,
      maxPayloadBytes: 1024,
      maxResultBytes: 2048,
      maxJobTimeoutMs: 60_000,
      cancelPollMs: 250,
      demoJobs: false,
      apiToken: 'a-long-enough-secret-token',
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('SKYFORGE_DEMO_JOBS=%s -> %s', (raw, expected) => {
    // Act
    const config = loadConfig(validEnv({ SKYFORGE_DEMO_JOBS: raw }));

    // Assess
    expect(config.demoJobs).toBe(expected);
  });

  it.each([
    ['SKYFORGE_TABLE_NAME missing', { SKYFORGE_TABLE_NAME: undefined }, 'SKYFORGE_TABLE_NAME'],
    ['SKYFORGE_QUEUE_URLS missing', { SKYFORGE_QUEUE_URLS: undefined }, 'SKYFORGE_QUEUE_URLS'],
    ['SKYFORGE_QUEUE_URLS not JSON', { SKYFORGE_QUEUE_URLS: '{critical:' }, 'SKYFORGE_QUEUE_URLS'],
    ['SKYFORGE_QUEUE_URLS empty', { SKYFORGE_QUEUE_URLS: '' }, 'SKYFORGE_QUEUE_URLS'],
    ['SKYFORGE_QUEUE_URLS without low', { SKYFORGE_QUEUE_URLS: JSON.stringify({ ...URLS, low: undefined }) }, 'SKYFORGE_QUEUE_URLS'],
    ['SKYFORGE_QUEUE_URLS with a non-URL', { SKYFORGE_QUEUE_URLS: JSON.stringify({ ...URLS, high: 'not a url' }) }, 'SKYFORGE_QUEUE_URLS'],
    ['SKYFORGE_DLQ_URLS not JSON', { SKYFORGE_DLQ_URLS: 'nope' }, 'SKYFORGE_DLQ_URLS'],
    ['SKYFORGE_QUEUE_ARNS missing a priority', { SKYFORGE_QUEUE_ARNS: JSON.stringify({ critical: 'arn:x' }) }, 'SKYFORGE_QUEUE_ARNS'],
    ['SKYFORGE_SCHEDULE_GROUP missing', { SKYFORGE_SCHEDULE_GROUP: undefined }, 'SKYFORGE_SCHEDULE_GROUP'],
    ['SKYFORGE_JOB_RETENTION_SECONDS not a number', { SKYFORGE_JOB_RETENTION_SECONDS: 'a week' }, 'SKYFORGE_JOB_RETENTION_SECONDS'],
    ['SKYFORGE_MAX_PAYLOAD_BYTES over DynamoDB item size', { SKYFORGE_MAX_PAYLOAD_BYTES: '500000' }, 'SKYFORGE_MAX_PAYLOAD_BYTES'],
    ['SKYFORGE_DEMO_JOBS not a boolean', { SKYFORGE_DEMO_JOBS: 'yes please' }, 'SKYFORGE_DEMO_JOBS'],
    ['SKYFORGE_API_TOKEN too short', { SKYFORGE_API_TOKEN: 'short' }, 'SKYFORGE_API_TOKEN'],
  ])('%s -> an Error naming the variable', (_name, over, variable) => {
    // Act
    const error = errorOf(() => loadConfig(validEnv(over)));

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(variable);
  });
});

describe('definitions', () => {
  describe('maximumConcurrencyByPriority (weights 8:4:2:1, Lambda range 2..1000)', () => {
    it.each([
      { total: 30, expected: { critical: 16, high: 8, normal: 4, low: 2 } },
      { total: 150, expected: { critical: 80, high: 40, normal: 20, low: 10 } },
      { total: 15, expected: { critical: 8, high: 4, normal: 2, low: 2 } },
      { total: 1, expected: { critical: 2, high: 2, normal: 2, low: 2 } },
      { total: 0, expected: { critical: 2, high: 2, normal: 2, low: 2 } },
      { total: 3000, expected: { critical: 1000, high: 800, normal: 400, low: 200 } },
      { total: 100_000, expected: { critical: 1000, high: 1000, normal: 1000, low: 1000 } },
    ])('total $total', ({ total, expected }) => {
      // Act
      const shares = maximumConcurrencyByPriority(total);

      // Assess
      expect(shares).toEqual(expected);
    });

    it('respects the weights and Lambda\'s range for every total from 0 to 5000', () => {
      // Prepare
      const totals = Array.from({ length: 5001 }, (_, i) => i);

      // Act
      const all = totals.map((total) => maximumConcurrencyByPriority(total));

      // Assess: collect every violation, so a failure lists the totals that broke
      const violations = all.flatMap((shares, total) => {
        const values = [shares.critical, shares.high, shares.normal, shares.low];
        const outOfRange = values.some((v) => !Number.isInteger(v) || v < 2 || v > 1000);
        const unordered = shares.critical < shares.high || shares.high < shares.normal || shares.normal < shares.low;
        return outOfRange || unordered ? [{ total, shares }] : [];
      });
      expect(all).toHaveLength(5001);
      expect(violations).toEqual([]);
    });
  });

  describe('visibilityTimeoutSeconds (6x the worker timeout, at most 12 h)', () => {
    it.each([
      [30, 180],
      [300, 1800],
      [900, 5400],
      [7199, 43_194],
      [7200, 43_200],
      [7201, 43_200],
      [100_000, 43_200],
    ])('worker timeout %i s -> %i s', (workerTimeout, expected) => {
      // Act
      const visibility = visibilityTimeoutSeconds(workerTimeout);

      // Assess
      expect(visibility).toBe(expected);
    });
  });
});
