import { setTimeout as sleep } from 'node:timers/promises';

export interface PollUntilOptions {
  timeoutMs: number;
  pollMs: number;
  /** Stops polling (and the load in flight); pollUntil rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Loads `load()` every `pollMs` until `done` says yes, and resolves with that value. Rejects with
 * `onTimeout(last value seen)` after `timeoutMs`, with the signal's reason when it aborts, or with
 * whatever `load` threw. `waitFor` (jobs) and `flows.wait` are this with their own "done".
 */
export async function pollUntil<T>(
  load: (signal: AbortSignal) => Promise<T>,
  done: (value: T) => boolean,
  options: PollUntilOptions,
  onTimeout: (last: T | null) => Error,
): Promise<T> {
  const external = options.signal;
  external?.throwIfAborted();
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = external ? AbortSignal.any([external, deadline]) : deadline;
  let last: T | null = null;
  try {
    for (;;) {
      last = await load(signal);
      if (done(last)) return last;
      await sleep(options.pollMs, undefined, { signal });
    }
  } catch (error) {
    if (external?.aborted) throw external.reason;
    if (deadline.aborted) throw onTimeout(last);
    throw error;
  }
}
