import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Mutation } from './mutations.ts';
import type { StateSnapshot } from './sqs-state.ts';

const SNAPSHOT_FORMAT = 1;
const SNAPSHOT_PATTERN = /^sqs-snapshot-(\d+)\.json$/;
const JOURNAL_PATTERN = /^sqs-journal-(\d+)\.ndjson$/;

interface SnapshotFile extends StateSnapshot {
  format: number;
  generation: number;
  savedAt: number;
}

export interface LoadedState {
  snapshot?: StateSnapshot;
  mutations: Mutation[];
}

/** Raised when the data folder holds something the emulator cannot read back safely. */
export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
  readonly code = 'SQS_JOURNAL_CORRUPT';
}

/**
 * Persistence for the SQS emulator: a snapshot plus an append-only journal of Mutations.
 *
 * Files are numbered by generation: `sqs-snapshot-<g>.json` and the journal that continues it,
 * `sqs-journal-<g>.ndjson`. Compaction writes generation g+1 (temp file, fsync, rename) before
 * deleting generation g, so a crash at any point leaves one complete snapshot and, at worst, a
 * journal that is already folded into it and is ignored.
 *
 * Each mutation is one `writeSync` to an O_APPEND descriptor before the request is answered. The
 * bytes are then in the kernel's page cache, which survives SIGKILL of the process (the promise
 * the local cloud needs); we skip fsync per write because it would cost milliseconds per call,
 * so an OS crash or power loss can still lose the tail.
 *
 * The generation also tells an instance whether it still owns the folder: if a newer snapshot
 * appeared (another emulator opened the same folder, e.g. after this process was presumed dead),
 * close() leaves the files alone instead of overwriting the newer state.
 */
export class Journal {
  private fd: number | undefined;
  private generation = 0;
  private bytes = 0;

  constructor(private readonly dir: string) {}

  /** Bytes appended since the last compaction (the emulator compacts when this grows large). */
  get size(): number {
    return this.bytes;
  }

  /** Reads the newest snapshot and the mutations journalled after it. */
  load(): LoadedState {
    mkdirSync(this.dir, { recursive: true });
    const generation = this.latestGeneration();
    this.generation = generation ?? 0;
    if (generation === undefined) return { mutations: [] };
    const snapshot = this.readSnapshot(generation);
    const mutations = this.readJournal(generation);
    return { snapshot, mutations };
  }

  /**
   * Folds the current state into a new snapshot generation and starts an empty journal for it.
   * With `keepOpen: false` (close) no new journal is opened. Returns false, touching nothing,
   * when another instance has taken the folder over since this one opened it.
   */
  compact(state: StateSnapshot, now: number, keepOpen: boolean): boolean {
    this.closeFd();
    const latest = this.latestGeneration();
    if (latest !== undefined && latest > this.generation) return false;
    const next = this.generation + 1;
    const file: SnapshotFile = { format: SNAPSHOT_FORMAT, generation: next, savedAt: now, ...state };
    const target = join(this.dir, `sqs-snapshot-${next}.json`);
    const temp = `${target}.tmp`;
    writeFileSync(temp, JSON.stringify(file));
    const tempFd = openSync(temp, 'r+');
    try {
      fsyncSync(tempFd);
    } finally {
      closeSync(tempFd);
    }
    renameSync(temp, target);
    this.syncDirectory();
    this.generation = next;
    if (keepOpen) this.fd = openSync(this.journalPath(next), 'a');
    this.bytes = 0;
    this.removeOlderThan(next);
    return true;
  }

  /** Journals one mutation; must return before the request that caused it is answered. */
  append(mutation: Mutation): void {
    if (this.fd === undefined) return;
    const line = `${JSON.stringify(mutation)}\n`;
    this.bytes += writeSync(this.fd, line);
  }

  close(): void {
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private latestGeneration(): number | undefined {
    let latest: number | undefined;
    for (const name of readdirSync(this.dir)) {
      const match = SNAPSHOT_PATTERN.exec(name);
      if (match?.[1] !== undefined) latest = Math.max(latest ?? 0, Number(match[1]));
    }
    return latest;
  }

  private readSnapshot(generation: number): StateSnapshot {
    const path = join(this.dir, `sqs-snapshot-${generation}.json`);
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isSnapshotFile(parsed)) throw new JournalCorruptError(`${path} is not an SQS emulator snapshot.`);
    return { queues: parsed.queues };
  }

  private readJournal(generation: number): Mutation[] {
    const path = this.journalPath(generation);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return [];
      throw error;
    }
    // The last piece is '' after a final newline, or a line cut short by a crash mid-write:
    // either way it holds nothing that was acknowledged.
    const complete = text.split('\n').slice(0, -1);
    return complete.map((line, index) => {
      try {
        // Lines are our own JSON.stringify(Mutation); the snapshot's format number guards the shape.
        return JSON.parse(line) as Mutation;
      } catch {
        throw new JournalCorruptError(`${path}:${index + 1} is not a valid journal record.`);
      }
    });
  }

  private journalPath(generation: number): string {
    return join(this.dir, `sqs-journal-${generation}.ndjson`);
  }

  private removeOlderThan(generation: number): void {
    for (const name of readdirSync(this.dir)) {
      const match = SNAPSHOT_PATTERN.exec(name) ?? JOURNAL_PATTERN.exec(name);
      if (match?.[1] !== undefined && Number(match[1]) < generation) rmSync(join(this.dir, name), { force: true });
    }
  }

  private syncDirectory(): void {
    // Makes the rename itself durable; not every platform lets a directory be fsynced.
    try {
      const fd = openSync(this.dir, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Best effort: the rename is still atomic, only its durability on power loss is weaker.
    }
  }
}

function isSnapshotFile(value: unknown): value is SnapshotFile {
  return (
    typeof value === 'object' &&
    value !== null &&
    'format' in value &&
    value.format === SNAPSHOT_FORMAT &&
    'queues' in value &&
    Array.isArray(value.queues)
  );
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
