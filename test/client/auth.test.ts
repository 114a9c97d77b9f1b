import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkyForgeClient, UnauthorizedError } from '../../cli/client/index.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { scriptedFetch } from './support/scripted-fetch.ts';

/** Token mode: the local cloud started with SKYFORGE_API_TOKEN wants `Authorization: Bearer <token>`. */

const TOKEN = 'client-test-token-0123456789';
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_API_TOKEN: TOKEN } });
});
afterAll(async () => cloud?.stop());

describe('bearer token', () => {
  it('sends the token, which the API accepts', async () => {
    const recording = scriptedFetch();
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, token: TOKEN, fetch: recording.fetch });

    const job = await client.enqueue('demo.echo', { authorized: true });
    expect((await client.get(job.id)).payload).toEqual({ authorized: true });
    expect(recording.requests.map((r) => r.headers.get('authorization'))).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('without the token: UnauthorizedError (401 UNAUTHORIZED), not retried', async () => {
    const recording = scriptedFetch();
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, fetch: recording.fetch });

    const error = await client.stats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ name: 'UnauthorizedError', code: 'UNAUTHORIZED', status: 401 });
    expect((error as UnauthorizedError).requestId).toBe(recording.requests[0]?.headers.get('x-request-id'));
    expect(recording.requests).toHaveLength(1);
    expect(recording.requests[0]?.headers.has('authorization')).toBe(false);
  });

  it('with a wrong token: UnauthorizedError', async () => {
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, token: 'not-the-token-at-all-000' });
    await expect(client.enqueue('demo.echo', 1)).rejects.toMatchObject({ name: 'UnauthorizedError', status: 401 });
  });

  it('health needs no token (GET /healthz is public)', async () => {
    expect(await new SkyForgeClient({ baseUrl: cloud.apiUrl }).health()).toBe(true);
  });

  it('refuses token and sigv4 together: both would be the Authorization header', () => {
    expect(() => new SkyForgeClient({ baseUrl: cloud.apiUrl, token: TOKEN, sigv4: { region: 'eu-west-1' } })).toThrow(/token and sigv4/);
  });
});
