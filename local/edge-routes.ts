import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { awsJsonError, awsJsonResult, writeAwsResponse, type AwsJsonResponse } from './aws-json-response.ts';
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
 * DynamoDB (`X-Amz-Target: DynamoDB_20120810.*`): dynalite's own request listener, except for
 * the TTL operations dynalite lacks, which the TTL emulation answers.
 */
export function dynamoDbRoute(dynalite: RequestListener, ttl: DynamoDbTtl): EdgeRoute {
  return {
    name: 'dynamodb',
    matches: (req) => amzTarget(req)?.startsWith(DYNAMODB_PREFIX) ?? false,
    async handle(req, res) {
      const operation = (amzTarget(req) ?? '').slice(DYNAMODB_PREFIX.length);
      if (!isTtlOperation(operation)) {
        const body = await readAwsBody(req, res, MAX_DYNAMODB_REQUEST_BYTES);
        if (body) dynalite(replayRequest(req, body), res);
        return;
      }
      const body = await readAwsBody(req, res, MAX_TTL_REQUEST_BYTES);
      if (body) writeAwsResponse(res, await ttl.handle(operation, body));
    },
  };
}

/** SQS over the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.*`), the one today's SDK speaks. */
export function sqsRoute(emulator: SqsRequestHandler): EdgeRoute {
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
      writeAwsResponse(res, response);
    },
  };
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

/**
 * The request again, with its body already read. dynalite's listener throws from its request
 * 'error' handler, so a client hanging up mid-upload would crash the whole local cloud; reading
 * the body here first means dynalite only ever sees a complete request that cannot fail.
 */
function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from(body.length > 0 ? [body] : []);
  return Object.assign(replay, {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    socket: req.socket,
  }) as unknown as IncomingMessage;
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
