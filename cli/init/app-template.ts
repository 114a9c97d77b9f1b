/**
 * The files of a new SkyForge app (`skyforge init`): one typed job type, the CDK app with the
 * construct, a test on `skyforge/testing` and a README. Pure: the caller writes them.
 */

/** The versions the app depends on, taken from SkyForge's own manifest so they match what it was tested with. */
export interface AppVersions {
  /** How package.json names skyforge: `^0.1.0`, or a tarball or folder (`file:...`). */
  skyforge: string;
  zod: string;
  awsCdkLib: string;
  constructs: string;
  awsCdk: string;
  typescript: string;
  vitest: string;
  tsx: string;
  typesNode: string;
}

/** Relative path -> content. */
export type AppFiles = Record<string, string>;

export function appFiles(name: string, versions: AppVersions): AppFiles {
  const manifest = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.11' },
    scripts: {
      dev: 'skyforge dev --jobs src/jobs.ts',
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
      synth: 'cdk synth --quiet',
      deploy: 'cdk deploy',
    },
    dependencies: {
      'aws-cdk-lib': versions.awsCdkLib,
      constructs: versions.constructs,
      skyforge: versions.skyforge,
      zod: versions.zod,
    },
    devDependencies: {
      '@types/node': versions.typesNode,
      'aws-cdk': versions.awsCdk,
      tsx: versions.tsx,
      typescript: versions.typescript,
      vitest: versions.vitest,
    },
  };
  return {
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          isolatedModules: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['src', 'infra', 'test'],
      },
      null,
      2,
    )}\n`,
    'cdk.json': `${JSON.stringify(
      {
        app: 'npx tsx infra/app.ts',
        watch: { include: ['src/**', 'infra/**'] },
        context: {
          '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': true,
          '@aws-cdk/core:target-partitions': ['aws', 'aws-cn'],
        },
      },
      null,
      2,
    )}\n`,
    '.gitignore': ['node_modules/', 'cdk.out/', '.skyforge/', 'cdk-outputs.json', ''].join('\n'),
    'src/jobs.ts': `import * as z from 'zod';
import { defineJob, defineJobs, PermanentError } from 'skyforge';

/**
 * Your job types: a name, a zod schema for the payload, a handler and optional defaults.
 * \`skyforge dev\` runs this module (and reloads it when you save); the SkyForge construct
 * bundles it into the Lambda functions.
 */
export const jobs = defineJobs({
  'greeting.send': defineJob({
    description: 'Greets someone; an example to replace with your own.',
    schema: z.object({ name: z.string().min(1), language: z.enum(['en', 'fr']).default('en') }),
    defaults: { priority: 'normal', maxAttempts: 3, timeoutMs: 10_000 },
    handler: async ({ name, language }, ctx) => {
      if (name === 'nobody') throw new PermanentError('nobody to greet'); // no retries
      ctx.logger.info('greeting', { name });
      return { greeting: language === 'fr' ? \`Bonjour, \${name} !\` : \`Hello, \${name}!\` };
    },
  }),
});
`,
    'infra/app.ts': `import { join } from 'node:path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { SkyForge } from 'skyforge/cdk';

const app = new App();
const stack = new Stack(app, '${stackName(name)}', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

const jobs = new SkyForge(stack, 'Jobs', {
  // Bundled into every function with esbuild (no Docker): your job types.
  jobRegistryEntry: join(import.meta.dirname, '..', 'src', 'jobs.ts'),
  demoJobs: false,
});

// \`npx skyforge ... --stack <name>\` reads this output from cdk-outputs.json.
new CfnOutput(stack, 'ApiUrl', { value: jobs.api.url });
`,
    'test/jobs.test.ts': `import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from 'skyforge/testing';
import { jobs } from '../src/jobs.ts';

// The whole local cloud in this process: the real API, worker, queues and table.
let cloud: LocalCloud<typeof jobs>;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobs, memory: true, port: 0 });
});
afterAll(() => cloud?.stop());

it('greets', async () => {
  const job = await cloud.client.enqueue('greeting.send', { name: 'Ada' });
  const done = await cloud.client.waitFor(job.id, { timeoutMs: 10_000 });
  expect(done.status).toBe('SUCCEEDED');
  expect(done.result).toEqual({ greeting: 'Hello, Ada!' });
});

it('does not retry a permanent error', async () => {
  const job = await cloud.client.enqueue('greeting.send', { name: 'nobody' });
  const done = await cloud.client.waitFor(job.id, { timeoutMs: 10_000 });
  expect(done.status).toBe('DEAD');
  expect(done.attempts).toBe(1);
});
`,
    'README.md': `# ${name}

Background jobs on [SkyForge](https://www.npmjs.com/package/skyforge): DynamoDB, SQS, Lambda and
EventBridge Scheduler in your own AWS account.

| | |
| --- | --- |
| \`src/jobs.ts\` | your job types: schema, handler, defaults |
| \`infra/app.ts\` | the CDK app with the SkyForge construct |
| \`test/jobs.test.ts\` | end-to-end tests on the local cloud (\`skyforge/testing\`) |

## Develop

\`\`\`sh
npm install
npm run dev          # skyforge dev --jobs src/jobs.ts: API on :3000, reloads when you save
npx skyforge enqueue greeting.send '{"name":"Ada"}' --wait
\`\`\`

## Test

\`\`\`sh
npm test             # vitest: each test file starts the local cloud in process, no Docker, no AWS
\`\`\`

## Deploy

With AWS credentials and a bootstrapped account (\`npx cdk bootstrap\` once per account and Region):

\`\`\`sh
npm run synth        # offline: the CloudFormation template in cdk.out/
npx cdk deploy --outputs-file cdk-outputs.json
npx skyforge enqueue greeting.send '{"name":"Ada"}' --wait --stack ${stackName(name)}   # signed with your AWS credentials
\`\`\`
`,
  };
}

/** A CloudFormation stack name from a package name: letters, digits and hyphens, starting with a letter. */
export function stackName(name: string): string {
  const cleaned = name.replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9-]+/g, '-').replace(/^[^A-Za-z]+/, '').replace(/-+$/, '');
  return cleaned === '' ? 'SkyForgeApp' : cleaned;
}
