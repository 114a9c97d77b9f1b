#!/usr/bin/env node
// `npm run build` (prepack runs it, so `npm pack` and `npm publish` always ship a fresh build):
// compiles the package's code to dist/ as JavaScript with declaration files, then makes two
// fixes tsc does not:
// - declaration files keep the sources' `.ts` import paths; they become `.js`, so a user's
//   TypeScript resolves them without allowImportingTsExtensions;
// - the bundle-time ids `skyforge-job-registry` and `skyforge-tracing` become the package's own
//   imports `#skyforge-...` (package.json "imports"), so Node can load the modules as they are
//   (skyforge dev, skyforge/testing), while the construct's esbuild aliases still replace them.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

// The operator dashboard: its static assets (built from ui/src by esbuild) ship prebuilt beside
// the compiled ui/serve-assets.js, which serves them from dist/ui/dist/.
const ui = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'ui', 'build.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (ui.status !== 0) process.exit(ui.status ?? 1);
cpSync(join(root, 'ui', 'dist'), join(dist, 'ui', 'dist'), { recursive: true });

// The OpenAPI document GET /openapi.json serves, read from beside shared/http/served-openapi.js
// (the construct copies the same file next to the api's index.mjs).
cpSync(join(root, 'shared', 'http', 'openapi.json.br'), join(dist, 'shared', 'http', 'openapi.json.br'));

const ALIAS_IDS = ['skyforge-job-registry', 'skyforge-tracing'];
const RELATIVE_TS = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let count = 0;
for (const file of files(dist)) {
  count += 1;
  const text = readFileSync(file, 'utf8');
  let next = text;
  if (file.endsWith('.d.ts')) next = next.replace(RELATIVE_TS, (_m, lead, quote, path) => `${lead}${quote}${path}.js${quote}`);
  if (file.endsWith('.js')) {
    for (const id of ALIAS_IDS) next = next.replaceAll(`from '${id}'`, `from '#${id}'`).replaceAll(`from "${id}"`, `from "#${id}"`);
  }
  if (next !== text) writeFileSync(file, next);
}
console.error(`build: ${count} files in dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
