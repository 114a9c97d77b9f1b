/**
 * Summary statistics for the bench's latency samples. Percentiles use the nearest-rank method:
 * every reported figure is a value that was actually measured, never an interpolation between two.
 */

export interface Summary {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * The nearest-rank `p`th percentile (0 < p <= 100) of samples sorted ascending: the smallest
 * sample with at least p% of the samples at or below it.
 *
 * @example
 * percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95); // 10
 * percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50); // 5
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], not ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/**
 * Count, p50/p95/p99, mean, min and max of the samples (in any order; the array is not changed).
 *
 * @example
 * summarize([12, 9, 10, 30]); // { samples: 4, p50: 10, p95: 30, p99: 30, mean: 15.25, min: 9, max: 30 }
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}
