import type { IncomingMessage, ServerResponse } from 'node:http';
import { startStandaloneServer } from '../standalone-server.ts';
import { SqsEmulator, type SqsEmulatorOptions } from './emulator.ts';

export interface SqsServer {
  url: string;
  emulator: SqsEmulator;
  close(): Promise<void>;
}

/**
 * A standalone HTTP server for the emulator (tests and tools); port 0 = any free port.
 * Every POST goes to `emulator.handle` with its X-Amz-Target; the local cloud instead mounts
 * `handle` on its shared edge port.
 *
 * @example
 * const sqs = await startSqsServer({ port: 0 });
 * const client = new SQSClient({ endpoint: sqs.url, region: 'us-east-1', credentials });
 */
export async function startSqsServer(
  options: Omit<SqsEmulatorOptions, 'endpoint'> & { port?: number; host?: string },
): Promise<SqsServer> {
  const { port = 0, host = '127.0.0.1', ...emulatorOptions } = options;
  const emulator = new SqsEmulator({ ...emulatorOptions, endpoint: `http://${host}:${port}` });
  await emulator.open();
  const server = await startStandaloneServer({
    port,
    host,
    serve: (request, response) => serve(emulator, request, response),
    // The port was taken: release the data folder's journal before giving up.
    onListenError: () => emulator.close(),
  });
  emulator.setEndpoint(server.url);
  return {
    url: server.url,
    emulator,
    async close(): Promise<void> {
      // Closing the emulator first answers parked long polls, so their sockets can finish.
      await emulator.close();
      await server.close();
    },
  };
}

async function serve(emulator: SqsEmulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const aborted = new AbortController();
  // The client hung up before we answered (a long poll it gave up on): stop the poll, so the
  // message it would have taken stays in the queue.
  response.on('close', () => {
    if (!response.writableFinished) aborted.abort();
  });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of request) chunks.push(chunk as Buffer);
  } catch {
    return;
  }
  if (request.method !== 'POST') {
    response.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('The SQS emulator accepts POST requests only.\n');
    return;
  }
  const targetHeader = request.headers['x-amz-target'];
  const target = Array.isArray(targetHeader) ? (targetHeader[0] ?? '') : (targetHeader ?? '');
  const answer = await emulator.handle(target, Buffer.concat(chunks), aborted.signal);
  if (response.destroyed) return;
  response.writeHead(answer.status, answer.headers).end(answer.body);
}
