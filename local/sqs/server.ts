import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const server = createServer((request, response) => {
    serve(emulator, request, response).catch(() => {
      // handle() answers every failure itself; this only catches a socket that broke mid-write.
      response.destroy();
    });
  });
  // SDK clients reuse sockets; closing idle ones sooner than they expect (Node's default is
  // 5 s) makes a later call fail with ECONNRESET.
  server.keepAliveTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The port was taken: release the data folder's journal before giving up.
    await emulator.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${formatHost(host)}:${address.port}`;
  emulator.setEndpoint(url);
  return {
    url,
    emulator,
    async close(): Promise<void> {
      // Closing the emulator first answers parked long polls, so their sockets can finish.
      await emulator.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Keep-alive sockets of clients that are still connected would hold close() open.
        setImmediate(() => server.closeAllConnections());
      });
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

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
