import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConnection } from '../../cli/config.ts';
import { CliUsageError } from '../../cli/errors.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { API_ERROR_LINE, cli } from './run-cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'cli-test-token-0123456789';

describe('endpoint and auth resolution', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'skyforge-config-'));
    writeFileSync(
      join(dir, 'cdk-outputs.json'),
      JSON.stringify({ SkyForge: { ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/', TableName: 't' }, Other: { TableName: 'x' } }),
    );
    writeFileSync(join(dir, 'staging.json'), JSON.stringify({ Staging: { ApiUrl: 'https://s.example.com/prod/' } }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the local cloud by default', {}, {}, { baseUrl: 'http://localhost:3000', source: 'default' }],
    ['SKYFORGE_URL', {}, { SKYFORGE_URL: 'http://env:1/' }, { baseUrl: 'http://env:1', source: 'SKYFORGE_URL' }],
    ['--url over SKYFORGE_URL', { url: 'http://flag:2' }, { SKYFORGE_URL: 'http://env:1' }, { baseUrl: 'http://flag:2', source: '--url' }],
    ['--stack over SKYFORGE_URL, signing in the host\'s Region', { stack: 'SkyForge' }, { SKYFORGE_URL: 'http://env:1', AWS_REGION: 'us-east-1' },
      { baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com', source: 'stack SkyForge (cdk-outputs.json)', sigv4: { region: 'eu-west-1' } }],
    ['SKYFORGE_STACK with a token: no signing', {}, { SKYFORGE_STACK: 'SkyForge', SKYFORGE_API_TOKEN: 't0k' },
      { baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com', token: 't0k' }],
    ['--outputs-file, a stage path kept, --region for a custom domain', { stack: 'Staging', outputsFile: 'staging.json', region: 'ap-south-1' }, {},
      { baseUrl: 'https://s.example.com/prod', sigv4: { region: 'ap-south-1' } }],
    ['--token over SKYFORGE_API_TOKEN', { token: 'flag' }, { SKYFORGE_API_TOKEN: 'env' }, { token: 'flag' }],
    ['--sigv4 with AWS_REGION', { sigv4: true, url: 'https://api.example.com' }, { AWS_REGION: 'eu-central-1' }, { sigv4: { region: 'eu-central-1' } }],
    ['SKYFORGE_SIGV4=1 over a token from the environment', { url: 'https://abc.execute-api.us-west-2.amazonaws.com/' }, { SKYFORGE_SIGV4: '1', SKYFORGE_API_TOKEN: 'env' },
      { sigv4: { region: 'us-west-2' } }],
  ] as const)('%s', (_name, flags, env, expected) => {
    const connection = resolveConnection(flags, env, dir);
    expect(connection).toMatchObject(expected);
    if (!('token' in expected)) expect(connection.token).toBeUndefined();
    if (!('sigv4' in expected)) expect(connection.sigv4).toBeUndefined();
  });

  it.each([
    ['--url and --stack', { url: 'http://a', stack: 'SkyForge' }, {}, /--url or --stack, not both/],
    ['an unknown stack', { stack: 'Nope' }, {}, /stack Nope is not in .*cdk-outputs\.json \(it has SkyForge, Other\)/],
    ['a stack without ApiUrl', { stack: 'Other' }, {}, /stack Other in .* has no ApiUrl output/],
    ['no outputs file', { stack: 'SkyForge', outputsFile: 'missing.json' }, {}, /cannot read .*missing\.json; write it with `npx cdk deploy --outputs-file cdk-outputs.json`/],
    ['a URL that is not one', { url: 'localhost:3000/x' }, {}, /must be an http or https URL/],
    ['SigV4 without a Region', { url: 'https://api.example.com', sigv4: true }, {}, /--sigv4 needs a Region/],
    ['--token with --sigv4', { token: 'a', sigv4: true }, {}, /--token or --sigv4, not both/],
  ] as const)('refuses %s', (_name, flags, env, message) => {
    expect(() => resolveConnection(flags, env, dir)).toThrow(CliUsageError);
    expect(() => resolveConnection(flags, env, dir)).toThrow(message);
  });

  describe('SigV4', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('signs every request for execute-api in the stack\'s Region', async () => {
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDCLITEST');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
      vi.stubEnv('AWS_SESSION_TOKEN', '');
      const seen: Request[] = [];
      const fakeApi: typeof fetch = async (input, init) => {
        seen.push(new Request(input, init));
        const queues = Object.fromEntries(['critical', 'high', 'normal', 'low'].map((q) => [q, { ready: 1, inFlight: 0, delayed: 0, deadLetters: 0 }]));
        return Response.json({ queues, jobs: { QUEUED: 4 } });
      };
      const result = await cli(['stats', '--stack', 'SkyForge', '--json'], { cwd: dir, fetch: fakeApi });
      expect(result.code, result.stderr).toBe(0);
      expect(result.json().jobs).toEqual({ QUEUED: 4 });
      expect(seen[0]?.url).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/stats');
      expect(seen[0]?.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDCLITEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/);
    });
  });
});

describe('against an API that wants a token', () => {
  let cloud: LocalCloud;
  let dir: string;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, env: { SKYFORGE_API_TOKEN: TOKEN } });
    dir = mkdtempSync(join(tmpdir(), 'skyforge-stack-'));
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ LocalStack: { ApiUrl: `${cloud.apiUrl}/` } }));
  });
  afterAll(async () => {
    await cloud?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 3 with UNAUTHORIZED without the token, 0 with --token or SKYFORGE_API_TOKEN', async () => {
    const without = await cli(['stats'], { url: cloud.apiUrl });
    expect(without.code).toBe(3);
    expect(without.stderr).toMatch(API_ERROR_LINE('UNAUTHORIZED'));
    expect((await cli(['stats', '--token', TOKEN], { url: cloud.apiUrl })).code).toBe(0);
    expect((await cli(['stats'], { url: cloud.apiUrl, env: { SKYFORGE_API_TOKEN: TOKEN } })).code).toBe(0);
    expect((await cli(['stats', '--token', 'wrong'], { url: cloud.apiUrl, env: { SKYFORGE_API_TOKEN: TOKEN } })).code).toBe(3);
  });

  it('finds the API through --stack and cdk-outputs.json', async () => {
    const result = await cli(['enqueue', 'demo.echo', '{"via":"stack"}', '--wait', '--json', '--stack', 'LocalStack', '--token', TOKEN], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ status: 'SUCCEEDED', result: { via: 'stack' } });
    const unknown = await cli(['stats', '--stack', 'Prod'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/stack Prod is not in .* \(it has LocalStack\)/);
  });

  describe('cli/bin.js as a child process', () => {
    const execFileAsync = promisify(execFile);
    /** Runs the real launcher; async, since the API it talks to lives in this process. */
    const bin = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: process.env.TMPDIR ?? tmpdir() };
      try {
        const { stdout, stderr } = await execFileAsync(process.execPath, [join(ROOT, 'cli/bin.js'), ...args], { cwd: dir, env, timeout: 20_000 });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout: string; stderr: string };
        return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
      }
    };

    it('prints help, talks to the API, and exits with the command\'s code', async () => {
      const [help, stats, missing, usage] = await Promise.all([
        bin(['--help']),
        bin(['stats', '--json', '--url', cloud.apiUrl, '--token', TOKEN]),
        bin(['status', 'no-such-job', '--url', cloud.apiUrl, '--token', TOKEN]),
        bin(['enqueue', 'demo.echo', '{oops']),
      ]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: skyforge <command>');
      expect(help.stdout).toContain('Exit codes:');

      expect(stats.code, stats.stderr).toBe(0);
      expect(Object.keys(JSON.parse(stats.stdout).queues)).toEqual(['critical', 'high', 'normal', 'low']);

      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^skyforge: job no-such-job does not exist \(NOT_FOUND, requestId [\w-]+\)$/m);

      expect(usage.code).toBe(2);
    });
  });
});
