import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandaloneServer {
  url: string;
  /** Closes the server and every socket still open (long polls, keep-alive). */
  close(): Promise<void>;
}

/**
 * An HTTP server of its own for one emulator (tests and tools; the local cloud mounts the
 * emulators on its shared edge port instead). `serve` answers each request; port 0 = any free port.
 * If listening fails, `onListenError` runs first (e.g. to release an emulator's data folder).
 */
export async function startStandaloneServer(options: {
  port: number;
  host: string;
  serve: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  onListenError?: () => Promise<void>;
}): Promise<StandaloneServer> {
  const server = createServer((request, response) => {
    options.serve(request, response).catch(() => {
      // The emulators answer every failure themselves; this only catches a socket that broke mid-write.
      response.destroy();
    });
  });
  // SDK clients reuse sockets; closing idle ones sooner than they expect (Node's default is
  // 5 s) makes a later call fail with ECONNRESET.
  server.keepAliveTimeout = 30_000;
  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    await options.onListenError?.();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${formatHost(options.host)}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Keep-alive sockets of clients that are still connected would hold close() open.
        setImmediate(() => server.closeAllConnections());
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
