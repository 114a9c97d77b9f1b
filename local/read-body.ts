import type { IncomingMessage } from 'node:http';
import { takeReplayedBody } from './replay-request.ts';

/** A request body over the limit; the caller answers 413 in its own dialect. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly code = 'BODY_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`request body is larger than ${limitBytes} bytes`);
  }
}

/**
 * Reads a whole request body. Past `limitBytes` it stops keeping the bytes (a 50 MB upload costs
 * no 50 MB of memory) but still drains the upload before failing: answering 413 while the client
 * is still sending makes many clients see a reset connection instead of the 413.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const replayed = takeReplayedBody(req);
  if (replayed !== undefined) {
    return replayed.length > limitBytes ? Promise.reject(new BodyTooLargeError(limitBytes)) : Promise.resolve(replayed);
  }
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limitBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limitBytes) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new BodyTooLargeError(limitBytes));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}
