import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Another live process is using the data folder (two `npm start` on one folder). */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  readonly code = 'DATA_DIR_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`data folder ${dataDir} is in use by process ${pid}; stop it or choose another --data-dir`);
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

const LOCK_FILE = 'skyforge.lock';

/**
 * Takes the data folder for this process. LevelDB's own lock only shows up as a crash on the
 * first query, and the SQS emulator's files would be written by two processes; a lock file
 * turns both into one clear error at start. The file names the holder by its pid *and* its start
 * time (from /proc, where there is one), so a lock left by a dead process is taken over even when
 * that process is a zombie not yet reaped (its pid still answers signal 0) or its pid was reused.
 *
 * @example
 * const lock = await lockDataDir('.skyforge'); ... await lock.release();
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, `${process.pid} ${processStartTime(process.pid) ?? ''}`.trim(), { flag: 'wx' });
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidText, startText] = (await readFile(file, 'utf8').catch(() => '')).trim().split(/\s+/);
      const holder = Number.parseInt(pidText ?? '', 10);
      if (Number.isInteger(holder) && holder > 0 && holdsLock(holder, startText)) throw new DataDirInUseError(dataDir, holder);
      await rm(file, { force: true });
    }
  }
  throw new DataDirInUseError(dataDir, Number.NaN);
}

/** The holder is the very process that wrote the lock, and it is still running (not a zombie). */
function holdsLock(pid: number, recordedStart: string | undefined): boolean {
  const stat = procStat(pid);
  if (stat) return stat.state !== 'Z' && stat.state !== 'X' && (recordedStart === undefined || stat.startTime === recordedStart);
  // No /proc (macOS): signal 0 is all there is.
  return isAlive(pid);
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or null without /proc. */
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.startTime ?? null;
}

function procStat(pid: number): { state: string; startTime: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    // The process is gone (ENOENT with /proc mounted), or there is no /proc at all.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && hasProc()) return { state: 'X', startTime: '' };
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
