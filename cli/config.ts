import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliUsageError } from './errors.ts';

/** The local cloud's API (`npm start`), used when nothing else names an endpoint. */
export const DEFAULT_URL = 'http://localhost:3000';
/** Where `cdk deploy --outputs-file cdk-outputs.json` writes the stack outputs. */
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';
/** The stack output that holds the API's invoke URL (infra/stacks/skyforge-stack.ts). */
export const API_URL_OUTPUT = 'ApiUrl';

export const CONFIG_ENV = {
  url: 'SKYFORGE_URL',
  stack: 'SKYFORGE_STACK',
  outputsFile: 'SKYFORGE_OUTPUTS_FILE',
  token: 'SKYFORGE_API_TOKEN',
  sigv4: 'SKYFORGE_SIGV4',
} as const;

/** The global flags that choose the endpoint and how to authenticate. */
export interface ConnectionFlags {
  url?: string | undefined;
  stack?: string | undefined;
  outputsFile?: string | undefined;
  token?: string | undefined;
  sigv4?: boolean | undefined;
  region?: string | undefined;
}

/** Where the CLI sends requests, and how it signs them. */
export interface Connection {
  baseUrl: string;
  /** Where the URL came from, for messages: "--url", "SKYFORGE_URL", "stack SkyForge (cdk-outputs.json)", "default". */
  source: string;
  token?: string;
  sigv4?: { region: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the endpoint and credentials. Flags win over environment variables, which win over
 * the default (the local cloud):
 *
 * 1. `--url` (or `--stack <name>`: the `ApiUrl` output in cdk-outputs.json)
 * 2. `SKYFORGE_URL` (or `SKYFORGE_STACK`)
 * 3. http://localhost:3000
 *
 * Auth: `--token` / `SKYFORGE_API_TOKEN` sends a bearer token; `--sigv4` / `SKYFORGE_SIGV4=1`
 * signs with the AWS credential chain, in `--region`, else the Region in an execute-api host
 * name, else AWS_REGION / AWS_DEFAULT_REGION. A stack named with `--stack` is IAM-protected
 * (API.md), so it implies `--sigv4` unless a token is given.
 *
 * @example
 * resolveConnection({ stack: 'SkyForge' }, {}, '/repo');
 * // { baseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com', source: 'stack SkyForge (cdk-outputs.json)', sigv4: { region: 'eu-west-1' } }
 */
export function resolveConnection(flags: ConnectionFlags, env: Env, cwd: string): Connection {
  if (flags.url !== undefined && flags.stack !== undefined) throw new CliUsageError('give --url or --stack, not both');
  const outputsFile = flags.outputsFile ?? (env[CONFIG_ENV.outputsFile] || DEFAULT_OUTPUTS_FILE);

  let endpoint: { url: string; source: string; fromStack: boolean };
  if (flags.url !== undefined) endpoint = { url: flags.url, source: '--url', fromStack: false };
  else if (flags.stack !== undefined) endpoint = { url: stackApiUrl(flags.stack, outputsFile, cwd), source: `stack ${flags.stack} (${outputsFile})`, fromStack: true };
  else if (env[CONFIG_ENV.url]) endpoint = { url: env[CONFIG_ENV.url] as string, source: CONFIG_ENV.url, fromStack: false };
  else if (env[CONFIG_ENV.stack]) {
    const stack = env[CONFIG_ENV.stack] as string;
    endpoint = { url: stackApiUrl(stack, outputsFile, cwd), source: `stack ${stack} (${outputsFile})`, fromStack: true };
  } else endpoint = { url: DEFAULT_URL, source: 'default', fromStack: false };

  const baseUrl = normalizeUrl(endpoint.url, endpoint.source);
  const token = flags.token ?? (env[CONFIG_ENV.token] || undefined);
  const sigv4Asked = flags.sigv4 === true || isTruthy(env[CONFIG_ENV.sigv4]);
  if (flags.sigv4 === true && flags.token !== undefined) throw new CliUsageError('give --token or --sigv4, not both');
  // An explicit --sigv4 beats a token from the environment; a stack implies SigV4 unless a token is set.
  const sigv4 = sigv4Asked || (endpoint.fromStack && token === undefined);

  if (!sigv4) return { baseUrl, source: endpoint.source, ...(token !== undefined ? { token } : {}) };
  const region = flags.region ?? regionOfExecuteApiHost(baseUrl) ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION']);
  if (!region) throw new CliUsageError('--sigv4 needs a Region: pass --region or set AWS_REGION');
  return { baseUrl, source: endpoint.source, sigv4: { region } };
}

/**
 * The `ApiUrl` output of `stack` in the file `cdk deploy --outputs-file` wrote:
 * `{ "<stack name>": { "ApiUrl": "https://...", ... } }`.
 */
export function stackApiUrl(stack: string, outputsFile: string, cwd: string): string {
  const path = resolve(cwd, outputsFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliUsageError(`--stack ${stack}: cannot read ${path}; write it with \`npx cdk deploy --outputs-file ${DEFAULT_OUTPUTS_FILE}\` or pass --url`);
  }
  let outputs: unknown;
  try {
    outputs = JSON.parse(text);
  } catch {
    throw new CliUsageError(`${path} is not valid JSON`);
  }
  if (!isRecord(outputs)) throw new CliUsageError(`${path} is not a cdk-outputs file (expected an object of stacks)`);
  const stackOutputs = outputs[stack];
  if (!isRecord(stackOutputs)) {
    const known = Object.keys(outputs);
    throw new CliUsageError(`stack ${stack} is not in ${path}${known.length ? ` (it has ${known.join(', ')})` : ''}`);
  }
  const url = stackOutputs[API_URL_OUTPUT];
  if (typeof url !== 'string' || url === '') throw new CliUsageError(`stack ${stack} in ${path} has no ${API_URL_OUTPUT} output`);
  return url;
}

/** `https://abc.execute-api.eu-west-1.amazonaws.com/` -> `eu-west-1`. */
export function regionOfExecuteApiHost(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(new URL(url).hostname)?.[1];
}

function normalizeUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliUsageError(`${source}: ${raw} is not a URL (expected e.g. http://localhost:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(`${source}: ${raw} must be an http or https URL`);
  // The API's routes hang off the URL's path (API Gateway's stage URL ends with "/").
  return url.href.replace(/\/+$/, '');
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
