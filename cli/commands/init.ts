import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { defineCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { appFiles, type AppVersions } from '../init/app-template.ts';
import { readSkyForgeManifest, type SkyForgeManifest } from '../init/skyforge-manifest.ts';

/** The versions a new app pins: the ones SkyForge itself is built and tested with. */
function versionsFrom(manifest: SkyForgeManifest, skyforge: string | undefined): AppVersions {
  const pick = (name: string): string => {
    const version = manifest.peerDependencies[name] ?? manifest.devDependencies[name] ?? manifest.dependencies[name];
    if (version === undefined) throw new Error(`skyforge's package.json names no version of ${name}`);
    return version;
  };
  const dev = (name: string): string => manifest.devDependencies[name] ?? manifest.dependencies[name] ?? pick(name);
  return {
    skyforge: skyforge ?? `^${manifest.version}`,
    zod: pick('zod'),
    // The app pins what SkyForge is tested with; the peer ranges stay open for upgrades.
    awsCdkLib: `^${dev('aws-cdk-lib').replace(/^[\^~]/, '')}`,
    constructs: dev('constructs'),
    awsCdk: dev('aws-cdk'),
    typescript: dev('typescript'),
    vitest: dev('vitest'),
    tsx: dev('tsx'),
    typesNode: dev('@types/node'),
  };
}

export const initCommand = defineCommand({
  name: 'init',
  summary: 'Create a new app: your job types, the CDK app with the construct, a test, a README.',
  usage: ['init [dir] [--skyforge <version-or-spec>] [--force]'],
  description: [
    'Writes into <dir> (default: the current folder, which must be empty unless --force):',
    '  package.json   depends on skyforge, aws-cdk-lib, constructs and zod; scripts dev, test, synth, deploy',
    '  src/jobs.ts    one typed job type',
    '  infra/app.ts   the CDK app with the SkyForge construct bundling src/jobs.ts; cdk.json',
    '  test/          a vitest test on skyforge/testing (the local cloud in process)',
    '  README.md      how to develop, test and deploy',
    'Then: cd <dir> && npm install && npm test.',
  ].join('\n'),
  options: {
    skyforge: { type: 'string', value: '<spec>', description: 'how package.json names skyforge (default ^<this version>; e.g. file:../skyforge-0.1.0.tgz)' },
    force: { type: 'boolean', description: 'write into a folder that is not empty (existing files are replaced)' },
  },
  positionals: { min: 0, max: 1 },
  examples: ['skyforge init my-app && cd my-app && npm install && npm test'],
  run: async (ctx) => {
    const dir = resolve(ctx.cwd, ctx.args.positional(0) ?? '.');
    if (existsSync(dir) && readdirSync(dir).length > 0 && !ctx.args.flag('force')) {
      throw new CliUsageError(`${relative(ctx.cwd, dir) || '.'} is not empty (--force writes into it anyway)`, 'init');
    }
    const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-') || 'skyforge-app';
    const files = appFiles(name, versionsFrom(readSkyForgeManifest(), ctx.args.string('skyforge')));
    for (const [path, content] of Object.entries(files)) {
      const target = join(dir, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const fromHere = relative(ctx.cwd, dir) || '.';
    const shown = fromHere.startsWith('..') ? dir : fromHere;
    if (ctx.json) {
      ctx.out.json({ dir, files: Object.keys(files) });
    } else {
      ctx.out.line(`Created ${name} in ${shown}: ${Object.keys(files).join(', ')}`);
      ctx.out.line('');
      ctx.out.line('Next:');
      if (shown !== '.') ctx.out.line(`  cd ${shown}`);
      ctx.out.line('  npm install');
      ctx.out.line('  npm test        # your job end to end on the local cloud');
      ctx.out.line('  npm run dev     # skyforge dev --jobs src/jobs.ts');
    }
    return EXIT.OK;
  },
});
