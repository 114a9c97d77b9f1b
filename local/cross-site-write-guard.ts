import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The local cloud's API needs no credential, and its dashboard makes it a place browsers visit,
 * so a web page on another site could fire simple requests at it (`fetch(..., { mode: 'no-cors' })`
 * with an empty body passes the API's JSON check: POST /jobs/{id}/cancel, /schedules/{name}/pause).
 * A browser says where a request comes from; a write that another site (or an opaque origin)
 * sent is refused with 403 here. curl, the SDKs, the CLI and tests send neither header and pass,
 * as do the dashboard's own calls (same origin). API Gateway on AWS has no such check: there the
 * API wants SigV4, which a web page cannot produce.
 *
 * Answers true when it refused the request (and wrote the answer).
 */
export function refuseCrossSiteWrite(req: IncomingMessage, res: ServerResponse): boolean {
  if (READ_METHODS.has(req.method ?? 'GET')) return false;
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const ownOrigin = `http://${req.headers.host ?? ''}`;
  const foreign = (origin !== undefined && origin !== ownOrigin) || site === 'cross-site' || site === 'same-site';
  if (!foreign) return false;
  const requestId = randomUUID();
  res.writeHead(403, { 'content-type': 'application/json', 'x-request-id': requestId });
  res.end(
    JSON.stringify({
      code: 'FORBIDDEN',
      message: 'the local cloud refuses writes sent by another site open in the browser',
      details: { origin: origin ?? null, secFetchSite: site ?? null },
      requestId,
    }),
  );
  return true;
}
