import type { IncomingMessage } from 'node:http';
import { awsJsonError, awsJsonResult, type AwsJsonResponse } from '../aws-json-response.ts';
import type { EdgeGuard } from '../edge.ts';
import { accessKeyIdOf } from '../iam/iam-guard.ts';

/**
 * Fault injection (`npm start -- --faults 0.05`): a share of the AWS calls the functions make
 * fails the way AWS fails under stress, so tests can prove that no job is lost, killed or run
 * twice when AWS misbehaves. Only calls signed as a function are faulted, and never the event
 * source mappings' own receives and deletes (on AWS the Lambda service makes those and absorbs
 * their failures): the emulators' bookkeeping, the bootstrap and the tests' own clients are
 * never touched. Each fault has the status and shape the SDK parses into the named exception.
 */

export type FaultedService = 'dynamodb' | 'sqs' | 'scheduler';

interface FaultKind {
  readonly name: string;
  readonly status: number;
  /** The answer on the wire. */
  readonly response: () => AwsJsonResponse;
}

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810#';
const SLOW_DOWN = 'Rate of requests exceeds the allowed throughput (injected fault).';
const BROKEN = 'The service failed to process the request (injected fault).';

/** SQS speaks JSON 1.0 in query-compatible mode: the SDK reads the code from x-amzn-query-error. */
function sqsError(status: number, shape: string, queryCode: string, message: string): AwsJsonResponse {
  return awsJsonResult(status, { __type: `com.amazonaws.sqs#${shape}`, message }, { 'x-amzn-query-error': `${queryCode};${status < 500 ? 'Sender' : 'Receiver'}` });
}

/** EventBridge Scheduler is REST-JSON: the error type travels in x-amzn-ErrorType. */
function restJsonError(status: number, type: string, message: string): AwsJsonResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': crypto.randomUUID() },
    body: JSON.stringify({ Message: message }),
  };
}

export const FAULTS: Readonly<Record<FaultedService, readonly FaultKind[]>> = {
  dynamodb: [
    { name: 'ProvisionedThroughputExceededException', status: 400, response: () => awsJsonError(400, `${DYNAMODB}ProvisionedThroughputExceededException`, SLOW_DOWN) },
    { name: 'ThrottlingException', status: 400, response: () => awsJsonError(400, 'com.amazon.coral.availability#ThrottlingException', SLOW_DOWN) },
    { name: 'InternalServerError', status: 500, response: () => awsJsonError(500, `${DYNAMODB}InternalServerError`, BROKEN) },
  ],
  sqs: [
    { name: 'RequestThrottled', status: 403, response: () => sqsError(403, 'RequestThrottled', 'RequestThrottled', SLOW_DOWN) },
    { name: 'InternalError', status: 500, response: () => sqsError(500, 'InternalError', 'InternalError', BROKEN) },
    { name: 'ServiceUnavailable', status: 503, response: () => sqsError(503, 'ServiceUnavailable', 'ServiceUnavailable', BROKEN) },
  ],
  scheduler: [
    { name: 'ThrottlingException', status: 429, response: () => restJsonError(429, 'ThrottlingException', SLOW_DOWN) },
    { name: 'InternalServerException', status: 500, response: () => restJsonError(500, 'InternalServerException', BROKEN) },
  ],
};

/** The pollers' own calls: never faulted (see the module comment). */
const POLLER_OPERATIONS = new Set(['AmazonSQS.ReceiveMessage', 'AmazonSQS.DeleteMessageBatch', 'AmazonSQS.DeleteMessage']);

export interface FaultCounts {
  /** Faults answered, by "service:ExceptionName". */
  injected: Record<string, number>;
  /**
   * Faults on a call's last attempt (the SDK's `amz-sdk-request: attempt=N; max=N`): the caller
   * saw this one, the SDK did not absorb it.
   */
  unabsorbed: Record<string, number>;
}

export interface FaultInjectorOptions {
  /** Share of eligible calls that fail, 0 to 0.5. */
  rate: number;
  /** Seed of the draws, so a run can be repeated. */
  seed: number;
  /** The functions' access key ids (their names): only their calls are faulted. */
  functions: readonly string[];
  log?: (message: string) => void;
}

