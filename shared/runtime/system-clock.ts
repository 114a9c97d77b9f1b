import type { Clock } from '../ports/clock.ts';

/** The wall clock, for handlers; tests inject their own Clock. */
export const systemClock: Clock = { now: () => Date.now() };
