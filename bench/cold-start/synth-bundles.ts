import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FUNCTION_NAMES, type FunctionName } from './sdk-clients.ts';

/** `cdk synth` bundles four functions with esbuild and runs cdk-nag: a minute is already slow. */
const SYNTH_TIMEOUT_MS = 5 * 60_000;

/** The construct id (and logical id part) of each function's construct in the SkyForge stack. */
const CONSTRUCT_IDS: Record<string, FunctionName> = {
  Api: 'api',
  Worker: 'worker',
  DeadLetter: 'dead-letter',
  Metrics: 'metrics',
};

interface CfnResource {
  Type: string;
  Properties?: { Handler?: string };
  Metadata?: Record<string, unknown>;
}

/** Thrown when `cdk synth` fails or its cloud assembly does not hold the expected bundles. */
export class SynthError extends Error {
  override name = 'SynthError';
  readonly code = 'SYNTH_FAILED';
}

/**
 * Runs `npx cdk synth --quiet` (the app cdk.json names) into `outdir`, so it never touches a
 * cdk.out another process may be writing, and returns each function's bundled index.mjs.
 *
 * @example
 * const files = await synthBundles('/repo', '/tmp/cold-start/synth'); // { api: '/tmp/.../asset.ab12/index.mjs', ... }
 */
export async function synthBundles(projectRoot: string, outdir: string): Promise<Record<FunctionName, string>> {
  await runCdkSynth(projectRoot, outdir);
  return bundlesInAssembly(outdir);
}

function runCdkSynth(projectRoot: string, outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // --no-notices: the CLI would otherwise fetch its notices over the network.
    const child = spawn('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir], {
      cwd: projectRoot,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SYNTH_TIMEOUT_MS,
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new SynthError(`could not start npx cdk synth: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new SynthError(`npx cdk synth failed (${signal ?? `exit ${code}`}); its last output:\n${output.trim()}`));
    });
  });
}

/** Finds the stack template in the assembly and maps each SkyForge function to its asset's index.mjs. */
async function bundlesInAssembly(outdir: string): Promise<Record<FunctionName, string>> {
  const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const found: Partial<Record<FunctionName, string>> = {};
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || templateFile === undefined) continue;
    const template = JSON.parse(await readFile(join(outdir, templateFile), 'utf8')) as { Resources?: Record<string, CfnResource> };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const fn = functionOf(logicalId, resource);
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (fn === undefined || typeof assetPath !== 'string') continue;
      if (found[fn] !== undefined) throw new SynthError(`two Lambda functions look like the ${fn} function (one is ${logicalId})`);
      found[fn] = join(outdir, assetPath, 'index.mjs');
    }
  }
  const missing = FUNCTION_NAMES.filter((fn) => found[fn] === undefined || !existsSync(found[fn]));
  if (missing.length > 0) throw new SynthError(`the cloud assembly in ${outdir} has no index.mjs for: ${missing.join(', ')}`);
  return found as Record<FunctionName, string>;
}

/**
 * Which SkyForge function a Lambda resource is: its construct path
 * (`SkyForge/SkyForge/DeadLetter/Handler/Function/Resource`) or, without path metadata, its
 * logical id (`SkyForgeDeadLetterHandlerFunction768359F5`). Other functions (CDK's own
 * custom-resource handlers) have neither and are skipped.
 */
function functionOf(logicalId: string, resource: CfnResource): FunctionName | undefined {
  if (resource.Properties?.Handler !== 'index.handler') return undefined;
  const path = resource.Metadata?.['aws:cdk:path'];
  const match =
    typeof path === 'string' ? /\/(Api|Worker|DeadLetter|Metrics)\/Handler\/Function\/Resource$/.exec(path) : /(Api|Worker|DeadLetter|Metrics)HandlerFunction[0-9A-F]{8}$/.exec(logicalId);
  return match?.[1] === undefined ? undefined : CONSTRUCT_IDS[match[1]];
}
