import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where SkyForge's own code is, which the construct bundles into the functions: the TypeScript
 * sources of a checkout (this file is `.ts`), or the compiled JavaScript of the installed
 * package (`node_modules/skyforge/dist/`, this file is `.js`).
 */
export interface SkyForgeCode {
  /** The folder that holds functions/, shared/, infra/. */
  readonly root: string;
  /** '.ts' in a checkout, '.js' in the package. */
  readonly extension: '.ts' | '.js';
}

export const SKYFORGE_CODE: SkyForgeCode = {
  root: fileURLToPath(new URL('../../', import.meta.url)),
  extension: import.meta.url.endsWith('.ts') ? '.ts' : '.js',
};

/** The path of one of SkyForge's modules, given as in the sources (`shared/jobs/default-registry.ts`). */
export function skyforgeModule(code: SkyForgeCode, sourcePath: string): string {
  return join(code.root, sourcePath.replace(/\.ts$/, code.extension));
}

const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];

/**
 * The project a stack is synthesized from: in a checkout, the checkout; from the package, the
 * nearest folder above the working directory (where `cdk synth` runs) with a lock file, as
 * NodejsFunction itself looks for one.
 */
export function defaultProjectRoot(code: SkyForgeCode, cwd = process.cwd()): string {
  if (code.extension === '.ts') return code.root;
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (LOCK_FILES.some((file) => existsSync(join(dir, file)))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/** The lock file of a project root (package-lock.json unless another one is there). */
export function lockFileOf(projectRoot: string): string {
  const found = LOCK_FILES.find((file) => existsSync(join(projectRoot, file)));
  return join(projectRoot, found ?? 'package-lock.json');
}
