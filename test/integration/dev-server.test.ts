import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../local/dev/dev-server.ts';
import { JobRegistryModuleError } from '../../local/errors.ts';

/**
 * `skyforge dev` in process: a user's project in a temporary folder (its node_modules is this
 * repository's, for zod), a registry module that imports a handler file, edits to both.
 */
const project = mkdtempSync(join(tmpdir(), 'skyforge-dev-'));
symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(project, 'node_modules'), 'dir');
const registry = join(project, 'jobs.ts');
const handlerFile = join(project, 'reverse.ts');

const writeHandler = (suffix: string): void =>
  writeFileSync(handlerFile, `export const reverse = ({ text }: { text: string }) => ({ text: [...text].reverse().join('') + '${suffix}' });\n`);
const REGISTRY = `import * as z from 'zod';
import { reverse } from './reverse.ts';

export const jobs = { 'text.reverse': { schema: z.object({ text: z.string() }), handler: reverse } };
`;

describe('skyforge dev', () => {
  let server: DevServer;
  const lines: string[] = [];

  beforeAll(async () => {
    writeHandler('');
    writeFileSync(registry, REGISTRY);
    server = await startDevServer({
      options: { port: 0, edgePort: 0, memory: true, dataDir: '', workerTimeoutSeconds: undefined, jobs: registry, demoJobs: false },
      cwd: project,
      log: (line) => lines.push(line),
    });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(project, { recursive: true, force: true });
  });

  async function runJob(text: string): Promise<unknown> {
    const response = await fetch(`${server.cloud.apiUrl}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'text.reverse', payload: { text } }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const job = async (): Promise<{ status: string; result?: unknown }> =>
      (await (await fetch(`${server.cloud.apiUrl}/jobs/${id}`)).json()) as { status: string; result?: unknown };
    await expect.poll(async () => (await job()).status, { timeout: 10_000, interval: 20 }).toBe('SUCCEEDED');
    return (await job()).result;
  }

  async function nextLine(pattern: RegExp): Promise<string> {
    const from = lines.length;
    await expect.poll(() => lines.slice(from).some((l) => pattern.test(l)), { timeout: 10_000, interval: 10 }).toBe(true);
    return lines.slice(from).find((l) => pattern.test(l)) as string;
  }

  it("runs the module's job types only, and names them in the banner", async () => {
    expect(server.cloud.jobTypes()).toEqual(['text.reverse']);
    expect(server.banner).toMatch(/Job types\s+text\.reverse\s+from jobs\.ts/);
    expect(await runJob('abc')).toEqual({ text: 'cba' });
  });

  it('reloads when a file the module imports changes', async () => {
    const reloaded = nextLine(/^reloaded jobs\.ts in \d+ ms \(changed: reverse\.ts\); job types: text\.reverse$/);
    writeHandler('?');
    await reloaded;
    expect(await runJob('abc')).toEqual({ text: 'cba?' });
  });

  it('keeps the running code when the module no longer exports jobs, and says why', async () => {
    const failed = nextLine(/^reload of jobs\.ts failed, still running the previous code: .*exports no `jobs`/);
    writeFileSync(registry, REGISTRY.replace('export const jobs', 'export const notJobs'));
    await failed;
    expect(await runJob('abc')).toEqual({ text: 'cba?' });

    const back = nextLine(/^reloaded jobs\.ts .*\(changed: jobs\.ts\)/);
    writeFileSync(registry, REGISTRY);
    await back;
  });

  it('refuses to start on a module that does not exist', async () => {
    await expect(
      startDevServer({
        options: { port: 0, edgePort: 0, memory: true, dataDir: '', workerTimeoutSeconds: undefined, jobs: join(project, 'missing.ts'), demoJobs: false },
        cwd: project,
        log: () => undefined,
      }),
    ).rejects.toBeInstanceOf(JobRegistryModuleError);
  });
});
