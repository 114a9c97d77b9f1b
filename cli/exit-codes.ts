import { CliUsageError } from './errors.ts';
import { FlowWaitTimeoutError, NetworkError, NotFoundError, SkyForgeApiError, WaitTimeoutError } from './client/index.ts';

/**
 * Exit codes scripts can rely on (printed by `skyforge --help`):
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | done; a waited-for job or flow SUCCEEDED |
 * | 1 | a job failed (DEAD or CANCELLED after `wait` / `enqueue --wait`), a flow ended FAILED or CANCELLED (`flows create --wait`), a wait timed out, a job, schedule or flow was not found, or lines of `enqueue --file` were refused |
 * | 2 | usage: unknown command or flag, a missing argument, a value that does not parse (bad JSON, priority, duration), no usable endpoint |
 * | 3 | any other API error (validation, conflict, auth, 5xx) or no answer at all (network) |
 */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  ERROR: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface FailureReport {
  exitCode: ExitCode;
  message: string;
  /** Shown in parentheses after the message: the API's code, the request id. */
  tags: string[];
}

/** How main reports an error a command threw: the one stderr line and the exit code. */
export function describeFailure(error: unknown): FailureReport {
  if (error instanceof CliUsageError) return { exitCode: EXIT.USAGE, message: error.message, tags: [] };
  if (error instanceof SkyForgeApiError) {
    const tags = [error.code, ...(error.requestId ? [`requestId ${error.requestId}`] : [])];
    return { exitCode: error instanceof NotFoundError ? EXIT.FAILED : EXIT.ERROR, message: error.message, tags };
  }
  if (error instanceof WaitTimeoutError || error instanceof FlowWaitTimeoutError) return { exitCode: EXIT.FAILED, message: error.message, tags: ['WAIT_TIMEOUT'] };
  if (error instanceof NetworkError) {
    const reason = error.timedOut ? 'no answer in time' : innermostMessage(error.cause);
    return { exitCode: EXIT.ERROR, message: `cannot reach ${error.method} ${error.url}: ${reason}`, tags: ['NETWORK_ERROR', `requestId ${error.requestId}`] };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown })?.code === 'string' ? [(error as { code: string }).code] : [];
  return { exitCode: EXIT.ERROR, message, tags: code };
}

/** fetch says only "fetch failed"; the reason ("connect ECONNREFUSED 127.0.0.1:3000") is in its causes. */
function innermostMessage(error: unknown): string {
  let message = 'no answer';
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current.message) message = current.message;
  }
  return message;
}
