import { decodeTime, encodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { monotonicUlid } from '../../shared/runtime/monotonic-ulid.ts';

/** shared/runtime/monotonic-ulid.ts against the `ulid` package it replaced in the Lambda bundles. */
describe('monotonicUlid', () => {
  it('makes 26-character ULIDs the ulid package accepts, carrying the time given', () => {
    // Arrange
    const next = monotonicUlid();
    const times = [0, 1, 1_700_000_000_000, Date.now(), 2 ** 48 - 1];

    // Act
    const ids = times.map((t) => next(t));

    // Assert
    for (const [i, id] of ids.entries()) {
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(isValid(id)).toBe(true);
      expect(decodeTime(id)).toBe(times[i]);
    }
  });

  it('encodes the time exactly as the ulid package does', () => {
    // Arrange: a fresh generator per time, so each id carries its own time.
    const times = [0, 31, 32, 1_000_000, 1_764_900_000_123, 2 ** 48 - 1];

    // Act / Assert
    for (const t of times) expect(monotonicUlid()(t).slice(0, 10)).toBe(encodeTime(t, 10));
  });

  it('increases strictly within one millisecond and when the clock steps back', () => {
    // Arrange
    const next = monotonicUlid();

    // Act
    const ids = [next(5000), ...Array.from({ length: 2000 }, () => next(5000)), next(4000), next(4999), next(5001)];

    // Assert
    for (let i = 1; i < ids.length; i += 1) expect((ids[i] as string) > (ids[i - 1] as string)).toBe(true);
    expect(decodeTime(ids.at(-2) as string)).toBe(5000);
    expect(decodeTime(ids.at(-1) as string)).toBe(5001);
  });

  it('carries the increment over Z, as base32 does', () => {
    // Arrange: find an id whose random part ends in Z within a millisecond, then take the next.
    const next = monotonicUlid();
    let id = next(7);
    while (!id.endsWith('Z')) id = next(7);

    // Act
    const after = next(7);

    // Assert: the last character wraps to 0 and the one before it goes up by one.
    expect(after.at(-1)).toBe('0');
    expect(after.slice(0, 25) > id.slice(0, 25)).toBe(true);
  });

  it('spreads the random part over the whole alphabet', () => {
    // Arrange
    const next = monotonicUlid();

    // Act: fresh milliseconds, so each id draws new randomness.
    const seen = new Set(Array.from({ length: 300 }, (_, i) => next(10_000 + i).slice(10)).join(''));

    // Assert
    expect(seen.size).toBe(32);
  });

  it('refuses times a ULID cannot hold', () => {
    const next = monotonicUlid();
    for (const bad of [-1, 1.5, 2 ** 48, Number.NaN]) expect(() => next(bad)).toThrow(RangeError);
  });
});
