import type { Server } from 'node:http';
import { PortInUseError } from './errors.ts';

/**
 * Starts `server` on `host:port` and resolves with the port actually bound (port 0 asks the
 * OS for a free one, which is how tests run many local clouds side by side).
 *
 * @example
 * const port = await listen(server, 0, '127.0.0.1', 'edge');
 */
export function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, what) : error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Closes `server` and drops its idle keep-alive sockets (AWS SDK clients keep them open),
 * so shutdown does not wait for the client to hang up. Resolves even if it was not listening.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeIdleConnections();
    // Requests still in flight get a moment to finish, then their sockets go too.
    const timer = setTimeout(() => server.closeAllConnections(), 1_000);
    timer.unref();
  });
}
