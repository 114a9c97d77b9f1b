import { readFileSync } from 'node:fs';

/** The parts of SkyForge's own package.json that `skyforge init` copies versions from. */
export interface SkyForgeManifest {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

/**
 * SkyForge's package.json: `../../package.json` from the sources (cli/init/), one level more
 * from the package (dist/cli/init/).
 */
export function readSkyForgeManifest(): SkyForgeManifest {
  for (const path of ['../../package.json', '../../../package.json']) {
    let text: string;
    try {
      text = readFileSync(new URL(path, import.meta.url), 'utf8');
    } catch {
      continue;
    }
    const manifest = JSON.parse(text) as Partial<SkyForgeManifest> & { name?: string };
    if (manifest.name !== 'skyforge') continue;
    return {
      version: manifest.version ?? '0.0.0',
      dependencies: manifest.dependencies ?? {},
      devDependencies: manifest.devDependencies ?? {},
      peerDependencies: manifest.peerDependencies ?? {},
    };
  }
  throw new Error("skyforge's own package.json was not found next to the CLI");
}
