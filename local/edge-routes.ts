import type { IncomingMessage, ServerResponse } from 'node:http';
import { awsJsonError, awsJsonResult, writeAwsResponse, type AwsJsonResponse } from './aws-json-response.ts';
import { INTERNAL_REQUEST_HEADER, type DynamoDbCapacityMeter, type ForwardedResponse } from './dynamodb-capacity.ts';
import type { DynamoDbRequestHandler } from './dynamodb.ts';
import type { DynamoDbTtl } from './dynamodb-ttl.ts';
import { isTtlOperation } from './dynamodb-ttl.ts';
import { amzTarget, type EdgeRoute } from './edge.ts';
import { BodyTooLargeError, readBody } from './read-body.ts';
import { isSchedulerPath } from './scheduler/rest-routes.ts';

/**
 * The part of the SQS emulator the edge needs: one AWS JSON 1.0 request in, one response out;
 * `signal` fires when the client hangs up, which ends its long poll without taking messages.
 */
export interface SqsRequestHandler {
  handle(target: string, body: Buffer, signal?: AbortSignal): Promise<AwsJsonResponse>;
}

/** The part of the Scheduler emulator the edge needs: one REST-JSON request in, one response out. */
export interface SchedulerRequestHandler {
  handle(method: string, path: string, query: URLSearchParams, body: Buffer): Promise<AwsJsonResponse>;
}

/** SQS caps a request at 1 MiB of messages; the extra room is for JSON and attribute overhead. */
const MAX_SQS_REQUEST_BYTES = 2 * 1024 * 1024;
const MAX_TTL_REQUEST_BYTES = 64 * 1024;
/** A schedule's Input is at most 8 KiB; the rest of a CreateSchedule body is small. */
const MAX_SCHEDULER_REQUEST_BYTES = 1024 * 1024;
/** dynalite's own request limit. */
const MAX_DYNAMODB_REQUEST_BYTES = 16 * 1024 * 1024;
const DYNAMODB_PREFIX = 'DynamoDB_20120810.';
const SQS_PREFIX = 'AmazonSQS.';

/**
 * DynamoDB (`X-Amz-Target: DynamoDB_20120810.*`): dynalite's own request listener (in its thread), except for
 * the TTL operations dynalite lacks, which the TTL emulation answers.
 */
export function dynamoDbRoute(dynalite: DynamoDbRequestHandler, ttl: DynamoDbTtl, meter?: () => DynamoDbCapacityMeter | undefined): EdgeRoute {
  return {
    name: 'dynamodb',
    matches: (req) => amzTarget(req)?.startsWith(DYNAMODB_PREFIX) ?? false,
    async handle(req, res) {
      const operation = (amzTarget(req) ?? '').slice(DYNAMODB_PREFIX.length);
      if (!isTtlOperation(operation)) {
        const body = await readAwsBody(req, res, MAX_DYNAMODB_REQUEST_BYTES);
        if (!body) return;
        const capacity = req.headers[INTERNAL_REQUEST_HEADER] === undefined ? meter?.() : undefined;
        if (!capacity) {
          dynalite(req, body, res);
          return;
        }
        // The answer is held until the request is metered, so a caller that has its answer
        // finds it in the totals, and its next write to the item is metered after this one.
        const held = holdResponse(res);
        try {
          await capacity.meter(operation, body, () => {
            dynalite(req, body, res);
            return held.response;
          });
        } finally {
          held.release();
        }
        return;
      }
      const body = await readAwsBody(req, res, MAX_TTL_REQUEST_BYTES);
      if (body) writeAwsResponse(res, await ttl.handle(operation, body));
    },
  };
}

/**
 * Holds back the end of a response: `response` resolves with the status and body the handler
 * ended it with; nothing reaches the client until `release()`.
 */
function holdResponse(res: ServerResponse): { response: Promise<ForwardedResponse>; release(): void } {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let endArgs: unknown[] | undefined;
  let released = false;
  let resolveResponse!: (response: ForwardedResponse) => void;
  const response = new Promise<ForwardedResponse>((resolve) => {
    resolveResponse = resolve;
  });
  res.end = ((...args: unknown[]) => {
    const [chunk] = args;
    const body = typeof chunk === 'string' || Buffer.isBuffer(chunk) ? Buffer.from(chunk).toString('utf8') : '';
    resolveResponse({ status: res.statusCode, body });
    if (released) return end(...args);
    endArgs = args;
    return res;
  }) as typeof res.end;
  return {
    response,
    release() {
      released = true;
      res.end = end as typeof res.end;
      if (endArgs) end(...endArgs);
    },
  };
}

/** What SQS bills: 1 request per started 64 KB of a request's payload, and the empty receives among them. */
export interface SqsUsage {
  billableRequests: number;
  emptyReceives: number;
  messagesReceived: number;
  /** Messages deleted (DeleteMessage, and the successful entries of DeleteMessageBatch). */
  messagesDeleted: number;
}

