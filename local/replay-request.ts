import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

const replayedBodies = new WeakMap<object, Buffer>();

/**
 * The body of a request made by replayRequest, if `req` is one and nothing has read it yet: the
 * edge then hands the bytes it already holds to the route instead of streaming them again (a
 * checked call would otherwise be read twice).
 */
export function takeReplayedBody(req: IncomingMessage): Buffer | undefined {
  const body = replayedBodies.get(req);
  if (body === undefined || req.readableDidRead) return undefined;
  replayedBodies.delete(req);
  // Drained, so that a listener added later sees the stream end as it would after a read.
  req.resume();
  return body;
}

/**
 * The request again, with its body already read. dynalite's listener throws from its request
 * 'error' handler, so a client hanging up mid-upload would crash the whole local cloud; reading
 * the body first means dynalite only ever sees a complete request that cannot fail. The local
 * IAM reads bodies before routing for the same reason: the route then gets this replay.
 */
export function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from(body.length > 0 ? [body] : []);
  replayedBodies.set(replay, body);
  return Object.assign(replay, {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    socket: req.socket,
  }) as unknown as IncomingMessage;
}
