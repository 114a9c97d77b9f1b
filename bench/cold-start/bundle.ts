import { execSync } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { skyforgeBundling, type TracingMode } from '../../infra/bundling.ts';
import { afterBundlingCommands, esbuildOptionsFor } from './esbuild-options.ts';
import { BESIDE_BUNDLE, HANDLER_ENTRY, type FunctionName } from './sdk-clients.ts';

/** A bundle on disk. */
export interface BuiltBundle {
  /** Absolute path of the minified module (index.mjs). */
  file: string;
  /** Its size in bytes (the .map not counted). */
  bytes: number;
  metafile: Metafile;
}

/** Where a project is and which job registry it bundles: what NodejsFunction gets from the construct. */
export interface ProjectLayout {
  projectRoot: string;
  /** Absolute path of the module aliased as `skyforge-job-registry`. */
  jobRegistryEntry: string;
  /** The construct's `tracing`: which module is bundled as `skyforge-tracing`. Default 'off'. */
  tracing?: TracingMode;
}

/**
 * Bundles one function's handler with exactly the settings `cdk synth` uses (infra/bundling.ts),
 * through esbuild's JS API, into `outdir`, and runs the same afterBundling commands (the data
 * files the function reads from beside index.mjs).
 *
 * @example
 * const api = await bundleHandler('api', layout, '/tmp/x/api');
 */
export async function bundleHandler(fn: FunctionName, layout: ProjectLayout, outdir: string): Promise<BuiltBundle> {
  const entry = join(layout.projectRoot, HANDLER_ENTRY[fn]);
  const bundling = skyforgeBundling(layout.jobRegistryEntry, layout.tracing ?? 'off', BESIDE_BUNDLE[fn]);
  const options = esbuildOptionsFor(bundling, { entry, projectRoot: layout.projectRoot, outdir });
  const result = await buildOrExplain(options, entry);
  for (const command of afterBundlingCommands(bundling, layout.projectRoot, outdir)) execSync(command, { stdio: 'pipe' });
  return { file: options.outfile, bytes: await sizeOf(options.outfile), metafile: result.metafile };
}

/**
 * Bundles generated source (a baseline handler) with the same settings. The source is written to
 * `entryFile` for inspection, but bundled as stdin resolved from the project root, so its
 * `@aws-sdk/*` imports resolve to the very packages the handlers bundle.
 */
export async function bundleSource(source: string, entryFile: string, layout: ProjectLayout, outdir: string): Promise<BuiltBundle> {
  await mkdir(outdir, { recursive: true });
  await writeFile(entryFile, source);
  const { entryPoints: _unused, ...options } = esbuildOptionsFor(skyforgeBundling(layout.jobRegistryEntry), {
    entry: entryFile,
    projectRoot: layout.projectRoot,
    outdir,
  });
  const result = await buildOrExplain(
    { ...options, stdin: { contents: source, resolveDir: layout.projectRoot, sourcefile: basename(entryFile), loader: 'js' } },
    entryFile,
  );
  return { file: options.outfile, bytes: await sizeOf(options.outfile), metafile: result.metafile };
}

async function buildOrExplain(options: Parameters<typeof build>[0], what: string): Promise<{ metafile: Metafile }> {
  try {
    const result = await build(options);
    if (!result.metafile) throw new Error('esbuild returned no metafile');
    return { metafile: result.metafile };
  } catch (error) {
    // esbuild's BuildFailure message lists every error with its location.
    throw new Error(`esbuild could not bundle ${what}: ${(error as Error).message}`, { cause: error });
  }
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file)).size;
}