const SQS_BILLING_CHUNK_BYTES = 64 * 1024;

/** SQS over the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.*`), the one today's SDK speaks. */
export function sqsRoute(emulator: SqsRequestHandler, usage?: SqsUsage): EdgeRoute {
  return {
    name: 'sqs',
    matches: (req) => amzTarget(req)?.startsWith(SQS_PREFIX) ?? false,
    async handle(req, res) {
      const clientGone = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) clientGone.abort();
      });
      const body = await readAwsBody(req, res, MAX_SQS_REQUEST_BYTES);
      if (!body) return;
      const target = amzTarget(req) ?? '';
      const response = await emulator.handle(target, body, clientGone.signal);
      if (clientGone.signal.aborted && target === 'AmazonSQS.ReceiveMessage' && response.status === 200) {
        await releaseOrphanedMessages(emulator, body, response);
        res.destroy();
        return;
      }
      if (usage) countSqsUsage(usage, target, body, response);
      writeAwsResponse(res, response);
    },
  };
}

function countSqsUsage(usage: SqsUsage, target: string, body: Buffer, response: AwsJsonResponse): void {
  const bytes = Math.max(body.length, target === 'AmazonSQS.ReceiveMessage' ? Buffer.byteLength(response.body) : 0);
  usage.billableRequests += Math.max(1, Math.ceil(bytes / SQS_BILLING_CHUNK_BYTES));
  if (response.status !== 200) return;
  if (target === 'AmazonSQS.DeleteMessage') usage.messagesDeleted += 1;
  if (target === 'AmazonSQS.DeleteMessageBatch') {
    usage.messagesDeleted += (JSON.parse(response.body) as { Successful?: unknown[] }).Successful?.length ?? 0;
  }
  if (target !== 'AmazonSQS.ReceiveMessage') return;
  const received = (JSON.parse(response.body) as { Messages?: unknown[] }).Messages?.length ?? 0;
  usage.messagesReceived += received;
  if (received === 0) usage.emptyReceives += 1;
}

/**
 * EventBridge Scheduler's REST-JSON API. It sends no X-Amz-Target, so it is told apart by path
 * (`/schedules...`, `/schedule-groups...`, `/tags/...`), which no other emulated service uses.
 */
export function schedulerRoute(emulator: SchedulerRequestHandler): EdgeRoute {
  return {
    name: 'scheduler',
    matches: (req) => amzTarget(req) === undefined && isSchedulerPath((req.url ?? '/').split('?')[0] ?? '/'),
    async handle(req, res) {
      const body = await readAwsBody(req, res, MAX_SCHEDULER_REQUEST_BYTES);
      if (!body) return;
      // The pathname stays percent-encoded: a label (an ARN) may hold an encoded '/'.
      const url = new URL(req.url ?? '/', 'http://edge.local');
      writeAwsResponse(res, await emulator.handle(req.method ?? 'GET', url.pathname, url.searchParams, body));
    },
  };
}

/**
 * A long poll whose caller hung up (a poller stopping on Ctrl-C) in the instant its messages
 * were being handed over has taken them; nobody will ever see their receipt handles, so on SQS they would stay invisible for
 * the whole visibility timeout (30 minutes for the worker queues). Locally we make them visible
 * again at once, so a restart of `npm start` never strands jobs.
 */
async function releaseOrphanedMessages(emulator: SqsRequestHandler, requestBody: Buffer, response: AwsJsonResponse): Promise<void> {
  try {
    const queueUrl = (JSON.parse(requestBody.toString('utf8')) as { QueueUrl?: string }).QueueUrl;
    const messages = (JSON.parse(response.body) as { Messages?: Array<{ ReceiptHandle?: string }> }).Messages ?? [];
    for (let start = 0; start < messages.length; start += 10) {
      const entries = messages
        .slice(start, start + 10)
        .map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
      const request = Buffer.from(JSON.stringify({ QueueUrl: queueUrl, Entries: entries }), 'utf8');
      await emulator.handle('AmazonSQS.ChangeMessageVisibilityBatch', request);
    }
  } catch {
    // Best effort: at worst the messages come back after their visibility timeout, as on AWS.
  }
}

/** `GET /_skyforge/health`: which services the edge serves (for scripts that wait for start). */
export function healthRoute(services: () => readonly string[]): EdgeRoute {
  return {
    name: 'health',
    matches: (req) => req.method === 'GET' && (req.url ?? '').split('?')[0] === '/_skyforge/health',
    handle(req, res) {
      req.resume();
      writeAwsResponse(res, awsJsonResult(200, { services: Object.fromEntries(services().map((s) => [s, 'running'])) }));
    },
  };
}

async function readAwsBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  try {
    return await readBody(req, limit);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    writeAwsResponse(res, awsJsonError(413, 'com.amazon.coral.service#RequestEntityTooLarge', error.message));
    return undefined;
  }
}
