export interface LongPollOptions {
  now: () => number;
  /** Clock time at which a message of `queue` next becomes visible, if one is scheduled. */
  nextVisibleAt: (queue: string) => number | undefined;
  /**
   * Longest single timer sleep. With the real clock a sleep can last until the next message is
   * due; with an injected clock time may jump at any moment, so the timer has to look again.
   */
  maxSleepMs: number;
}

interface Waiter<T> {
  queue: string;
  attempt: () => T | undefined;
  finish: (value: T) => void;
  /** Resolves with the empty result. */
  cancel: () => void;
}

/**
 * Parked ReceiveMessage calls. A waiter is served the moment its queue may have something:
 * `notify` after a send or a visibility reset (no timer involved), and one shared timer for
 * what time alone brings (a delay or a visibility timeout ending). Waiters of a queue are
 * served first come, first served; serving stops as soon as one comes back empty-handed.
 */
export class LongPolls<T> {
  private readonly waiters = new Map<string, Set<Waiter<T>>>();
  private readonly pending = new Set<string>();
  private draining = false;
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LongPollOptions) {}

  get size(): number {
    let size = 0;
    for (const set of this.waiters.values()) size += set.size;
    return size;
  }

  /**
   * Parks a receive until `attempt` returns a result, `waitMs` passes, the signal aborts (the
   * client went away) or closeAll() runs; the last three resolve with `empty`.
   */
  wait(queue: string, waitMs: number, attempt: () => T | undefined, empty: T, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve) => {
      let done = false;
      const onAbort = (): void => finish(empty);
      const timer = setTimeout(() => finish(empty), waitMs);
      const waiter: Waiter<T> = { queue, attempt, finish: (value) => finish(value), cancel: () => finish(empty) };
      const finish = (value: T): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const set = this.waiters.get(queue);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(queue);
        resolve(value);
      };
      if (signal?.aborted) {
        finish(empty);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      let set = this.waiters.get(queue);
      if (set === undefined) {
        set = new Set();
        this.waiters.set(queue, set);
      }
      set.add(waiter);
      this.rearm();
    });
  }

  /** Something may be receivable on `queue` now: serve its waiters. */
  notify(queue: string): void {
    if (!this.waiters.has(queue)) return;
    this.pending.add(queue);
    // Serving a waiter can notify another queue (a redrive fills a DLQ); queue it up instead of recursing.
    if (this.draining) return;
    this.draining = true;
    try {
      for (const name of this.pending) {
        this.pending.delete(name);
        this.serve(name);
      }
    } finally {
      this.draining = false;
    }
    this.rearm();
  }

  /** Points the shared timer at the next time-based wake-up of any queue that has waiters. */
  rearm(): void {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    let earliest: number | undefined;
    for (const queue of this.waiters.keys()) {
      const at = this.options.nextVisibleAt(queue);
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    if (earliest === undefined) return;
    const delay = Math.min(Math.max(0, earliest - this.options.now()), this.options.maxSleepMs);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      for (const queue of [...this.waiters.keys()]) this.notify(queue);
      this.rearm();
    }, delay);
  }

  /** Answers every parked receive with its empty result (close()). */
  closeAll(): void {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    for (const set of [...this.waiters.values()]) {
      for (const waiter of [...set]) waiter.cancel();
    }
  }

  private serve(queue: string): void {
    const set = this.waiters.get(queue);
    if (set === undefined) return;
    for (const waiter of [...set]) {
      const result = waiter.attempt();
      if (result === undefined) return;
      waiter.finish(result);
    }
  }
}
