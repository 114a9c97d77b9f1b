import { Journal } from '../journal.ts';
import type { Mutation } from './mutations.ts';
import type { StateSnapshot } from './sqs-state.ts';

/** Raised when the data folder holds something the emulator cannot read back safely. */
export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
  readonly code = 'SQS_JOURNAL_CORRUPT';
}

/** The SQS emulator's persistence (`sqs-snapshot-<g>.json`, `sqs-journal-<g>.ndjson`); see local/journal.ts. */
export class SqsJournal extends Journal<Mutation, StateSnapshot> {
  constructor(dir: string) {
    super({
      dir,
      prefix: 'sqs',
      readState: (file) => (Array.isArray(file.queues) ? { queues: file.queues as StateSnapshot['queues'] } : null),
      corrupt: (message) => new JournalCorruptError(message),
    });
  }
}
