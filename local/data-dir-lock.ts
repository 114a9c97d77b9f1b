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
 * first query, and the SQS emulator's files would be written by two processes; a pid file
 * turns both into one clear error at start. A lock left by a dead process is taken over.
 *
 * @example
 * const lock = await lockDataDir('.skyforge'); ... await lock.release();
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) throw new DataDirInUseError(dataDir, holder);
      await rm(file, { force: true });
    }
  }
  throw new DataDirInUseError(dataDir, Number.NaN);
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
