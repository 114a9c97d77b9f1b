import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What can be checked of the LocalStack path without LocalStack: the pinned cdklocal drives our
 * CDK app (it synthesizes the stack offline), and `npm run deploy:local` uses it.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('LocalStack deployment path', () => {
  it('pins aws-cdk-local and the CDK CLI, and deploy:local uses cdklocal', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies['aws-cdk-local']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.devDependencies['aws-cdk']).toBe('2.1148.1');
    expect(pkg.scripts['deploy:local']).toMatch(/^cdklocal deploy/);
  });

  it('cdklocal synthesizes the SkyForge app offline', async () => {
    // `ls` synthesizes the app (without bundling) through cdklocal's patched CLI. cdklocal
    // targets localhost:4566 itself and refuses AWS_ENDPOINT_URL without AWS_ENDPOINT_URL_S3.
    const { AWS_ENDPOINT_URL: _ignored, ...env } = process.env;
    const { stdout } = await run(`${ROOT}node_modules/.bin/cdklocal`, ['ls'], {
      cwd: ROOT,
      env: { ...env, AWS_REGION: 'us-east-1' },
      timeout: 60_000,
    });
    expect(stdout.split('\n').map((l) => l.trim())).toContain('SkyForge');
  }, 90_000);
});
