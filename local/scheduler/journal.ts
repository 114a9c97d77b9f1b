import { Journal } from '../journal.ts';
import { SchedulerJournalCorruptError } from './errors.ts';
import type { Mutation } from './mutations.ts';
import type { SchedulerSnapshot } from './scheduler-state.ts';

/**
 * Persistence for the Scheduler emulator, the same scheme as the SQS emulator's (see
 * local/sqs/README.md): a snapshot plus an append-only journal, numbered by generation.
 *
 * Each mutation is one `writeSync` to an O_APPEND descriptor before the request is answered (or
 * before a firing is delivered), so a SIGKILL right after an answer loses nothing; no fsync per
 * write, so a power loss can still lose the tail. Compaction writes generation g+1 (temp file,
 * fsync, rename) before deleting generation g. An instance that finds a newer generation than its
 * own (a second emulator opened the folder) leaves the files alone.
 *
 * We journal rather than rewrite one JSON file per change because SkyForge creates a one-time
 * schedule per long delay: with thousands of schedules a whole-file rewrite per change would cost
 * O(n) per request.
 */
export class SchedulerJournal extends Journal<Mutation, SchedulerSnapshot> {
  constructor(dir: string) {
    super({
      dir,
      prefix: 'scheduler',
      readState: (file) =>
        Array.isArray(file.groups) && Array.isArray(file.schedules) && Array.isArray(file.deliveries)
          ? {
              groups: file.groups as SchedulerSnapshot['groups'],
              schedules: file.schedules as SchedulerSnapshot['schedules'],
              deliveries: file.deliveries as SchedulerSnapshot['deliveries'],
            }
          : null,
      corrupt: (message) => new SchedulerJournalCorruptError(message),
    });
  }
}
