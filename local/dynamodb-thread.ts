/**
 * The worker thread that runs dynalite (DynamoDB on LevelDB), so that its request handling
 * (validation, the expression parsers, LevelDB, the JSON of every answer: about a fifth of the
 * local cloud's CPU per job) runs on the second core while the main thread runs the handlers,
 * the edge and the other emulators.
 *
 * The edge still reads every request off the wire exactly as before (the IAM guard, the fault
 * injector and the capacity meter see it first); only dynalite's request listener moves. Each
 * call crosses as `{ method, url, headers, body }` and comes back as `{ status, headers, body }`:
 * dynalite's own listener answers it, through a request and response shaped like Node's (the
 * parts it uses), so the answers are byte for byte those of dynalite behind an HTTP port.
 *
 * The thread's code is plain CommonJS evaluated from this string, not a module file: the same
 * code then runs under tsx (`npm start`), vitest and the compiled package in dist/, none of
 * which would agree on how to load a `.ts` worker file. It requires dynalite by the path the
 * main thread resolved.
 */

import { EXPRESSION_CACHE_SOURCE } from './dynamodb-expression-cache.ts';

/** What the main thread sends. */
export type DynamoDbThreadRequest =
  | { type: 'call'; id: number; method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Uint8Array }
  | { type: 'close' };

/** What the thread answers. */
export type DynamoDbThreadMessage =
  | { type: 'ready' }
  | { type: 'response'; id: number; status: number; headers: Array<[string, string]>; body: string }
  | { type: 'closed'; error?: string };

/** workerData of the thread. */
export interface DynamoDbThreadData {
  dynalitePath: string;
  /** LevelDB folder, or null in memory. */
  path: string | null;
}

export const DYNAMODB_THREAD_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
const { dirname, join } = require('node:path');

// dynalite's expression parsers, memoized (dynamodb-expression-cache.ts) before dynalite loads them.
const memoizeParser = (function () {
  const module = { exports: {} };
  ${EXPRESSION_CACHE_SOURCE}
  return module.exports;
})();
for (const name of ['conditionParser', 'updateParser', 'projectionParser']) {
  const parser = require(join(dirname(workerData.dynalitePath), 'db', name + '.js'));
  parser.parse = memoizeParser(parser);
}
const dynalite = require(workerData.dynalitePath);

// Table state changes are instant (0 ms CREATING/DELETING/UPDATING), so the bootstrap never waits.
const server = dynalite(Object.assign(
  { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 },
  workerData.path === null ? {} : { path: workerData.path },
));
const listener = server.listeners('request')[0];
if (typeof listener !== 'function') throw new Error('dynalite did not install a request listener');

function call(message) {
  const req = new EventEmitter();
  req.method = message.method;
  req.url = message.url;
  req.headers = message.headers;
  const headers = [];
  const res = {
    statusCode: 200,
    setHeader(name, value) {
      headers.push([name, String(value)]);
    },
    end(body) {
      parentPort.postMessage({ type: 'response', id: message.id, status: res.statusCode, headers, body: body === undefined ? '' : String(body) });
    },
  };
  listener(req, res);
  const body = message.body;
  if (body.length > 0) req.emit('data', Buffer.from(body.buffer, body.byteOffset, body.length));
  req.emit('end');
}

// dynalite closes its LevelDB only from inside server.close(), and Node's close() of a server
// that never listened fails before dynalite gets there (the lock would stay held). So the server
// listens for a moment on a loopback port nobody is told about, purely to be closed.
function close() {
  server.listen(0, '127.0.0.1', () => {
    server.close((error) => parentPort.postMessage({ type: 'closed', error: error ? error.message : undefined }));
    server.closeAllConnections();
  });
}

parentPort.on('message', (message) => {
  if (message.type === 'call') call(message);
  else if (message.type === 'close') close();
});
parentPort.postMessage({ type: 'ready' });
`;
