import type { Job, JobStatus, Priority } from '../domain/job.ts';

/** What a conditional write expects of the stored item. */
export interface WriteGuard {
  /** The item's status must be one of these. */
  statuses?: readonly JobStatus[];
  /** A string: the lease must be this token; null: the item must hold no lease. */
  leaseToken?: string | null;
  /** The item must hold no lease, or one that ended before this instant (epoch ms). */
  noLiveLeaseAt?: number;
}

/** Fields to set (a null value removes the attribute) on a job. */
export type JobChanges = Partial<Omit<Job, 'id' | 'createdAt' | 'type' | 'priority'>>;

export type CreateResult = { created: true; job: Job } | { created: false; existing: Job };

export interface ClaimRequest {
  now: number;
  leaseToken: string;
  /** Lease ends at now + job.timeoutMs + graceMs. */
  graceMs: number;
  /** Reclaim: take over a RUNNING job whose lease (this token) has run out. */
  staleLeaseToken?: string;
}

export interface ClaimedJob {
  job: Job;
  previousStatus: JobStatus;
}

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
 * The job table. Every method that changes a job is ONE conditional single-item write; a write
 * whose guard does not hold throws StaleJobStateError carrying the item as it now stands.
 */
export interface JobStore {
  /** Put a new job unless one with its id exists (and has not expired). */
  create(job: Job, nowMs: number): Promise<CreateResult>;
  get(id: string, nowMs: number): Promise<Job | null>;
  getMany(ids: readonly string[], nowMs: number): Promise<Job[]>;
  /**
   * CLAIM (or RECLAIM with staleLeaseToken): attempts += 1, RUNNING, lease; `extra` rides on the
   * same write. Returns the job as it now stands and the status it was claimed from.
   */
  claim(id: string, request: ClaimRequest, extra?: JobChanges): Promise<ClaimedJob>;
  update(id: string, guard: WriteGuard, changes: JobChanges, nowMs: number): Promise<Job>;
  delete(id: string, guard: WriteGuard, nowMs: number): Promise<void>;
  /** Cheap, eventually consistent read of what a running attempt must watch. */
  leaseState(id: string): Promise<LeaseState | null>;
  list(query: ListQuery, nowMs: number): Promise<Page<Job>>;
  /** DEAD jobs, newest death first. */
  listDead(query: Omit<ListQuery, 'status' | 'priority'>, nowMs: number): Promise<Page<Job>>;
  /** Liveness of the table, for /readyz. */
  ping(): Promise<void>;
}
