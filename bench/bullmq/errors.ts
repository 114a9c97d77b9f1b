/**
 * Errors of the BullMQ column of the bench. A missing redis-server is not one of them: that is
 * an expected outcome (the column is skipped), not a failure. These are the failures: a
 * redis-server that is installed but will not start or dies mid-run, and a job that never
 * finishes. Each sets a literal `name` (minified bundles mangle class names) and a `code`.
 */

export type BullmqBenchErrorCode = 'REDIS_SERVER_START_FAILED' | 'REDIS_SERVER_EXITED' | 'BENCH_JOB_TIMEOUT';

export class BullmqBenchError extends Error {
  override name = 'BullmqBenchError';
  readonly code: BullmqBenchErrorCode;

  constructor(code: BullmqBenchErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** redis-server was found but did not answer PING: bad binary, port taken, refused its options. */
export class RedisServerStartError extends BullmqBenchError {
  override name = 'RedisServerStartError';
  constructor(
    readonly binary: string,
    readonly port: number,
    reason: string,
    /** The end of redis-server's own output, which usually says why. */
    readonly output: string,
  ) {
    super('REDIS_SERVER_START_FAILED', `${binary} did not start on 127.0.0.1:${port}: ${reason}${output ? `\n${output}` : ''}`);
  }
}

/** The bench's own redis-server exited while the bench was still using it. */
export class RedisServerExitedError extends BullmqBenchError {
  override name = 'RedisServerExitedError';
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly output: string,
  ) {
    super('REDIS_SERVER_EXITED', `redis-server exited mid-run (${signal ?? `code ${exitCode}`})${output ? `\n${output}` : ''}`);
  }
}

/** A latency job that did not complete in time: the numbers would be meaningless, so the run stops. */
export class BenchJobTimeoutError extends BullmqBenchError {
  override name = 'BenchJobTimeoutError';
  constructor(
    readonly jobId: string | undefined,
    readonly timeoutMs: number,
  ) {
    super('BENCH_JOB_TIMEOUT', `BullMQ job ${jobId ?? '(not yet added)'} did not complete within ${timeoutMs / 1000} s`);
  }
}
