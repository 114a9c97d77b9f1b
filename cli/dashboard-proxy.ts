import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDashboardPath, serveDashboard } from '../ui/serve-assets.ts';
import { strictEncode } from './client/http-transport.ts';
import { SigV4RequestSigner, type AwsCredentialIdentity, type AwsCredentialIdentityProvider } from './client/sigv4-signer.ts';
import type { Connection } from './config.ts';

export interface DashboardProxyOptions {
  /** The API to forward to, and how to sign (the CLI's resolved connection). */
  connection: Connection;
  /** 0 picks a free port. */
  port: number;
  /** No write action in the dashboard, and every write refused here with 403. */
  readOnly: boolean;
  /** SigV4 credentials (default: the AWS SDK's credential chain). */
  credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  fetch?: typeof fetch;
  /** Assets folder (default ui/dist, built when stale). */
  assetsDir?: string;
  log?: (message: string) => void;
}

export interface DashboardProxy {
  /** http://127.0.0.1:<port>/ui/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const READ_METHODS = new Set(['GET', 'HEAD']);
/** Request headers worth passing on; everything else (cookies, the browser's own) stays here. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'x-request-id', 'idempotency-key'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'x-request-id', 'retry-after', 'location', 'idempotent-replayed'];
const MAX_BODY_BYTES = 6 * 1024 * 1024;

/**
 * `skyforge ui`: serves the dashboard on 127.0.0.1 and forwards its API calls to the deployed
 * stack, signed with SigV4 by the client's signer (or with the bearer token), so nothing new is
 * exposed on AWS. The proxy holds the operator's credentials, so it guards them:
 *
 * - it listens on loopback only, and answers only requests whose Host is its own (a DNS
 *   rebinding page cannot reach it under another name);
 * - a write (anything but GET and HEAD) must come from the dashboard's own origin: `Origin` equal
 *   to it, or, without Origin, `Sec-Fetch-Site: same-origin`. A request carrying neither (curl, a
 *   script) or another site's is refused with 403, so another site open in the browser cannot
 *   drive it; reads from another site are refused too (Sec-Fetch-Site cross-site or same-site);
 * - `--read-only` refuses every write with 403, whatever its origin.
 *
 * @example
 * const proxy = await startDashboardProxy({ connection: { baseUrl, source: '--url', sigv4: { region: 'eu-west-1' } }, port: 8080, readOnly: true });
 */
export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  const signer = options.connection.sigv4
    ? new SigV4RequestSigner({ region: options.connection.sigv4.region, ...(options.credentials ? { credentials: options.credentials } : {}) })
    : undefined;
  const fetchImpl = options.fetch ?? fetch;
  let port = options.port;
  const target = `${options.connection.baseUrl} (${options.connection.source}${signer ? ', SigV4' : options.connection.token ? ', token' : ''})`;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`dashboard proxy: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) refuse(res, 502, 'UNAVAILABLE', `the API did not answer: ${(error as Error).message}`);
      else res.destroy();
    });
  });

  const ownOrigins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const host = req.headers.host ?? '';
    if (!ownOrigins().some((o) => o === `http://${host}`)) {
      refuse(res, 403, 'FORBIDDEN', `this proxy answers only as 127.0.0.1:${port} or localhost:${port} (Host ${host || 'missing'})`);
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    const site = header(req, 'sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') {
      refuse(res, 403, 'FORBIDDEN', 'requests from other sites are refused');
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/ui/' });
      res.end();
      return;
    }
    if (isDashboardPath(url.pathname)) {
      await serveDashboard(req, res, { config: { readOnly: options.readOnly, target }, ...(options.assetsDir ? { dir: options.assetsDir } : {}) });
      return;
    }
    if (!READ_METHODS.has(method)) {
      if (options.readOnly) {
        refuse(res, 403, 'FORBIDDEN', 'skyforge ui --read-only refuses every write');
        return;
      }
      const origin = header(req, 'origin');
      const sameOrigin = origin !== undefined ? ownOrigins().includes(origin) : site === 'same-origin';
      if (!sameOrigin) {
        refuse(res, 403, 'FORBIDDEN', 'writes are accepted only from the dashboard itself (Origin / Sec-Fetch-Site)');
        return;
      }
    }
    await forward(req, res, method, url);
  }

  async function forward(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const body = READ_METHODS.has(method) ? undefined : await readBody(req);
    if (body !== undefined && Buffer.byteLength(body) > MAX_BODY_BYTES) {
      refuse(res, 413, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      return;
    }
    // Rebuilt with SigV4's strict encoding, so what is signed is byte for byte what is sent.
    const query = Object.fromEntries(url.searchParams);
    const search = Object.entries(query).map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`).join('&');
    const upstream = new URL(`${options.connection.baseUrl}${url.pathname}${search ? `?${search}` : ''}`);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = header(req, name);
      if (value !== undefined) headers[name] = value;
    }
    if (body === undefined) delete headers['content-type'];
    if (options.connection.token) headers.authorization = `Bearer ${options.connection.token}`;
    const sent = signer ? await signer.sign({ method, url: upstream, query, headers, body: body === '' ? undefined : body }) : headers;
    const response = await fetchImpl(upstream, { method, headers: sent, ...(body ? { body } : {}), redirect: 'manual' });
    const out: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) out[name] = value;
    }
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, out);
    res.end(method === 'HEAD' ? undefined : payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ui/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An error in the API's own shape (API.md), so the dashboard shows it like any other. */
function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  const requestId = randomUUID();
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId, 'cache-control': 'no-store' });
  res.end(JSON.stringify({ code, message, details: {}, requestId }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES + 1) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
