import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.ts';
import { stackName } from '../../cli/init/app-template.ts';
import { cli } from './run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'skyforge-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

describe('skyforge init', () => {
  it('writes the app, pinned to the versions SkyForge is tested with', async () => {
    const result = await cli(['init', 'billing-jobs', '--json'], { cwd: work });

    expect(result.code).toBe(EXIT.OK);
    expect(result.json<{ files: string[] }>().files.sort()).toEqual(
      ['.gitignore', 'README.md', 'cdk.json', 'infra/app.ts', 'package.json', 'src/jobs.ts', 'test/jobs.test.ts', 'tsconfig.json'].sort(),
    );
    const manifest = JSON.parse(readFileSync(join(work, 'billing-jobs/package.json'), 'utf8')) as {
      name: string;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('billing-jobs');
    expect(manifest.scripts).toMatchObject({ dev: 'skyforge dev --jobs src/jobs.ts', test: 'vitest run' });
    expect(manifest.dependencies).toEqual({
      'aws-cdk-lib': `^${own.devDependencies['aws-cdk-lib']}`,
      constructs: own.devDependencies['constructs'],
      skyforge: `^${own.version}`,
      zod: own.peerDependencies['zod'],
    });
    // The CDK CLI stays pinned exactly, like this repository's.
    expect(manifest.devDependencies['aws-cdk']).toBe(own.devDependencies['aws-cdk']);
    expect(readFileSync(join(work, 'billing-jobs/infra/app.ts'), 'utf8')).toContain("new Stack(app, 'billing-jobs'");
    expect(readFileSync(join(work, 'billing-jobs/test/jobs.test.ts'), 'utf8')).toContain("from 'skyforge/testing'");
  });

  it('names skyforge as told (a tarball for a test, a range)', async () => {
    const result = await cli(['init', 'from-tarball', '--skyforge', 'file:../skyforge-0.1.0.tgz'], { cwd: work });

    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout).toContain('cd from-tarball');
    const manifest = JSON.parse(readFileSync(join(work, 'from-tarball/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['skyforge']).toBe('file:../skyforge-0.1.0.tgz');
  });

  it('refuses a folder that is not empty unless --force', async () => {
    mkdirSync(join(work, 'taken'));
    writeFileSync(join(work, 'taken/notes.txt'), 'mine');

    const refused = await cli(['init', 'taken'], { cwd: work });
    expect(refused.code).toBe(EXIT.USAGE);
    expect(refused.stderr).toContain('taken is not empty');

    const forced = await cli(['init', 'taken', '--force'], { cwd: work });
    expect(forced.code).toBe(EXIT.OK);
    expect(readFileSync(join(work, 'taken/notes.txt'), 'utf8')).toBe('mine');
  });

  it('skyforge dev wants a registry module (or the demo types)', async () => {
    const result = await cli(['dev', '--port', '0'], { cwd: work });

    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toContain('dev needs --jobs <module>');
  });

  it.each([
    ['my-app', 'my-app'],
    ['@acme/jobs', 'jobs'],
    ['2fast', 'fast'],
    ['___', 'SkyForgeApp'],
  ])('derives a CloudFormation stack name from %s', (name, expected) => {
    expect(stackName(name)).toBe(expected);
  });
});