export class FaultInjector implements EdgeGuard {
  readonly rate: number;
  readonly seed: number;
  private readonly random: () => number;
  private readonly counts: FaultCounts = { injected: {}, unabsorbed: {} };

  constructor(private readonly options: FaultInjectorOptions) {
    if (!(options.rate >= 0 && options.rate <= 0.5)) throw new RangeError(`--faults must be between 0 and 0.5 (got ${options.rate})`);
    this.rate = options.rate;
    this.seed = options.seed;
    this.random = mulberry32(options.seed);
  }

  /** A call signed as one of the functions, or undefined (not faulted). */
  identityOf(req: IncomingMessage): string | undefined {
    const accessKeyId = accessKeyIdOf(headerOf(req, 'authorization'));
    return accessKeyId !== undefined && this.options.functions.includes(accessKeyId) ? accessKeyId : undefined;
  }

  check(_identity: string, req: IncomingMessage): AwsJsonResponse | undefined {
    return this.decide(req);
  }

  /** The fault to answer a function's call with, or undefined to let it through. */
  decide(req: IncomingMessage): AwsJsonResponse | undefined {
    const target = headerOf(req, 'x-amz-target') ?? '';
    if (POLLER_OPERATIONS.has(target)) return undefined;
    const service = serviceOf(target);
    if (this.rate === 0 || this.random() >= this.rate) return undefined;
    const kinds = FAULTS[service];
    const kind = kinds[Math.floor(this.random() * kinds.length)] as FaultKind;
    const key = `${service}:${kind.name}`;
    this.counts.injected[key] = (this.counts.injected[key] ?? 0) + 1;
    const attempt = /attempt=(\d+);\s*max=(\d+)/.exec(headerOf(req, 'amz-sdk-request') ?? '');
    const last = !attempt || attempt[1] === attempt[2];
    if (last) this.counts.unabsorbed[key] = (this.counts.unabsorbed[key] ?? 0) + 1;
    this.options.log?.(`fault injected: ${key} on ${target || `${req.method} ${req.url}`}${last ? ' (last attempt: the caller sees it)' : ''}`);
    return kind.response();
  }

  snapshot(): FaultCounts {
    return { injected: { ...this.counts.injected }, unabsorbed: { ...this.counts.unabsorbed } };
  }

  /** Prometheus lines for the local cloud's /metrics. */
  exposition(): string {
    const lines = [
      '# HELP skyforge_local_faults_injected_total AWS errors the local cloud injected into the functions\' calls (--faults).',
      '# TYPE skyforge_local_faults_injected_total counter',
      ...series('skyforge_local_faults_injected_total', this.counts.injected),
      '# HELP skyforge_local_faults_unabsorbed_total Injected errors on a call\'s last SDK attempt (not absorbed by SDK retries).',
      '# TYPE skyforge_local_faults_unabsorbed_total counter',
      ...series('skyforge_local_faults_unabsorbed_total', this.counts.unabsorbed),
    ];
    return `${lines.join('\n')}\n`;
  }
}

function series(name: string, counts: Record<string, number>): string[] {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => {
      const [service, error] = key.split(':');
      return `${name}{service="${service}",error="${error}"} ${value}`;
    });
}

function serviceOf(target: string): FaultedService {
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  if (target.startsWith('AmazonSQS.')) return 'sqs';
  return 'scheduler';
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A small seeded PRNG (mulberry32): the same seed makes the same faults for the same calls. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Guards in a row (the local IAM first: a denied call is denied whatever else happens, then the
 * fault injector): a request is checked by every guard that claims its identity.
 */
export function chainGuards(guards: readonly EdgeGuard[]): EdgeGuard {
  return {
    identityOf: (req) => {
      for (const guard of guards) {
        const identity = guard.identityOf(req);
        if (identity !== undefined) return identity;
      }
      return undefined;
    },
    check: (identity, req, body) => {
      for (const guard of guards) {
        if (guard.identityOf(req) !== identity) continue;
        const answer = guard.check(identity, req, body);
        if (answer) return answer;
      }
      return undefined;
    },
  };
}
