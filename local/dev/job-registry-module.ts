import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Message } from 'esbuild';
import type { JobDefinitions } from '../../shared/jobs/registry.ts';
import { JobRegistryModuleError } from '../errors.ts';

/** A registry module, loaded: its job definitions and the project files it is built from. */
export interface LoadedJobRegistry {
  jobs: JobDefinitions;
  /** Absolute paths of the module and every file of the user's project it imports (not packages). */
  inputs: string[];
}

export interface LoadJobRegistryOptions {
  /** Where the built module is written; packages it imports must resolve from there. */
  outDir: string;
  /** Part of the built file's name, so a reload imports a new module instead of the cached one. */
  generation: number;
}

/**
 * Where `skyforge dev` writes the built registry: `node_modules/.cache/skyforge` of the project
 * that holds the module, so the packages it imports (zod, skyforge, the user's own) resolve from
 * the built file exactly as from the source.
 */
export function registryOutDir(entry: string): string {
  let dir = dirname(resolve(entry));
  for (;;) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'skyforge');
    const parent = dirname(dir);
    if (parent === dir) return join(dirname(resolve(entry)), 'node_modules', '.cache', 'skyforge');
    dir = parent;
  }
}

/**
 * Builds a user's job registry module (TypeScript or JavaScript) with esbuild and imports it.
 * The user's own files are bundled into one ES module and packages stay imports, so a handler
 * uses the same zod and SDK copies as the rest of the project. esbuild's metafile names every
 * input: those are the files to watch for a reload.
 *
 * Node caches ES modules by URL for the life of the process, so each load writes a file of its
 * own (`jobs.<generation>.mjs`); the previous one stays in memory for invocations still running.
 *
 * @example
 * const { jobs, inputs } = await loadJobRegistry('src/jobs.ts', { outDir: registryOutDir('src/jobs.ts'), generation: 1 });
 */
export async function loadJobRegistry(entry: string, options: LoadJobRegistryOptions): Promise<LoadedJobRegistry> {
  const absolute = resolve(entry);
  if (!existsSync(absolute)) throw new JobRegistryModuleError(entry, 'no such file');
  let built: Awaited<ReturnType<typeof build>>;
  try {
    built = await build({
      entryPoints: [absolute],
      absWorkingDir: dirname(absolute),
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      sourcemap: 'inline',
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    throw new JobRegistryModuleError(entry, `does not build: ${errors?.length ? errors.map((m) => describeMessage(m, dirname(absolute))).join('; ') : String(error)}`);
  }
  const output = built.outputFiles?.[0];
  if (!output || !built.metafile) throw new JobRegistryModuleError(entry, 'esbuild produced no output');
  const inputs = Object.keys(built.metafile.inputs)
    .map((input) => resolve(dirname(absolute), input))
    .filter((input) => !input.split(sep).includes('node_modules'));

  await mkdir(options.outDir, { recursive: true });
  const file = join(options.outDir, `jobs.${process.pid}.${options.generation}.mjs`);
  await writeFile(file, output.contents);
  let module: { jobs?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { jobs?: unknown };
  } catch (error) {
    throw new JobRegistryModuleError(entry, `failed to load: ${(error as Error).message ?? String(error)}`);
  } finally {
    // Node keeps the module (and its inline source map) in memory; the file has done its job.
    await unlink(file).catch(() => undefined);
  }
  return { jobs: checkJobs(entry, module.jobs), inputs };
}

/** The `jobs` export, checked for the shape defineJobs gives it. */
function checkJobs(entry: string, jobs: unknown): JobDefinitions {
  if (jobs === undefined) throw new JobRegistryModuleError(entry, 'exports no `jobs` (export const jobs = defineJobs({ ... }))');
  if (typeof jobs !== 'object' || jobs === null) throw new JobRegistryModuleError(entry, '`jobs` is not an object of job definitions');
  for (const [type, definition] of Object.entries(jobs)) {
    const d = definition as { schema?: { safeParse?: unknown }; handler?: unknown } | null;
    if (typeof d?.schema?.safeParse !== 'function') throw new JobRegistryModuleError(entry, `job type ${type} has no zod schema`);
    if (typeof d.handler !== 'function') throw new JobRegistryModuleError(entry, `job type ${type} has no handler function`);
  }
  return jobs as JobDefinitions;
}

function describeMessage(message: Message, base: string): string {
  const where = message.location ? `${relative(process.cwd(), resolve(base, message.location.file))}:${message.location.line}:${message.location.column}: ` : '';
  return `${where}${message.text}`;
}
