import type { Metafile } from 'esbuild';

/** Bytes a package (or the project's own code) contributes to a bundle. */
export interface ModuleShare {
  name: string;
  bytes: number;
}

const PROJECT_CODE = 'project code';

/**
 * The biggest contributors to a bundle by npm package (nested copies counted under their own
 * name), or 'project code' for everything outside node_modules, from esbuild's metafile
 * (bytesInOutput: minified bytes each input left in the output).
 *
 * @example
 * topModules(result.metafile, 8); // [{ name: '@aws-sdk/client-dynamodb', bytes: 181_000 }, ...]
 */
export function topModules(metafile: Metafile, limit: number): ModuleShare[] {
  const output = Object.entries(metafile.outputs).find(([path]) => !path.endsWith('.map'));
  if (!output) throw new Error('the metafile lists no bundle output');
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output[1].inputs)) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .filter((share) => share.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, limit);
}

/** 'node_modules/@smithy/core/dist-es/x.js' -> '@smithy/core'; anything else -> 'project code'. */
export function packageOf(inputPath: string): string {
  const parts = inputPath.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return PROJECT_CODE;
  const first = parts[at + 1] ?? '';
  return first.startsWith('@') ? `${first}/${parts[at + 2] ?? ''}` : first;
}
