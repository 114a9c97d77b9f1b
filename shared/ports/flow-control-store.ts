import type { FlowControl } from '../domain/flow-control.ts';

/** A key's limits and usage, as GET /flow-control/{key} shows them. */
export interface FlowKeyState {
  key: string;
  parallelism: number | null;
  rate: number | null;
  periodSeconds: number;
  /** Jobs of the key holding a live parallelism slot. */
  running: number;
  /** Times a job of the key was deferred by its limits. */
  throttledTotal: number;
}

/** The outcome of reserving a start in a rate window. */
export type RateReservation =
  /** One start reserved in the window that begins at `window` (epoch ms; maybe a later one). */
  | { reserved: true; window: number }
  /** Every window probed was full: try again at `retryAt`. */
  | { reserved: false; retryAt: number };

/**
 * Rate windows and parallelism slots of flow-control keys, on the job table: single-item
 * conditional writes only (see docs/flow-control.md).
 */
export interface FlowControlStore {
  /** Reserves one start of `limits.key` in the first window, from the one holding `nowMs` on, that is not full. */
  reserveRate(limits: FlowControl & { rate: number }, nowMs: number): Promise<RateReservation>;
  /**
   * Takes one of the key's parallelism slots for a job until `leaseUntil` (epoch ms); a slot whose
   * lease has run out is free. Resolves false when every slot is held by a live lease.
   * `alreadyHeld` is true when the job held a live slot of its own (a duplicate delivery).
   */
  acquireSlot(limits: FlowControl & { parallelism: number }, jobId: string, leaseUntil: number, nowMs: number): Promise<{ acquired: boolean; alreadyHeld: boolean }>;
  /** Frees the job's slot of the key (the outcome of its attempt was written). */
  releaseSlot(key: string, jobId: string): Promise<void>;
  /** Counts a deferral of a job of the key, and records the key's latest limits. */
  recordThrottle(limits: FlowControl): Promise<void>;
  /** The key's limits and usage, or null for a key never seen. */
  state(key: string, nowMs: number): Promise<FlowKeyState | null>;
}
