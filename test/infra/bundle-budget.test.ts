import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, type BuiltBundle } from '../../bench/cold-start/bundle.ts';
import { FUNCTION_NAMES, type FunctionName } from '../../bench/cold-start/sdk-clients.ts';
import { SERVED_OPENAPI_FILE } from '../../shared/http/write-openapi.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KB = 1024;
/** Issue 18's goal for every bundle (docs/benchmarks.md has the figures). */
const GOAL_BYTES = 400 * KB;

/** What each function's bundle must not contain, and why. */
const KEPT_OUT: Record<FunctionName, { pattern: RegExp; why: string }[]> = {
  api: [
    { pattern: /node_modules\/zod\/v4\/classic\//, why: 'classic zod (~65 KB): the request schemas use zod/mini' },
    { pattern: /node_modules\/zod\/v4\/core\/(to-json-schema|json-schema-processors)\.js$/, why: 'zod\'s JSON Schema conversion: GET /openapi.json serves the document generated at build time' },
    { pattern: /shared\/http\/(openapi|openapi-parts|openapi-paths|openapi-examples|response-schemas)\.ts$/, why: 'the OpenAPI generator: the api serves shared/http/openapi.json.br' },
  ],
  worker: [{ pattern: /node_modules\/zod\/v4\/classic\//, why: 'classic zod (~70 KB): env.ts and the demo jobs use zod/mini' }],
  'dead-letter': [
    { pattern: /node_modules\/zod\/v4\/classic\//, why: 'classic zod' },
    { pattern: /node_modules\/@aws-sdk\/client-scheduler\//, why: 'it schedules nothing: DynamoDB, and SQS for the flow dependents a death releases' },
  ],
  metrics: [
    { pattern: /node_modules\/zod\/v4\/classic\//, why: 'classic zod' },
    { pattern: /node_modules\/@aws-sdk\/client-scheduler\//, why: 'it reads counters and queue depths only' },
    { pattern: /shared\/jobs\/(demo-jobs|default-registry)\.ts$/, why: 'it never looks at job types' },
    { pattern: /node_modules\/(prom-client|@opentelemetry)\//, why: 'the text exposition is written by shared/runtime/prometheus-registry.ts' },
  ],
};

/** Nowhere: the SDK's default credential chain and the STS/SSO clients it bundles (infra/bundling.ts swaps it). */
const NEVER: RegExp = /node_modules\/@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|login)|nested-clients|token-providers)\//;
/**
 * Nowhere: SDK internals infra/bundling.ts swaps for Lambda-sized stand-ins: the event-stream
 * codecs (no SkyForge client streams events), the pure-JavaScript checksums and DynamoDB's unused
 * endpoint-discovery cache.
 */
const SDK_STAND_INS: { pattern: RegExp; standIn: string }[] = [
  { pattern: /node_modules\/@smithy\/core\/dist-es\/submodules\/event-streams\//, standIn: 'shared/adapters/no-event-streams.ts' },
  { pattern: /node_modules\/@smithy\/core\/dist-es\/submodules\/checksum\//, standIn: 'shared/adapters/native-checksums.ts' },
  { pattern: /node_modules\/(mnemonist|@aws-sdk\/(endpoint-cache|middleware-endpoint-discovery))\//, standIn: 'shared/adapters/no-endpoint-discovery.ts' },
];

/**
 * Bundles the four real handlers with the synth settings (as bench/cold-start.ts --quick does)
 * and checks what issue 18 took out stays out, so a feature cannot quietly bring it back.
 */
describe('Lambda bundle budget', () => {
  let work: string;
  const bundles = new Map<FunctionName, BuiltBundle>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'skyforge-bundle-budget-'));
    const layout = { projectRoot: ROOT, jobRegistryEntry: join(ROOT, 'shared', 'jobs', 'default-registry.ts') };
    for (const fn of FUNCTION_NAMES) bundles.set(fn, await bundleHandler(fn, layout, join(work, fn)));
  }, 120_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const inputsOf = (fn: FunctionName): string[] => {
    const output = Object.entries((bundles.get(fn) as BuiltBundle).metafile.outputs).find(([path]) => !path.endsWith('.map'));
    return Object.entries(output?.[1].inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
  };

  it.each(FUNCTION_NAMES)('%s: no SDK default credential chain, no STS or SSO client', (fn) => {
    expect(inputsOf(fn).filter((path) => NEVER.test(path))).toEqual([]);
    expect(inputsOf(fn).some((path) => path.endsWith('shared/adapters/lambda-credential-provider.ts'))).toBe(true);
  });

  it.each(FUNCTION_NAMES)('%s: no event-stream codecs, JavaScript checksums or endpoint-discovery cache: their stand-ins', (fn) => {
    for (const { pattern, standIn } of SDK_STAND_INS) {
      expect(inputsOf(fn).filter((path) => pattern.test(path))).toEqual([]);
      expect(inputsOf(fn).some((path) => path.endsWith(standIn)), standIn).toBe(true);
    }
  });

  it.each(FUNCTION_NAMES.filter((fn) => KEPT_OUT[fn].length > 0))('%s: leaves out what it does not use', (fn) => {
    for (const { pattern, why } of KEPT_OUT[fn]) {
      expect(inputsOf(fn).filter((path) => pattern.test(path)), why).toEqual([]);
    }
  });

  it.each(FUNCTION_NAMES)('%s: within the 400 KB budget', (fn) => {
    expect((bundles.get(fn) as BuiltBundle).bytes).toBeLessThanOrEqual(GOAL_BYTES);
  });

  it('api: the OpenAPI document is a file beside index.mjs, not a module inside it', async () => {
    const api = bundles.get('api') as BuiltBundle;
    expect(inputsOf('api').filter((path) => /openapi/.test(path))).toEqual(['shared/http/served-openapi.ts']);
    const besideIndex = await readFile(join(dirname(api.file), 'openapi.json.br'));
    expect(besideIndex.equals(await readFile(SERVED_OPENAPI_FILE))).toBe(true);
  });
});
