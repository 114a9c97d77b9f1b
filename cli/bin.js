#!/usr/bin/env node
// The `skyforge` command (package.json "bin"). Installed from npm, it runs the compiled
// JavaScript in dist/. In a checkout of the repository, where the TypeScript sources sit next to
// this file, it runs them through tsx instead, so `npx skyforge` needs no build step there.
import { existsSync } from 'node:fs';

if (existsSync(new URL('./main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./main.ts');
  await main();
} else {
  const { main } = await import('../dist/cli/main.js');
  await main();
}
