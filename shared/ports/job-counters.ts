import type { CounterDeltas } from '../domain/counter-deltas.ts';
import type { CounterGroup } from '../domain/metrics.ts';
import type { MinuteCounts } from '../domain/minute-counts.ts';

/**
 * Aggregate counters per (queue, type): jobs per status, monotonic totals and histograms. Written
 * once per API request or worker batch (one write per group it touched), never once per job.
 */
export interface JobCounters {
  add(deltas: CounterDeltas): Promise<void>;
  read(): Promise<CounterGroup[]>;
  /** Job events per minute in [fromMs, toMs], oldest first; minutes without events may be absent. */
  readMinutes(fromMs: number, toMs: number): Promise<MinuteCounts[]>;
}

/** Where aggregated metrics go besides the table: CloudWatch (EMF) in Lambda. */
export interface MetricsSink {
  publish(deltas: CounterDeltas): void;
}
