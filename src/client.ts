/**
 * `skyforge/client`: the typed client of the SkyForge HTTP API. Pass your registry's type to
 * type every payload: `new SkyForgeClient<typeof jobs>({ baseUrl })`.
 *
 * @example
 * import { SkyForgeClient } from 'skyforge/client';
 * import type { jobs } from './jobs.ts';
 * const client = new SkyForgeClient<typeof jobs>({ baseUrl: 'http://localhost:3000' });
 * const job = await client.enqueue('email.send', { to: 'ada@example.com' });
 */
export * from '../cli/client/index.ts';
