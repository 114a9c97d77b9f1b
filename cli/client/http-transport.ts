import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiErrorFromResponse, networkErrorCode, NetworkError } from './errors.ts';
import { isRetryable, NOT_SENT_ERROR_CODES, parseRetryAfter, retryDelayMs, type AttemptOutcome } from './retry-policy.ts';
import { SigV4RequestSigner, type SigV4Options } from './sigv4-signer.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TransportOptions {
  baseUrl: string;
  token?: string | undefined;
  sigv4?: SigV4Options | undefined;
  fetch?: typeof fetch | undefined;
  retries: number;
  timeoutMs: number;
  userAgent: string;
}

/** One API call. */
export interface CallSpec {
  method: HttpMethod;
  /** Encoded path below the base URL, starting with '/'. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** True when repeating the call after it may have been applied changes nothing (see retry-policy.ts). */
  idempotent: boolean;
  /** Statuses that are answers rather than errors (GET /readyz's 503). */
  answerStatuses?: readonly number[];
  /**
   * Statuses that count as success once an earlier attempt may have been applied (5xx or a
   * network error after sending): a retried DELETE that finds nothing (404) did its job.
   */
  successOnRetry?: readonly number[];
  /** Overrides the client's retry budget for this call. */
  retries?: number;
  /** Read the body as text instead of JSON. */
  text?: boolean;
  /** Extra request headers (W3C `traceparent` / `tracestate`). */
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export interface CallResult {
  status: number;
  headers: Headers;
  /** Parsed JSON (undefined for an empty body), or the text when `text` was asked for. */
  body: unknown;
  /** The X-Request-ID the API answered with. */
  requestId: string | null;
}

type Attempt =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'network'; error: NetworkError; notSent: boolean };

/**
 * JSON over fetch with the client's cross-cutting concerns: base URL, X-Request-ID, auth (bearer
 * token or SigV4, signed per attempt), per-attempt timeout, typed errors, and retries as
 * retry-policy.ts decides them.
 */
export class HttpTransport {
  /** Origin plus stage path, without a trailing slash. */
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly signer: SigV4RequestSigner | undefined;

  constructor(private readonly options: TransportOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`baseUrl must be an absolute http(s) URL such as http://localhost:3000 (got "${options.baseUrl}")`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be an http(s) URL (got "${options.baseUrl}")`);
    }
    if (options.token !== undefined && options.sigv4 !== undefined) {
      throw new TypeError('token and sigv4 both use the Authorization header: give one of them');
    }
    if (!Number.isInteger(options.retries) || options.retries < 0) throw new TypeError('retries must be a whole number >= 0');
    if (!(options.timeoutMs > 0)) throw new TypeError('timeoutMs must be a positive number');
    // A stage path (https://abc.execute-api.eu-west-1.amazonaws.com/prod) stays in front of every route.
    this.base = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    const given = options.fetch ?? globalThis.fetch;
    this.fetchImpl = (input, init) => given(input, init);
    this.signer = options.sigv4 ? new SigV4RequestSigner(options.sigv4) : undefined;
  }

  /** Sends the call, retrying what may be retried; resolves with the answer or rejects with a typed error. */
  async call(spec: CallSpec): Promise<CallResult> {
    // One id per call, kept across its retries, so that the API's logs tie the attempts together.
    const requestId = randomUUID();
    const query = compactQuery(spec.query);
    const url = new URL(`${this.base}${spec.path}${queryString(query)}`);
    const bodyText = spec.body === undefined ? undefined : JSON.stringify(spec.body);

    const retries = spec.retries ?? this.options.retries;
    let mayHaveApplied = false;
    for (let attempt = 0; ; attempt += 1) {
      spec.signal?.throwIfAborted();
      const result = await this.attempt(spec, url, query, bodyText, requestId);
      let outcome: AttemptOutcome;
      let failure: Error;
      if (result.kind === 'network') {
        outcome = { kind: 'network', notSent: result.notSent };
        failure = result.error;
      } else {
        const answeredId = result.headers.get('x-request-id');
        const answered =
          result.status < 300 || spec.answerStatuses?.includes(result.status) || (mayHaveApplied && spec.successOnRetry?.includes(result.status));
        if (answered) {
          return { status: result.status, headers: result.headers, body: spec.text ? result.text : parseJson(result.text), requestId: answeredId };
        }
        const retryAfterMs = parseRetryAfter(result.headers.get('retry-after'));
        outcome = { kind: 'status', status: result.status, retryAfterMs };
        failure = apiErrorFromResponse({ status: result.status, body: parseJson(result.text), text: result.text, requestId: answeredId, retryAfterMs });
      }
      if (attempt >= retries || !isRetryable(outcome, spec.idempotent)) throw failure;
      mayHaveApplied ||= outcome.kind === 'network' ? !outcome.notSent : outcome.status !== 429;
      const delay = retryDelayMs(attempt, outcome.kind === 'status' ? outcome.retryAfterMs : null);
      await sleep(delay, undefined, spec.signal ? { signal: spec.signal } : {}).catch(() => spec.signal?.throwIfAborted());
    }
  }

  private async attempt(spec: CallSpec, url: URL, query: Record<string, string>, body: string | undefined, requestId: string): Promise<Attempt> {
    const headers: Record<string, string> = {
      accept: spec.text ? 'text/plain, */*' : 'application/json',
      'user-agent': this.options.userAgent,
      'x-request-id': requestId,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(this.options.token !== undefined ? { authorization: `Bearer ${this.options.token}` } : {}),
      ...spec.headers,
    };
    const sent = this.signer ? await this.signer.sign({ method: spec.method, url, query, headers, body }) : headers;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    try {
      const response = await this.fetchImpl(url, { method: spec.method, headers: sent, ...(body !== undefined ? { body } : {}), signal });
      // The body is read under the same timeout: a stalled body is as good as no answer.
      const text = await response.text();
      return { kind: 'response', status: response.status, headers: response.headers, text };
    } catch (error) {
      spec.signal?.throwIfAborted();
      const timedOut = timeout.aborted;
      const code = networkErrorCode(error);
      return {
        kind: 'network',
        notSent: !timedOut && code !== undefined && NOT_SENT_ERROR_CODES.has(code),
        error: new NetworkError({ method: spec.method, url: url.href, requestId, timedOut, cause: error }),
      };
    }
  }
}

function compactQuery(query: CallSpec['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = String(value);
  return out;
}

/**
 * The query string as SigV4 canonicalizes it (RFC 3986: everything but A-Z a-z 0-9 - _ . ~
 * percent-encoded), so what is signed is byte for byte what is sent.
 */
function queryString(query: Record<string, string>): string {
  const pairs = Object.entries(query).map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

/** encodeURIComponent plus the reserved characters it leaves alone. */
export function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
