import type { Job, JobStatus, Priority } from '../domain/job.ts';
import type { JobChanges } from '../domain/job-changes.ts';
import type { CreateEvent, JOB_EVENT, JobEvent } from '../domain/lifecycle.ts';

export type { JobChanges } from '../domain/job-changes.ts';

/** The lease an attempt starts with: its token, and its slack past the job's timeout. */
export interface NewLease {
  token: string;
  graceMs: number;
}

/**
 * One lifecycle event to perform on a job. The store builds the write's condition from the
 * event's row of the lifecycle table (its `from` states and lease rule) and sets the status to
 * the row's `to`; the caller adds only what it read.
 */
export interface TransitionRequest<E extends JobEvent = JobEvent> {
  event: E;
  /** The status the caller read: narrows the event's `from` states to it (optimistic concurrency). */
  from?: JobStatus;
  /**
   * The lease the item must hold: a token, or null for none. Events whose row has a lease rule
   * need the token (the attempt's own for `held`, the one seen running out for `expired`).
   */
  leaseToken?: string | null;
  /** The item may hold no lease that is still live at this instant (epoch ms). */
  noLiveLeaseAt?: number;
  /** Events that start an attempt (CLAIM, RECLAIM): the new lease, until now + job.timeoutMs + graceMs. */
  newLease?: NewLease;
  /** Events that start an attempt: the job's flow-control limits were checked (else a job with limits is refused). */
  flowControlChecked?: boolean;
  /** Fields written with the event. */
  changes?: JobChanges;
}

/** The job before and after the write; `after` is null when the event removed it (DELETE). */
export interface Transitioned<E extends JobEvent = JobEvent> {
  before: Job;
  after: E extends typeof JOB_EVENT.DELETE ? null : Job;
}

export type CreateResult = { created: true; job: Job } | { created: false; existing: Job };

export interface ListQuery {
  status?: JobStatus;
  type?: string;
  priority?: Priority;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface LeaseState {
  status: JobStatus;
  leaseToken: string | null;
}

/**
 * The job table. Every write that changes a job is ONE conditional single-item write: `create`
 * for the events that make a job, `transition` for every other lifecycle event. A write whose
 * condition does not hold throws StaleJobStateError carrying the item as it now stands.
 */
export interface JobStore {
  /** Puts a new job (status from the event's row) unless one with its id exists and has not expired. */
  create(job: Job, event: CreateEvent, nowMs: number): Promise<CreateResult>;
  get(id: string, nowMs: number): Promise<Job | null>;
  getMany(ids: readonly string[], nowMs: number): Promise<Job[]>;
  /** Performs one lifecycle event (see TransitionRequest). */
  transition<E extends JobEvent>(id: string, request: TransitionRequest<E>, nowMs: number): Promise<Transitioned<E>>;
  /** Cheap, eventually consistent read of what a running attempt must watch. */
  leaseState(id: string): Promise<LeaseState | null>;
  list(query: ListQuery, nowMs: number): Promise<Page<Job>>;
  /** DEAD jobs, newest death first. */
  listDead(query: Omit<ListQuery, 'status' | 'priority'>, nowMs: number): Promise<Page<Job>>;
  /** Liveness of the table, for /readyz. */
  ping(): Promise<void>;
}
