import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/**
 * The request again, with its body already read. dynalite's listener throws from its request
 * 'error' handler, so a client hanging up mid-upload would crash the whole local cloud; reading
 * the body first means dynalite only ever sees a complete request that cannot fail. The local
 * IAM reads bodies before routing for the same reason: the route then gets this replay.
 */
export function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
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
