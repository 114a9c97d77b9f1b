import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
const SNAPSHOT_FORMAT = 1;

export interface LoadedState<M, S> {
  snapshot?: S;
  mutations: M[];
}

export interface JournalOptions<S> {
  dir: string;
  /** File names: `<prefix>-snapshot-<g>.json`, `<prefix>-journal-<g>.ndjson`. */
  prefix: string;
  /** The emulator state held in a parsed snapshot file, or null when the file is not one. */
  readState: (file: Record<string, unknown>) => S | null;
  /** The error for a file that cannot be read back safely. */
  corrupt: (message: string) => Error;
}

/**
 * Persistence for the local cloud's emulators (SQS, Scheduler): a snapshot plus an append-only
 * journal of mutations M over a state S.
 *
 * Files are numbered by generation: `<prefix>-snapshot-<g>.json` and the journal that continues it,
 * `<prefix>-journal-<g>.ndjson`. Compaction writes generation g+1 (temp file, fsync, rename) before
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
export class Journal<M, S extends object> {
  private fd: number | undefined;
  private generation = 0;
  private bytes = 0;
  private readonly dir: string;
  private readonly snapshotPattern: RegExp;
  private readonly journalPattern: RegExp;

  constructor(private readonly options: JournalOptions<S>) {
    this.dir = options.dir;
    this.snapshotPattern = new RegExp(`^${options.prefix}-snapshot-(\\d+)\\.json$`);
    this.journalPattern = new RegExp(`^${options.prefix}-journal-(\\d+)\\.ndjson$`);
  }

  /** Bytes appended since the last compaction (the emulator compacts when this grows large). */
  get size(): number {
    return this.bytes;
  }

  /** Reads the newest snapshot and the mutations journalled after it. */
  load(): LoadedState<M, S> {
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
  compact(state: S, now: number, keepOpen: boolean): boolean {
    this.closeFd();
    const latest = this.latestGeneration();
    if (latest !== undefined && latest > this.generation) return false;
    const next = this.generation + 1;
    const file = { format: SNAPSHOT_FORMAT, generation: next, savedAt: now, ...state };
    const target = this.snapshotPath(next);
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
  append(mutation: M): void {
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
      const match = this.snapshotPattern.exec(name);
      if (match?.[1] !== undefined) latest = Math.max(latest ?? 0, Number(match[1]));
    }
    return latest;
  }

  private readSnapshot(generation: number): S {
    const path = this.snapshotPath(generation);
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const state =
      typeof parsed === 'object' && parsed !== null && (parsed as { format?: unknown }).format === SNAPSHOT_FORMAT
        ? this.options.readState(parsed as Record<string, unknown>)
        : null;
    if (state === null) throw this.options.corrupt(`${path} is not a ${this.options.prefix} emulator snapshot.`);
    return state;
  }

  private readJournal(generation: number): M[] {
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
        return JSON.parse(line) as M;
      } catch {
        throw this.options.corrupt(`${path}:${index + 1} is not a valid journal record.`);
      }
    });
  }

  private journalPath(generation: number): string {
    return join(this.dir, `${this.options.prefix}-journal-${generation}.ndjson`);
  }

  private snapshotPath(generation: number): string {
    return join(this.dir, `${this.options.prefix}-snapshot-${generation}.json`);
  }

  private removeOlderThan(generation: number): void {
    for (const name of readdirSync(this.dir)) {
      const match = this.snapshotPattern.exec(name) ?? this.journalPattern.exec(name);
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

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
