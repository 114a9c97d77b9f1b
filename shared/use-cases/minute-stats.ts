import { emptyMinute, minuteOf, minutesBetween, type MinuteCounts } from '../domain/minute-counts.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * GET /stats/minutes?minutes=60: job events per minute (succeeded, failed attempts,
 * retried, dead, cancelled) over the last `minutes`, oldest first, every minute present (zeros
 * where nothing happened), the current minute last.
 */
export async function getMinuteStats(minutes: number, deps: Dependencies): Promise<{ items: MinuteCounts[] }> {
  const now = deps.clock.now();
  const from = now - (minutes - 1) * 60_000;
  const counted = new Map((await deps.counters.readMinutes(from, now)).map((m) => [m.minute, m]));
  return { items: minutesBetween(from, now).filter((m) => m <= minuteOf(now)).map((m) => counted.get(m) ?? emptyMinute(m)) };
}
