import { CliUsageError } from './errors.ts';

/**
 * Parsers for flag and argument values. Each throws CliUsageError (exit 2) naming the flag, so
 * a typo never reaches the API as a confusing 400.
 */

/** Any JSON value. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A JSON object (metadata, backoff). */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  const value = parseJson(text, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliUsageError(`${what} must be a JSON object, got ${text}`);
  return value as Record<string, unknown>;
}

/** A whole number of at least `min`. */
export function parseInteger(text: string, flag: string, min = 1): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) throw new CliUsageError(`${flag} must be a whole number of at least ${min}, got ${text}`);
  return value;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * A duration in milliseconds: `500ms`, `2s`, `1.5m`, `1h`, `1d`; a bare number is in
 * `bareUnit` (milliseconds for the `--*-ms` flags, seconds for `--interval`).
 *
 * @example
 * parseDuration('2s', '--interval', 's'); // 2000
 * parseDuration('250', '--timeout-ms');   // 250
 */
export function parseDuration(text: string, flag: string, bareUnit: Unit = 'ms'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new CliUsageError(`${flag} must be a duration such as 500ms, 2s, 5m or 1h, got ${text}`);
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] as Unit | undefined) ?? bareUnit]);
}

/** One of `choices`, case-insensitive, returned as the choice is spelled. */
export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  const found = choices.find((c) => c.toLowerCase() === text.toLowerCase());
  if (!found) throw new CliUsageError(`${flag} must be one of ${choices.join(', ')}, got ${text}`);
  return found;
}

/** An ISO-8601 instant (normalized to UTC). */
export function parseInstant(text: string, flag: string): string {
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new CliUsageError(`${flag} must be an ISO-8601 instant such as 2026-05-01T09:00:00Z, got ${text}`);
  return new Date(at).toISOString();
}
