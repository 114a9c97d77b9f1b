import {
  bucketIndex,
  bucketValue,
  COUNTERS,
  ENTRY_COUNTERS,
  statusValue,
  type CounterGroup,
  type HistogramName,
  type MetricGroup,
} from './metrics.ts';
import type { JobStatus, UncountedMark } from './job.ts';

/** What counting needs of a job as it stands: its status and whether that status was counted. */
export interface CountedState {
  status: JobStatus;
  uncounted?: UncountedMark | null;
}

/** Accumulates deltas in memory so one write carries a whole request or batch. */
export class CounterDeltas {
  private readonly groups = new Map<string, { group: MetricGroup; values: Map<string, number> }>();
  /** Raw observations (seconds) per group, for EMF's percentiles; never stored in the table. */
  private readonly observations = new Map<string, Record<HistogramName, number[]>>();

  add(group: MetricGroup, name: string, by = 1): void {
    if (by === 0) return;
    const key = `${group.queue}\u0000${group.type}`;
    let entry = this.groups.get(key);
    if (!entry) {
      entry = { group: { queue: group.queue, type: group.type }, values: new Map() };
      this.groups.set(key, entry);
    }
    entry.values.set(name, (entry.values.get(name) ?? 0) + by);
  }

  /**
   * Moves one job between statuses (null: not existing). Creating a job counts as submitted;
   * entering SUCCEEDED, DEAD or CANCELLED counts in that total too.
   */
  move(group: MetricGroup, from: JobStatus | null, to: JobStatus | null): void {
    if (from === to) return;
    if (from) this.add(group, statusValue(from), -1);
    if (to) this.add(group, statusValue(to), 1);
    if (from === null && to !== null) this.add(group, COUNTERS.submitted);
    const entered = to ? ENTRY_COUNTERS[to] : undefined;
    if (entered) this.add(group, entered);
  }

  /**
   * Moves one job from how it stood to how one write left it (null: not existing), minding what
   * was never counted (Job.uncounted): an uncounted status is neither subtracted nor added, and a
   * job created 'new' counts as submitted on the first write that leaves it counted, so every
   * job counts once however it went on (claimed, throttled, cancelled, deleted, dead-lettered).
   * Only that write sees the mark in its old image, so the count happens exactly once.
   */
  shift(group: MetricGroup, before: CountedState | null, after: CountedState | null): void {
    const from = before && !before.uncounted ? before.status : null;
    const to = after && !after.uncounted ? after.status : null;
    if (from !== to) {
      if (from) this.add(group, statusValue(from), -1);
      if (to) this.add(group, statusValue(to), 1);
    }
    const arrives = before === null ? after !== null && after.uncounted !== 'new' : before.uncounted === 'new' && after?.uncounted !== 'new';
    if (arrives) this.add(group, COUNTERS.submitted);
    const entered = after && after.status !== before?.status ? ENTRY_COUNTERS[after.status] : undefined;
    if (entered) this.add(group, entered);
  }

  observe(group: MetricGroup, histogram: HistogramName, seconds: number): void {
    const key = `${group.queue}\u0000${group.type}`;
    let samples = this.observations.get(key);
    if (!samples) {
      samples = { duration: [], wait: [] };
      this.observations.set(key, samples);
    }
    samples[histogram].push(seconds);
    this.add(group, bucketValue(histogram, bucketIndex(seconds)));
    this.add(group, `${histogram}_sum`, seconds);
    this.add(group, `${histogram}_count`);
  }

  /** Adds every value and observation of `other` (a decision's deltas joining its batch's). */
  merge(other: CounterDeltas): void {
    for (const { group, values } of other.groups.values()) {
      for (const [name, by] of values) this.add(group, name, by);
    }
    for (const [key, samples] of other.observations) {
      const mine = this.observations.get(key) ?? { duration: [], wait: [] };
      mine.duration.push(...samples.duration);
      mine.wait.push(...samples.wait);
      this.observations.set(key, mine);
    }
  }

  entries(): CounterGroup[] {
    return [...this.groups.values()]
      .map(({ group, values }) => ({ ...group, values: Object.fromEntries([...values].filter(([, v]) => v !== 0)) }))
      .filter((g) => Object.keys(g.values).length > 0);
  }

  /** The raw observations of one group (empty lists when none). */
  samples(group: MetricGroup): Record<HistogramName, number[]> {
    return this.observations.get(`${group.queue}\u0000${group.type}`) ?? { duration: [], wait: [] };
  }

  get isEmpty(): boolean {
    return this.entries().length === 0;
  }
}
