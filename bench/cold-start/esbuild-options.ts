import { relative } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * The NodejsFunction bundling props this module knows how to mirror. Any other prop set in
 * infra/bundling.ts makes `esbuildOptionsFor` throw, so a new setting cannot make the bench
 * silently measure a different bundle than `cdk synth` builds.
 */
const MIRRORED_PROPS = new Set([
  'forceDockerBundling',
  'format',
  'mainFields',
  'banner',
  'target',
  'minify',
  'sourceMap',
  'sourcesContent',
  'bundleAwsSDK',
  'esbuildArgs',
  'commandHooks',
]);

/** esbuild CLI flags (from `esbuildArgs`) mirrored here; others are refused for the same reason. */
const MIRRORED_ARGS = new Set(['--alias']);

/** Thrown when infra/bundling.ts uses a setting the bench cannot reproduce with esbuild's API. */
export class UnmirroredBundlingError extends Error {
  override name = 'UnmirroredBundlingError';
  readonly code = 'UNMIRRORED_BUNDLING_SETTING';

  constructor(readonly setting: string, reason: string) {
    super(`bench/cold-start cannot reproduce the bundling setting ${setting}: ${reason}; teach bench/cold-start/esbuild-options.ts to mirror it`);
  }
}

export interface BundleTarget {
  /** Absolute path of the entry module. */
  entry: string;
  /** NodejsFunction's projectRoot: esbuild runs there, with the entry given relative to it. */
  projectRoot: string;
  /** Directory the bundle is written to (index.mjs, or index.js for CommonJS, plus its map). */
  outdir: string;
}

/**
 * The esbuild JS API options equivalent to the command NodejsFunction runs for `bundling`
 * (aws-cdk-lib's Bundling.buildEsbuildArgs: `esbuild --bundle <entry> --target=… --platform=node
 * --format=… --outfile=… --minify --sourcemap --sources-content=false --banner:js=… --main-fields=…
 * --alias:…`), plus a metafile for the size breakdown.
 *
 * @example
 * const options = esbuildOptionsFor(skyforgeBundling(registry), { entry, projectRoot, outdir });
 * await build(options);
 */
export function esbuildOptionsFor(bundling: BundlingOptions, target: BundleTarget): BuildOptions & { outfile: string } {
  for (const [key, value] of Object.entries(bundling)) {
    if (value !== undefined && !MIRRORED_PROPS.has(key)) throw new UnmirroredBundlingError(key, 'not mirrored');
  }
  if (bundling.target === undefined) {
    throw new UnmirroredBundlingError('target', 'CDK derives it from the runtime, which the bench does not know; set it explicitly');
  }
  if (bundling.bundleAwsSDK !== true) {
    throw new UnmirroredBundlingError('bundleAwsSDK', "CDK's default externals depend on the runtime and feature flags");
  }
  const format = bundling.format ?? 'cjs';
  return {
    absWorkingDir: target.projectRoot,
    entryPoints: [relative(target.projectRoot, target.entry)],
    bundle: true,
    target: bundling.target,
    platform: 'node',
    format: format === 'esm' ? 'esm' : 'cjs',
    outfile: `${target.outdir}/${format === 'esm' ? 'index.mjs' : 'index.js'}`,
    minify: bundling.minify ?? false,
    // The CLI's bare `--sourcemap` is esbuild's "linked": a .map file and a sourceMappingURL comment.
    ...(bundling.sourceMap === true ? { sourcemap: 'linked' as const } : {}),
    ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
    external: [],
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: [...bundling.mainFields] }),
    alias: aliasesOf(bundling.esbuildArgs ?? {}),
    metafile: true,
    write: true,
    logLevel: 'silent',
  };
}

/**
 * The shell commands NodejsFunction runs after esbuild for `bundling` (its commandHooks'
 * afterBundling, with the project root as input and the bundle's directory as output). Hooks
 * before bundling or before installing are refused: nothing here runs them.
 */
export function afterBundlingCommands(bundling: BundlingOptions, projectRoot: string, outdir: string): string[] {
  const hooks = bundling.commandHooks;
  if (hooks === undefined) return [];
  for (const [name, commands] of [
    ['beforeBundling', hooks.beforeBundling(projectRoot, outdir)],
    ['beforeInstall', hooks.beforeInstall(projectRoot, outdir)],
  ] as const) {
    if (commands.length > 0) throw new UnmirroredBundlingError(`commandHooks.${name}`, 'only afterBundling is mirrored');
  }
  return hooks.afterBundling(projectRoot, outdir);
}

/** `--alias: ['a=b', ...]` as esbuild's `alias` option, refusing any other CLI flag. */
function aliasesOf(esbuildArgs: NonNullable<BundlingOptions['esbuildArgs']>): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const [flag, value] of Object.entries(esbuildArgs)) {
    if (!MIRRORED_ARGS.has(flag)) throw new UnmirroredBundlingError(`esbuildArgs ${flag}`, 'not mirrored');
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = String(item);
      const at = text.indexOf('=');
      if (at <= 0) throw new UnmirroredBundlingError(`esbuildArgs ${flag}`, `expected name=path, got ${text}`);
      aliases[text.slice(0, at)] = text.slice(at + 1);
    }
  }
  return aliases;
}
