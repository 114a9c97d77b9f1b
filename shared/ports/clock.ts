/** Time, injected so tests can fix `now`. The real one is runtime/system-clock.ts. */
export interface Clock {
  now(): number;
}
