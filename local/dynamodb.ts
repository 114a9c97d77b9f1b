import type { RequestListener } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { listen } from './listen.ts';

export interface LocalDynamoDbOptions {
  /** Folder of the local cloud's state; the table data lives in `<dataDir>/dynamodb`. Null: memory. */
  dataDir: string | null;
}

export interface LocalDynamoDb {
  /** dynalite's request listener, mounted behind the edge router. */
  readonly handle: RequestListener;
  /** Path of the LevelDB folder, or null in memory. */
  readonly path: string | null;
  /** Waits for pending writes and closes the database (releasing its lock). */
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB on LevelDB) without a port of its own: the edge router calls its
 * request listener. Table state changes are instant (0 ms CREATING/DELETING/UPDATING) so the
 * bootstrap never waits.
 *
 * @example
 * const dynamodb = await startDynamoDb({ dataDir: '.skyforge' });
 * edgeRoutes.push(dynamoDbRoute(dynamodb.handle));
 */
export async function startDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const path = options.dataDir === null ? null : join(options.dataDir, 'dynamodb');
  if (path !== null) await mkdir(options.dataDir as string, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path === null ? {} : { path }),
  });
  const listener = server.listeners('request')[0];
  if (typeof listener !== 'function') throw new Error('dynalite did not install a request listener');
  const handle = listener as RequestListener;
  let closed: Promise<void> | undefined;

  return {
    handle,
    path,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        // dynalite closes its LevelDB only from inside server.close(), and Node's close() of a
        // server that never listened fails before dynalite gets there (the lock would stay
        // held, and reopening the folder in this process would crash). So the server listens
        // for a moment on a loopback port that nobody is told about, purely to be closed.
        listen(server, 0, '127.0.0.1', 'dynalite shutdown')
          .then(() => {
            server.close((error) => (error ? reject(error) : resolve()));
            server.closeAllConnections();
          })
          .catch(reject);
      });
      return closed;
    },
  };
}
