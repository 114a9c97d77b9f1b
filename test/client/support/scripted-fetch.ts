/** A request as the client handed it to fetch. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
}

/**
 * What the scripted fetch does with one request: pass it to the real server, answer it itself,
 * pass it on and then replace the server's answer (the answer was lost after the server acted),
 * fail as fetch does when there is no answer, or never answer (until the request's signal aborts).
 */
export type Step = 'forward' | 'hang' | { respond: () => Response } | { forwardThenRespond: () => Response } | { throw: () => unknown };

/**
 * A fetch for the client's `fetch` option that records every request and lets the test decide,
 * per request, what happens to it. The client under test is the real one; only the network misbehaves.
 */
export function scriptedFetch(script: (request: RecordedRequest, index: number) => Step = () => 'forward') {
  const requests: RecordedRequest[] = [];
  const scripted: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request: RecordedRequest = {
      method: init?.method ?? 'GET',
      url,
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    requests.push(request);
    const step = script(request, requests.length - 1);
    if (step === 'forward') return fetch(input, init);
    if (step === 'hang') {
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if ('throw' in step) throw step.throw();
    if ('forwardThenRespond' in step) {
      const real = await fetch(input, init);
      await real.arrayBuffer();
      return step.forwardThenRespond();
    }
    return step.respond();
  };
  return { fetch: scripted, requests };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** API Gateway's own answers (throttling, IAM, timeouts) carry only a message. */
export function gatewayResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { message }, headers);
}

/** The error fetch throws when the connection fails: TypeError('fetch failed') with the system error as cause. */
export function fetchFailed(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
}

/** The path of a recorded request, with its method: 'POST /jobs'. */
export function route(request: RecordedRequest): string {
  return `${request.method} ${request.url.pathname}`;
}

/** A base URL on which nothing listens (the port was free a moment ago): connections are refused. */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
