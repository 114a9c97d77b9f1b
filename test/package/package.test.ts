/**
 * SkyForge as a team installs it: `npm pack`, a fresh app made by `skyforge init` that installs
 * the tarball, then everything a user does with it: typecheck a file that imports every subpath,
 * `skyforge dev --jobs` with a reload after an edit, `cdk synth` with the construct from
 * node_modules, and the app's own `npm test`. The app's other dependencies come from the npm
 * cache where they are already there (`--prefer-offline`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Running, run, type Ran } from './package-process.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'skyforge-package-'));
const app = join(work, 'my-app');
const bin = (name: string): string => join(app, 'node_modules', '.bin', name);

interface PackedFile {
  path: string;
  size: number;
}
let packed: { filename: string; size: number; unpackedSize: number; entryCount: number; files: PackedFile[] };
const timings: Record<string, number> = {};

function ok(result: Ran, what: string): Ran {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

const started = performance.now();

beforeAll(async () => {
  const pack = ok(await run('npm', ['pack', '--pack-destination', work, '--json'], REPO), 'npm pack');
  timings.packMs = pack.ms;
  const [first] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as (typeof packed)[];
  if (!first) throw new Error(`npm pack reported no tarball:\n${pack.stdout}`);
  packed = first;
  const tarball = join(work, packed.filename);

  // The repository's own CLI scaffolds the app (the package is not installed anywhere yet).
  ok(await run(process.execPath, [join(REPO, 'cli/bin.js'), 'init', app, '--skyforge', `file:${tarball}`], work), 'skyforge init');
  const install = ok(await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app), 'npm install');
  timings.installMs = install.ms;
}, 300_000);

afterAll(() => {
  timings.totalMs = performance.now() - started;
  console.log(
    `package: ${packed?.filename} ${packed?.size} bytes packed, ${packed?.unpackedSize} unpacked, ${packed?.entryCount} files; ` +
      Object.entries(timings)
        .map(([name, ms]) => `${name} ${Math.round(ms)}`)
        .join(', '),
  );
  rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds the compiled package only: no sources, tests, fixtures, bench results or local state', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths.filter((p) => !p.startsWith('dist/') && !['cli/bin.js', 'README.md', 'LICENSE', 'package.json'].includes(p))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(test|tests|fixtures|bench|\.skyforge|cdk\.out|node_modules)\//.test(p))).toEqual([]);
    // The installed CLI runs JavaScript: TypeScript ships as declarations only.
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    for (const entry of ['index', 'cdk', 'client', 'testing']) {
      expect(paths).toContain(`dist/src/${entry}.js`);
      expect(paths).toContain(`dist/src/${entry}.d.ts`);
    }
    // The dashboard ships prebuilt, beside the module that serves it.
    for (const asset of ['index.html', 'app.js', 'app.css']) expect(paths).toContain(`dist/ui/dist/${asset}`);
    // So does the OpenAPI document GET /openapi.json serves, beside the module that reads it.
    expect(paths).toContain('dist/shared/http/openapi.json.br');
    expect(packed.size).toBeLessThan(1_000_000);
  });

  it('declares zod, aws-cdk-lib and constructs as peers, the last two optional', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/skyforge/package.json'), 'utf8')) as {
      private?: boolean;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      dependencies: Record<string, string>;
    };
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs', 'zod']);
    expect(manifest.peerDependenciesMeta['aws-cdk-lib']?.optional).toBe(true);
    expect(manifest.dependencies).not.toHaveProperty('tsx');
    expect(manifest.dependencies).not.toHaveProperty('aws-cdk-lib');
  });
});

describe('an app using the package', () => {
  it('typechecks a file that imports every subpath, with payloads typed from its jobs', async () => {
    writeFileSync(
      join(app, 'src/every-subpath.ts'),
      `import * as z from 'zod';
import { App, Stack } from 'aws-cdk-lib';
import { defineJob, defineJobs, PermanentError, type JobContext, type JobView } from 'skyforge';
import { SkyForge, type SkyForgeProps } from 'skyforge/cdk';
import { NotFoundError, SkyForgeClient } from 'skyforge/client';
import { startLocalCloud, type LocalCloud } from 'skyforge/testing';

export const jobs = defineJobs({
  'report.build': defineJob({
    schema: z.object({ rows: z.number().int() }),
    handler: async ({ rows }, ctx: JobContext) => {
      const count: number = rows;
      if (count < 0) throw new PermanentError('negative');
      return { rows: count, jobId: ctx.jobId };
    },
  }),
});

export async function useEverything(): Promise<JobView> {
  const client = new SkyForgeClient<typeof jobs>({ baseUrl: 'http://localhost:3000' });
  // @ts-expect-error rows is a number
  await client.enqueue('report.build', { rows: 'three' });
  // @ts-expect-error no such job type
  await client.enqueue('report.missing', {});
  const cloud: LocalCloud<typeof jobs> = await startLocalCloud({ jobs, memory: true, port: 0 });
  const job = await cloud.client.enqueue('report.build', { rows: 3 });
  await cloud.stop();
  const props: SkyForgeProps = { jobRegistryEntry: 'src/jobs.ts', demoJobs: false, worker: { timeoutSeconds: 60 } };
  new SkyForge(new Stack(new App(), 'Typed'), 'Jobs', props);
  try {
    return await client.get(job.id);
  } catch (error) {
    if (error instanceof NotFoundError) return job;
    throw error;
  }
}
`,
    );
    const tsc = await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], app);
    timings.tscMs = tsc.ms;
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 120_000);

  it('runs `skyforge --help` from the installed package', async () => {
    const runs: Ran[] = [];
    for (let i = 0; i < 3; i += 1) runs.push(ok(await run(bin('skyforge'), ['--help'], app), 'skyforge --help'));
    timings.helpMs = runs.map((r) => r.ms).sort((a, b) => a - b)[1] as number;
    expect(runs[0]?.stdout).toMatch(/^\s+dev\s+Run the local cloud with your job types/m);
    expect(runs[0]?.stdout).toMatch(/^\s+init\s+Create a new app/m);
    expect(timings.helpMs).toBeLessThan(5_000);
  }, 60_000);

  it('skyforge dev runs the user job type and reloads it after an edit, without a restart', async () => {
    mkdirSync(join(app, 'src/handlers'), { recursive: true });
    const handlerFile = join(app, 'src/handlers/shout.ts');
    writeFileSync(
      handlerFile,
      `import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext } from 'skyforge';

export async function shout({ text, waitMs }: { text: string; waitMs: number }, ctx: JobContext) {
  await sleep(waitMs, undefined, { signal: ctx.signal });
  return { text: text.toUpperCase() + '!', version: 1 };
}
`,
    );
    writeFileSync(
      join(app, 'src/dev-jobs.ts'),
      `import * as z from 'zod';
import { defineJob, defineJobs } from 'skyforge';
import { shout } from './handlers/shout.ts';

export const jobs = defineJobs({
  'text.shout': defineJob({ schema: z.object({ text: z.string(), waitMs: z.number().int().default(0) }), handler: shout }),
});
`,
    );
    const dev = new Running(bin('skyforge'), ['dev', '--jobs', 'src/dev-jobs.ts', '--port', '0', '--edge-port', '0', '--memory'], app);
    try {
      const [, apiUrl] = await dev.waitFor(/API\s+(http:\/\/\S+)/, 30_000);
      expect(dev.stdout).toMatch(/Job types\s+text\.shout\s+from src\/dev-jobs\.ts/);
      const submit = async (payload: Record<string, unknown>): Promise<string> => {
        const response = await fetch(`${apiUrl}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'text.shout', payload }),
        });
        expect(response.status).toBe(201);
        return ((await response.json()) as { id: string }).id;
      };
      const job = async (id: string): Promise<{ status: string; result?: unknown }> =>
        (await (await fetch(`${apiUrl}/jobs/${id}`)).json()) as { status: string; result?: unknown };
      const settled = async (id: string): Promise<{ status: string; result?: unknown }> => {
        await expect.poll(async () => (await job(id)).status, { timeout: 15_000, interval: 20 }).toMatch(/SUCCEEDED|DEAD/);
        return job(id);
      };

      expect(await settled(await submit({ text: 'hi' }))).toMatchObject({ status: 'SUCCEEDED', result: { text: 'HI!', version: 1 } });

      // An attempt running during the reload finishes on the code it started with.
      const slow = await submit({ text: 'slow', waitMs: 2_000 });
      await expect.poll(async () => (await job(slow)).status, { timeout: 10_000, interval: 20 }).toBe('RUNNING');

      const before = { stderr: dev.stderr.length };
      const edited = performance.now();
      writeFileSync(handlerFile, readFileSync(handlerFile, 'utf8').replace("+ '!'", "+ '!!'").replace('version: 1', 'version: 2'));
      const [, reportedMs] = await dev.waitFor(/reloaded src\/dev-jobs\.ts in (\d+) ms \(changed: src\/handlers\/shout\.ts\); job types: text\.shout/, 10_000, before);
      timings.reloadObservedMs = performance.now() - edited;
      timings.reloadReportedMs = Number(reportedMs);

      expect(await settled(await submit({ text: 'hi' }))).toMatchObject({ status: 'SUCCEEDED', result: { text: 'HI!!', version: 2 } });
      expect(await settled(slow)).toMatchObject({ status: 'SUCCEEDED', result: { text: 'SLOW!', version: 1 } });

      // A broken edit keeps the running code and says why.
      const beforeBreak = { stderr: dev.stderr.length };
      writeFileSync(handlerFile, 'export async function shout( {');
      await dev.waitFor(/reload of src\/dev-jobs\.ts failed, still running the previous code: .*shout\.ts/, 10_000, beforeBreak);
      expect(await settled(await submit({ text: 'still' }))).toMatchObject({ status: 'SUCCEEDED', result: { text: 'STILL!!', version: 2 } });
    } finally {
      expect(await dev.interrupt()).toBe(0);
    }
  }, 120_000);

  it("synthesizes the app's stack offline, its worker bundle holding the user's job type", async () => {
    const synth = ok(await run(bin('cdk'), ['synth', '--quiet', '--no-notices'], app), 'cdk synth');
    timings.synthMs = synth.ms;
    const template = JSON.parse(readFileSync(join(app, 'cdk.out/my-app.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Description?: string; Code?: { S3Key?: string } } }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.startsWith('SkyForge'));
    const worker = functions.find((f) => f.Properties.Description?.startsWith('SkyForge worker'));
    const assetHash = worker?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    expect(assetHash).toBeDefined();
    const bundle = readFileSync(join(app, `cdk.out/asset.${assetHash}/index.mjs`), 'utf8');
    expect(bundle).toContain('greeting.send');
    expect(bundle).toContain('Bonjour, ');
    // The api's asset carries the OpenAPI document beside its index.mjs (infra/bundling.ts).
    const api = functions.find((f) => f.Properties.Description?.startsWith('SkyForge api'));
    const apiAsset = join(app, `cdk.out/asset.${api?.Properties.Code?.S3Key?.replace(/\.zip$/, '')}`);
    expect(readFileSync(join(apiAsset, 'openapi.json.br')).equals(readFileSync(join(REPO, 'shared/http/openapi.json.br')))).toBe(true);
  }, 180_000);

  it("passes the init app's own npm test", async () => {
    const test = await run('npm', ['test'], app);
    timings.appTestMs = test.ms;
    expect(test.stdout + test.stderr).toMatch(/Tests\s+2 passed/);
    expect(test.code).toBe(0);
  }, 120_000);
});
