import type { IncomingMessage, ServerResponse } from 'node:http';
import { startStandaloneServer } from '../standalone-server.ts';
import { SchedulerEmulator, type SchedulerEmulatorOptions } from './emulator.ts';

export interface SchedulerServer {
  url: string;
  emulator: SchedulerEmulator;
  close(): Promise<void>;
}

/** Scheduler inputs are small (Input is at most 8 KiB); this bounds what a stray client can make us buffer. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * A standalone HTTP server for the Scheduler emulator (tests and tools); port 0 = any free port.
 * The local cloud instead mounts `handle` on its shared edge port.
 *
 * @example
 * const scheduler = await startSchedulerServer({ port: 0, deliver: async (d) => console.log(d) });
 * const client = new SchedulerClient({ endpoint: scheduler.url, region: 'us-east-1', credentials });
 */
export async function startSchedulerServer(
  options: SchedulerEmulatorOptions & { port?: number; host?: string },
): Promise<SchedulerServer> {
  const { port = 0, host = '127.0.0.1', ...emulatorOptions } = options;
  const emulator = new SchedulerEmulator(emulatorOptions);
  await emulator.open();
  const server = await startStandaloneServer({
    port,
    host,
    serve: (request, response) => serve(emulator, request, response),
    onListenError: () => emulator.close(),
  });
  return {
    url: server.url,
    emulator,
    async close(): Promise<void> {
      await emulator.close();
      await server.close();
    },
  };
}

async function serve(emulator: SchedulerEmulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      response.writeHead(413, { 'content-type': 'text/plain' }).end('request body too large\n');
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const url = new URL(request.url ?? '/', 'http://scheduler.local');
  const answer = await emulator.handle(request.method ?? 'GET', url.pathname, url.searchParams, Buffer.concat(chunks));
  if (response.destroyed) return;
  response.writeHead(answer.status, answer.headers).end(answer.body);
}
