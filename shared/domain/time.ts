/** ISO-8601 instant of an epoch-ms time, as jobs store their timestamps. */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
