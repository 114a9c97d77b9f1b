/**
 * Aggregate counters (jobs per status and, later, monotonic totals), written once per request or
 * per worker batch, never once per job.
 */
export interface JobCounters {
  add(deltas: Readonly<Record<string, number>>): Promise<void>;
  read(): Promise<Record<string, number>>;
}

/** Accumulates deltas in memory so one write carries a whole batch. */
export class CounterDeltas {
  private readonly values = new Map<string, number>();

  add(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  /** Moves one job from one status to another. */
  move(from: string | null, to: string | null): void {
    if (from === to) return;
    if (from) this.add(statusCounter(from), -1);
    if (to) this.add(statusCounter(to), 1);
  }

  toRecord(): Record<string, number> {
    return Object.fromEntries([...this.values].filter(([, v]) => v !== 0));
  }

  get isEmpty(): boolean {
    return Object.keys(this.toRecord()).length === 0;
  }
}

export function statusCounter(status: string): string {
  return `status_${status}`;
}
