// Response bodies are free-form JSON; tests index into them directly.
// biome-ignore lint: test-only loose JSON type
export type Json = Record<string, any>;

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Json;
}

/** A tiny JSON-over-HTTP client for end-to-end tests (real HTTP, no SDK). */
export function httpClient(baseUrl: string) {
  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Json) : {} };
  }

  /** Polls GET /jobs/{id} until the job reaches one of `statuses`. */
  async function waitFor(id: string, statuses: string[], timeoutMs = 10_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    let last: Json = {};
    while (Date.now() < deadline) {
      const res = await request('GET', `/jobs/${id}`);
      last = res.body;
      if (statuses.includes(last.status as string)) return last;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${id} did not reach ${statuses.join('|')} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }

  return {
    request,
    waitFor,
    get: (path: string) => request('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => request('POST', path, body, headers),
    del: (path: string) => request('DELETE', path),
  };
}
