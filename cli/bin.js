#!/usr/bin/env node
// The `skyforge` command (package.json "bin"). The CLI is TypeScript run as is: register tsx's
// ESM loader, then load the entry. No build step, so `npx skyforge` works from a checkout.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main();
