import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { awsJsonError, writeAwsResponse } from './aws-json-response.ts';
import type { AwsJsonResponse } from './aws-json-response.ts';
import { INTERNAL_REQUEST_HEADER } from './dynamodb-capacity.ts';
import { closeServer, listen } from './listen.ts';
import { BodyTooLargeError, readBody } from './read-body.ts';
import { replayRequest } from './replay-request.ts';

/**
 * One service behind the edge port. Routes are tried in order and the first that matches takes
 * the request, so a service that is not told apart by X-Amz-Target (the Scheduler's REST API,
 * matched by path) can be added without touching the others.
 */
export interface EdgeRoute {
  /** Name shown by the health route and in errors. */
  readonly name: string;
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

/**
 * Checks calls before any route sees them (the local IAM). Requests it names no identity for
 * pass on unread; for the others the edge reads the body once and replays it to the route.
 */
export interface EdgeGuard {
  /** The identity whose calls are checked, or undefined for a request that is not checked. */
  identityOf(req: IncomingMessage): string | undefined;
  /** The response that refuses the call, or undefined to let it through. */
  check(identity: string, req: IncomingMessage, body: Buffer): AwsJsonResponse | undefined;
}

export interface EdgeServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  routes: readonly EdgeRoute[];
  guard?: EdgeGuard;
  log?: (message: string) => void;
}

export interface EdgeServer {
  /** Base URL for AWS_ENDPOINT_URL, e.g. http://127.0.0.1:4566. */
  readonly url: string;
  readonly port: number;
  /**
   * Calls per service operation since start ('DynamoDB.Query', 'SQS.SendMessage',
   * 'Scheduler.POST /schedules'): what the system would be billed for on AWS, for benchmarks.
   * The local cloud's own requests (marked with INTERNAL_REQUEST_HEADER) are not counted.
   */
  readonly calls: Map<string, number>;
  /** Puts a guard in front of the routes (or takes it away) for the requests that follow. */
  setGuard(guard: EdgeGuard | undefined): void;
  close(): Promise<void>;
}

/** The X-Amz-Target header of an AWS JSON request ('AmazonSQS.SendMessage'), if any. */
export function amzTarget(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? target : undefined;
}

/**
 * Starts the edge server: one port, like LocalStack's 4566, behind which every emulated AWS
 * service answers, so `AWS_ENDPOINT_URL=http://localhost:4566` points any AWS SDK client (or the
 * AWS CLI) at the whole local cloud. Requests no route claims get a JSON 400 in AWS's error shape.
 *
 * @example
 * const edge = await startEdgeServer({ port: 4566, routes: [dynamoDbRoute(...), sqsRoute(...)] });
 */
export async function startEdgeServer(options: EdgeServerOptions): Promise<EdgeServer> {
  const calls = new Map<string, number>();
  const host = options.host ?? '127.0.0.1';
  let guard = options.guard;
  const server = createServer((req, res) => {
    count(calls, req);
    const identity = guard?.identityOf(req);
    if (identity === undefined || guard === undefined) route(options.routes, req, res, options.log);
    else guarded(guard, identity, options.routes, req, res, options.log);
  });
  // SDK clients keep sockets alive between calls; a server that drops idle sockets sooner than
  // the client expects makes the next call fail with ECONNRESET.
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, options.port, host, 'AWS edge');
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    calls,
    setGuard: (next) => {
      guard = next;
    },
    close: () => closeServer(server),
  };
}

function count(calls: Map<string, number>, req: IncomingMessage): void {
  if (req.headers[INTERNAL_REQUEST_HEADER] !== undefined) return;
  const target = amzTarget(req);
  let name: string;
  if (target) {
    const [service = target, operation = ''] = target.split('.');
    name = `${service.startsWith('DynamoDB') ? 'DynamoDB' : service === 'AmazonSQS' ? 'SQS' : service}.${operation}`;
  } else {
    // Path-routed REST APIs (Scheduler): method and the path's first segment.
    name = `Scheduler.${req.method ?? 'GET'} /${(req.url ?? '/').split('?')[0]?.split('/')[1] ?? ''}`;
  }
  calls.set(name, (calls.get(name) ?? 0) + 1);
}

/** Larger than any route's own limit (dynalite's 16 MiB): the route still answers its 413. */
const MAX_GUARDED_BODY_BYTES = 17 * 1024 * 1024;

function guarded(guard: EdgeGuard, identity: string, routes: readonly EdgeRoute[], req: IncomingMessage, res: ServerResponse, log?: (m: string) => void): void {
  readBody(req, MAX_GUARDED_BODY_BYTES).then(
    (body) => {
      const denial = guard.check(identity, req, body);
      if (denial) writeAwsResponse(res, denial);
      else route(routes, replayRequest(req, body), res, log);
    },
    (error: unknown) => {
      if (res.headersSent) return;
      const tooLarge = error instanceof BodyTooLargeError;
      writeAwsResponse(
        res,
        awsJsonError(tooLarge ? 413 : 400, `com.amazon.coral.service#${tooLarge ? 'RequestEntityTooLarge' : 'SerializationException'}`, (error as Error).message),
      );
    },
  );
}

function route(routes: readonly EdgeRoute[], req: IncomingMessage, res: ServerResponse, log?: (m: string) => void): void {
  const match = routes.find((r) => r.matches(req));
  if (!match) {
    req.resume();
    const target = amzTarget(req);
    writeAwsResponse(
      res,
      awsJsonError(
        400,
        'com.amazon.coral.service#UnknownOperationException',
        target
          ? `The local cloud does not emulate the service of X-Amz-Target ${target}`
          : `No emulated AWS service answers ${req.method ?? 'GET'} ${req.url ?? '/'}`,
      ),
    );
    return;
  }
  Promise.resolve()
    .then(() => match.handle(req, res))
    .catch((error: unknown) => {
      log?.(`${match.name} failed: ${(error as Error).stack ?? String(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      writeAwsResponse(res, awsJsonError(500, 'com.amazon.coral.service#InternalFailure', (error as Error).message));
    });
}
