import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, vi } from 'vitest';
import { httpClient } from './http-client.ts';

/** `npm start` as users run it: the local cloud as a child process, for restart and crash tests. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningCloud {
  child: ChildProcess;
  http: ReturnType<typeof httpClient>;
  output: () => string;
}

/** Starts `local/main.ts` on the data folder and waits for /healthz; throws with its output if it exits. */
export async function startCloudProcess(
  options: { dataDir: string; port: number; edgePort: number; env?: Record<string, string>; args?: string[] },
): Promise<RunningCloud> {
  const { dataDir, port, edgePort } = options;
  const args = ['--import', 'tsx', 'local/main.ts', '--port', String(port), '--edge-port', String(edgePort), '--data-dir', dataDir, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const http = httpClient(`http://127.0.0.1:${port}`);
  const state = await vi
    .waitFor(
      async () => {
        if (child.exitCode !== null) return 'exited';
        // Throws (and is tried again) while the port is not listening yet.
        expect((await http.get('/healthz')).status).toBe(200);
        return 'up';
      },
      { timeout: 30_000, interval: 100 },
    )
    .catch((error: unknown) => {
      throw new Error(`local cloud did not start: ${output}`, { cause: error });
    });
  if (state === 'exited') throw new Error(`local cloud exited (${child.exitCode}): ${output}`);
  return { child, http, output: () => output };
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
