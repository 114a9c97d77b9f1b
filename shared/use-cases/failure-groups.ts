import { failureFingerprint, failureOf, fingerprintOf, normalizeFailureMessage } from '../domain/failure-fingerprint.ts';
import type { Job } from '../domain/job.ts';
import type { Page } from '../ports/job-store.ts';
import type { Dependencies } from './dependencies.ts';
import { requeueJobs } from './requeue-job.ts';

/** One failure group of GET /dlq/groups (API.md). */
export interface FailureGroup {
  fingerprint: string;
  type: string;
  errorName: string;
  /** The message with its variable parts normalized away (what every job of the group shares). */
  message: string;
  count: number;
  firstDeadAt: string;
  lastDeadAt: string;
  /** A few of its jobs, newest death first. */
  sampleJobIds: string[];
}

export interface FailureGroups {
  items: FailureGroup[];
  /** Dead jobs read to build the groups. */
  scanned: number;
  /** True when there were more dead jobs than GROUP_SCAN_LIMIT: the counts cover the newest ones. */
  truncated: boolean;
}

/**
 * The write that makes a job DEAD stores its fingerprint (deadChanges); a job that died before
 * that is fingerprinted from the same fields when read. Grouping reads the newest dead jobs
 * through the dead-letter index, at most this many per call (about 25 Query and 50 BatchGetItem
 * calls); `truncated` says when the list is longer.
 */
export const GROUP_SCAN_LIMIT = 5000;
const SAMPLES = 5;

/** The group of a job read from the dead-letter index. */
const groupOf = (job: Job): string => fingerprintOf(job) ?? failureFingerprint(job);
const PAGE = 200;

async function* deadJobs(deps: Dependencies, type: string | undefined, cursor?: string): AsyncGenerator<{ job: Job; page: Page<Job> }> {
  let next = cursor;
  do {
    const page = await deps.store.listDead({ ...(type ? { type } : {}), limit: PAGE, ...(next ? { cursor: next } : {}) }, deps.clock.now());
    for (const job of page.items) yield { job, page };
    next = page.nextCursor ?? undefined;
  } while (next);
}

/** GET /dlq/groups?type=: dead jobs grouped by failure fingerprint, largest group first. */
export async function listFailureGroups(options: { type?: string }, deps: Dependencies): Promise<FailureGroups> {
  const groups = new Map<string, FailureGroup>();
  let scanned = 0;
  let truncated = false;
  for await (const { job } of deadJobs(deps, options.type)) {
    if (scanned === GROUP_SCAN_LIMIT) {
      truncated = true;
      break;
    }
    scanned += 1;
    const fingerprint = groupOf(job);
    const deadAt = job.finishedAt ?? job.updatedAt;
    const group = groups.get(fingerprint);
    if (!group) {
      const { errorName, message } = failureOf(job);
      groups.set(fingerprint, {
        fingerprint,
        type: job.type,
        errorName,
        message: normalizeFailureMessage(message),
        count: 1,
        firstDeadAt: deadAt,
        lastDeadAt: deadAt,
        sampleJobIds: [job.id],
      });
      continue;
    }
    group.count += 1;
    if (deadAt < group.firstDeadAt) group.firstDeadAt = deadAt;
    if (deadAt > group.lastDeadAt) group.lastDeadAt = deadAt;
    if (group.sampleJobIds.length < SAMPLES) group.sampleJobIds.push(job.id);
  }
  const items = [...groups.values()].sort((a, b) => b.count - a.count || b.lastDeadAt.localeCompare(a.lastDeadAt));
  return { items, scanned, truncated };
}

/**
 * GET /dlq?fingerprint=: one group's dead jobs, newest death first. Reads the dead-letter list
 * and keeps the group's jobs, within a scan budget per call, so a page may come back short (even
 * empty) with a cursor to go on, as a status filter on GET /jobs does.
 */
export async function listDeadJobsOfGroup(
  query: { fingerprint: string; type?: string; limit: number; cursor?: string },
  deps: Dependencies,
): Promise<Page<Job>> {
  const items: Job[] = [];
  let scanned = 0;
  let cursor = query.cursor;
  do {
    // Never more than still fits: every job read is either returned or behind the cursor.
    const page = await deps.store.listDead(
      { ...(query.type ? { type: query.type } : {}), limit: Math.min(PAGE, query.limit - items.length), ...(cursor ? { cursor } : {}) },
      deps.clock.now(),
    );
    scanned += page.items.length;
    items.push(...page.items.filter((job) => groupOf(job) === query.fingerprint));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < query.limit && scanned < GROUP_SCAN_LIMIT);
  return { items, nextCursor: cursor ?? null };
}

/**
 * POST /dlq/groups/{fingerprint}/replay: replays up to `limit` dead jobs of one group (attempts
 * reset), newest death first, as POST /dlq/replay does for a type.
 */
export async function replayFailureGroup(fingerprint: string, options: { limit: number }, deps: Dependencies): Promise<{ replayed: number }> {
  let replayed = 0;
  let batch: Job[] = [];
  let scanned = 0;
  const flush = async () => {
    replayed += (await requeueJobs(batch, deps)).length;
    batch = [];
  };
  for await (const { job } of deadJobs(deps, undefined)) {
    if (scanned === GROUP_SCAN_LIMIT || replayed + batch.length >= options.limit) break;
    scanned += 1;
    if (groupOf(job) !== fingerprint) continue;
    batch.push(job);
    if (batch.length === 100) await flush();
  }
  if (batch.length > 0) await flush();
  return { replayed };
}
