import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DYNAMODB_THREAD_SOURCE, type DynamoDbThreadData, type DynamoDbThreadMessage, type DynamoDbThreadRequest } from './dynamodb-thread.ts';

export interface LocalDynamoDbOptions {
  /** Folder of the local cloud's state; the table data lives in `<dataDir>/dynamodb`. Null: memory. */
  dataDir: string | null;
}

/** Answers one DynamoDB request whose body the edge has already read. */
export type DynamoDbRequestHandler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

export interface LocalDynamoDb {
  /** dynalite's answer to a request, mounted behind the edge router. */
  readonly handle: DynamoDbRequestHandler;
  /** Path of the LevelDB folder, or null in memory. */
  readonly path: string | null;
  /** Waits for pending writes and closes the database (releasing its lock), then ends the thread. */
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB on LevelDB) in a worker thread (see dynamodb-thread.ts), without a
 * port of its own: the edge router hands it each request it has read. A thread, not a child
 * process: it cannot outlive the local cloud, even when that is killed with SIGKILL.
 *
 * @example
 * const dynamodb = await startDynamoDb({ dataDir: '.skyforge' });
 * edgeRoutes.push(dynamoDbRoute(dynamodb.handle, ttl));
 */
export async function startDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const path = options.dataDir === null ? null : join(options.dataDir, 'dynamodb');
  if (path !== null) await mkdir(options.dataDir as string, { recursive: true });
  const workerData: DynamoDbThreadData = { dynalitePath: createRequire(import.meta.url).resolve('dynalite'), path };
  const worker = new Worker(DYNAMODB_THREAD_SOURCE, { eval: true, workerData, stdout: false, stderr: false });
  const pending = new Map<number, ServerResponse>();
  let nextId = 1;
  let failure: Error | undefined;
  let onClosed: ((message: Extract<DynamoDbThreadMessage, { type: 'closed' }>) => void) | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: DynamoDbThreadMessage) => {
      worker.off('error', reject);
      if (message.type === 'ready') resolve();
      else reject(new Error(`dynalite's thread answered ${message.type} before it was ready`));
    });
  });
  worker.on('message', (message: DynamoDbThreadMessage) => {
    if (message.type === 'response') {
      const res = pending.get(message.id);
      pending.delete(message.id);
      if (res && !res.destroyed) writeAnswer(res, message.status, message.headers, message.body);
    } else if (message.type === 'closed') onClosed?.(message);
  });
  // dynalite throws from its callbacks when LevelDB fails; in-process that ended the whole local
  // cloud. Here the thread dies: every call gets a 500 that names why (logged by the SDK's
  // caller as an InternalFailure) instead of hanging.
  worker.on('error', (error) => {
    failure = error;
    for (const res of pending.values()) failInternally(res, error);
    pending.clear();
  });
  // Idle, the thread keeps nothing alive (as dynalite in the main thread did not); close() holds it.
  worker.unref();

  const handle: DynamoDbRequestHandler = (req, body, res) => {
    if (failure) {
      failInternally(res, failure);
      return;
    }
    const id = nextId;
    nextId += 1;
    pending.set(id, res);
    const request: DynamoDbThreadRequest = {
      type: 'call',
      id,
      method: req.method ?? 'POST',
      url: req.url ?? '/',
      headers: headersForDynalite(req.headers),
      // A small body is a view into Node's shared pool; posting it would copy the whole pool.
      body: body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body),
    };
    worker.postMessage(request);
  };

  let closed: Promise<void> | undefined;
  return {
    handle,
    path,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        if (failure) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.ref();
        onClosed = (message) => {
          void worker.terminate().then(() => (message.error ? reject(new Error(message.error)) : resolve()));
        };
        worker.postMessage({ type: 'close' } satisfies DynamoDbThreadRequest);
      });
      return closed;
    },
  };
}

/** The headers dynalite reads (its CORS answer, content type, target, signature checks): a smaller message to copy. */
const DYNALITE_HEADERS = ['content-type', 'x-amz-target', 'authorization', 'x-amz-date', 'date', 'origin', 'access-control-request-headers', 'access-control-request-method'];

function headersForDynalite(headers: IncomingMessage['headers']): Record<string, string | string[] | undefined> {
  const picked: Record<string, string | string[] | undefined> = {};
  for (const name of DYNALITE_HEADERS) if (headers[name] !== undefined) picked[name] = headers[name];
  return picked;
}

function writeAnswer(res: ServerResponse, status: number, headers: Array<[string, string]>, body: string): void {
  res.statusCode = status;
  for (const [name, value] of headers) res.setHeader(name, value);
  res.end(body);
}

function failInternally(res: ServerResponse, error: Error): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ __type: 'com.amazon.coral.service#InternalFailure', message: `dynalite stopped: ${error.message}` });
  writeAnswer(res, 500, [['Content-Type', 'application/x-amz-json-1.0']], body);
}
