import type { Readable } from 'node:stream';
import { run } from '../../cli/main.ts';
import type { CliStream } from '../../cli/output.ts';

/** A stream that keeps what is written; `tty` makes it look like a terminal. */
export class Capture implements CliStream {
  readonly chunks: string[] = [];
  isTTY?: boolean;
  columns?: number;

  constructor(tty = false) {
    if (tty) {
      this.isTTY = true;
      this.columns = 200;
    }
  }

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }

  get text(): string {
    return this.chunks.join('');
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON document of --json. */
  json<T = any>(): T;
}

export interface CliOptions {
  /** SKYFORGE_URL for the run (the environment is otherwise empty, so the caller's never leaks in). */
  url?: string;
  env?: Record<string, string>;
  tty?: boolean;
  stdin?: Readable;
  signal?: AbortSignal;
  cwd?: string;
  fetch?: typeof fetch;
  /** Where stdout goes; pass one to read what a command still running (watch) has written so far. */
  stdout?: Capture;
}

/** Runs one `skyforge` command line in this process and captures what it wrote. */
export async function cli(argv: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = options.stdout ?? new Capture(options.tty);
  const stderr = new Capture(options.tty);
  const code = await run(argv, {
    stdout,
    stderr,
    env: { ...(options.url ? { SKYFORGE_URL: options.url } : {}), ...options.env },
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    code,
    stdout: stdout.text,
    stderr: stderr.text,
    json: () => {
      try {
        return JSON.parse(stdout.text);
      } catch {
        throw new Error(`stdout is not one JSON document (exit ${code}):\n${stdout.text}\nstderr:\n${stderr.text}`);
      }
    },
  };
}

/** A fetch that records each request's method and path before passing it on. */
export function recordingFetch(inner: typeof fetch = fetch): { fetch: typeof fetch; calls: { method: string; path: string }[] } {
  const calls: { method: string; path: string }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    calls.push({ method: request.method, path: new URL(request.url).pathname });
    return inner(input, init);
  };
  return { fetch: wrapped, calls };
}

/** The one-line error format: `skyforge: <message> (CODE, requestId <id>)`. */
export const API_ERROR_LINE = (code: string): RegExp => new RegExp(`^skyforge: .+ \\(${code}, requestId [\\w-]+\\)\\n$`);
