import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir, processStartTime } from '../../local/data-dir-lock.ts';

/** The data-folder lock after kill -9: a dead, zombie or reused pid never keeps a restart out. */
describe('lockDataDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skyforge-lock-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const lockFile = () => join(dir, 'skyforge.lock');

  it('records the pid and its start time, and refuses a second holder while this process lives', async () => {
    const lock = await lockDataDir(dir);
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(`${process.pid} ${processStartTime(process.pid)}`);
    await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DataDirInUseError);
    await lock.release();
    await (await lockDataDir(dir)).release();
  });

  it('takes over a lock whose pid is now another process (the pid was reused)', async () => {
    await writeFile(lockFile(), `${process.pid} 1`);
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('takes over a lock of a process that is gone', async () => {
    const child = spawn('true');
    const pid = child.pid as number;
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(lockFile(), `${pid} 12345`);
    await (await lockDataDir(dir)).release();
  });

  it.runIf(process.platform === 'linux')('takes over a lock of a zombie: killed but not yet reaped (its pid still answers signal 0)', async () => {
    // `sh` starts `sleep 0` in the background, then becomes `sleep 5`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5']);
    try {
      const pid = Number((await new Promise<Buffer>((resolve) => parent.stdout.once('data', resolve))).toString().trim());
      await expect.poll(() => readFile(`/proc/${pid}/stat`, 'utf8').then((s) => s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3))).toBe('Z');
      expect(() => process.kill(pid, 0)).not.toThrow();
      await writeFile(lockFile(), `${pid} ${processStartTime(pid)}`);

      const lock = await lockDataDir(dir);

      await lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
