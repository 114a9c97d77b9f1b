import { randomFillSync } from 'node:crypto';

/** Crockford's base32, the ULID alphabet (no I, L, O, U). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
/** ULIDs carry 48 bits of milliseconds: until the year 10889. */
const MAX_TIME = 2 ** 48 - 1;

/**
 * A ULID generator (https://github.com/ulid/spec): 26 characters, 48 bits of milliseconds then
 * 80 random bits, so ids sort by creation time. Monotonic, as the `ulid` package's
 * monotonicFactory: within one millisecond, or if the clock steps back, the next id is the last
 * one's random part plus one, so ids from one generator always increase.
 *
 * Written here rather than imported: the `ulid` package is ~2.4 KB in every Lambda bundle (its
 * browser and web-worker PRNG detection, errors and helpers we never call) and asks the PRNG for
 * one byte per character; this is ~0.4 KB and one randomFillSync per id.
 * test/unit/monotonic-ulid.test.ts checks it against the package.
 *
 * @example
 * const next = monotonicUlid();
 * next(); // '01KBN2XQ4W7J3C8V9RZ2H6T5YA'
 */
export function monotonicUlid(): (now?: number) => string {
  let lastTime = -1;
  let lastRandom = '';
  const bytes = new Uint8Array(RANDOM_CHARS);
  return (now = Date.now()) => {
    if (!Number.isInteger(now) || now < 0 || now > MAX_TIME) throw new RangeError(`a ULID's time must be whole milliseconds in 0..${MAX_TIME}, got ${now}`);
    if (now <= lastTime) {
      lastRandom = incremented(lastRandom);
      return encodeTime(lastTime) + lastRandom;
    }
    lastTime = now;
    randomFillSync(bytes);
    // 256 is a multiple of 32: the low five bits of a uniform byte are uniform.
    lastRandom = Array.from(bytes, (byte) => ALPHABET[byte & 31]).join('');
    return encodeTime(now) + lastRandom;
  };
}

function encodeTime(ms: number): string {
  let out = '';
  for (let rest = ms, i = 0; i < TIME_CHARS; i += 1, rest = Math.floor(rest / 32)) out = ALPHABET[rest % 32] + out;
  return out;
}

/** The base32 number one higher; all Z (2^80 ids in one millisecond) cannot be. */
function incremented(random: string): string {
  const at = random.search(/Z*$/) - 1;
  if (at < 0) throw new RangeError('ULID randomness exhausted within one millisecond');
  const next = ALPHABET[ALPHABET.indexOf(random[at] as string) + 1] as string;
  return random.slice(0, at) + next + '0'.repeat(random.length - at - 1);
}
