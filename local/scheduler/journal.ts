import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SchedulerJournalCorruptError } from './errors.ts';
import type { Mutation } from './mutations.ts';
import type { SchedulerSnapshot } from './scheduler-state.ts';

const SNAPSHOT_FORMAT = 1;
const SNAPSHOT_PATTERN = /^scheduler-snapshot-(\d+)\.json$/;
const JOURNAL_PATTERN = /^scheduler-journal-(\d+)\.ndjson$/;

interface SnapshotFile extends SchedulerSnapshot {
  format: number;
  generation: number;
  savedAt: number;
}

export interface LoadedSchedulerState {
  snapshot?: SchedulerSnapshot;
  mutations: Mutation[];
}

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
export class SchedulerJournal {
  private fd: number | undefined;
  private generation = 0;
  private bytes = 0;

  constructor(private readonly dir: string) {}

  /** Bytes appended since the last compaction. */
  get size(): number {
    return this.bytes;
  }

  load(): LoadedSchedulerState {
    mkdirSync(this.dir, { recursive: true });
    const generation = this.latestGeneration();
    this.generation = generation ?? 0;
    if (generation === undefined) return { mutations: [] };
    return { snapshot: this.readSnapshot(generation), mutations: this.readJournal(generation) };
  }

  /**
   * Folds `state` into a new snapshot generation and, with `keepOpen`, starts its journal.
   * Returns false, touching nothing, when another instance has taken the folder over.
   */
  compact(state: SchedulerSnapshot, now: number, keepOpen: boolean): boolean {
    this.closeFd();
    const latest = this.latestGeneration();
    if (latest !== undefined && latest > this.generation) return false;
    const next = this.generation + 1;
    const file: SnapshotFile = { format: SNAPSHOT_FORMAT, generation: next, savedAt: now, ...state };
    const target = join(this.dir, `scheduler-snapshot-${next}.json`);
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

  /** Journals one mutation; returns before the change it records is acknowledged to anyone. */
  append(mutation: Mutation): void {
    if (this.fd === undefined) return;
    this.bytes += writeSync(this.fd, `${JSON.stringify(mutation)}\n`);
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

  private readSnapshot(generation: number): SchedulerSnapshot {
    const path = join(this.dir, `scheduler-snapshot-${generation}.json`);
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isSnapshotFile(parsed)) throw new SchedulerJournalCorruptError(`${path} is not a Scheduler emulator snapshot.`);
    return { groups: parsed.groups, schedules: parsed.schedules, deliveries: parsed.deliveries };
  }

  private readJournal(generation: number): Mutation[] {
    const path = this.journalPath(generation);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
      throw error;
    }
    // The last piece is '' after a final newline, or a line cut short by a crash mid-write:
    // either way it holds nothing that was acknowledged.
    return text
      .split('\n')
      .slice(0, -1)
      .map((line, index) => {
        try {
          // Lines are our own JSON.stringify(Mutation); the snapshot's format number guards the shape.
          return JSON.parse(line) as Mutation;
        } catch {
          throw new SchedulerJournalCorruptError(`${path}:${index + 1} is not a valid journal record.`);
        }
      });
  }

  private journalPath(generation: number): string {
    return join(this.dir, `scheduler-journal-${generation}.ndjson`);
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
    'groups' in value &&
    Array.isArray(value.groups) &&
    'schedules' in value &&
    Array.isArray(value.schedules) &&
    'deliveries' in value &&
    Array.isArray(value.deliveries)
  );
}
