import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FUNCTION_ENTRIES } from '../shared/config/env-names.ts';

/** The bare module id the handlers import their job registry by. */
export const JOB_REGISTRY_MODULE = 'skyforge-job-registry';

/** The bare module id the handlers import their tracing by (shared/runtime/tracing/tracing.ts). */
export const TRACING_MODULE = 'skyforge-tracing';

/**
 * The same two ids as the compiled package imports them (`#skyforge-job-registry`): its
 * package.json `imports` map them to the defaults so Node can load the modules as they are,
 * and the aliases below replace them when bundling.
 */
const PACKAGE_IMPORT = (id: string): string => `#${id}`;

const SHARED_DIR = join(fileURLToPath(new URL('..', import.meta.url)), 'shared');
const TRACING_DIR = join(SHARED_DIR, 'runtime', 'tracing');
/** '.ts' from the sources, '.js' from the compiled package. */
const CODE_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * The SDK clients' default credential chain (SSO, ini files, STS web identity, IMDS...) and the
 * module that replaces it in the bundles: the environment and the container endpoint, all Lambda
 * ever uses (see shared/adapters/lambda-credential-provider.ts; ~120 KB less per function).
 */
const SDK_CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
export const LAMBDA_CREDENTIAL_PROVIDER = join(SHARED_DIR, 'adapters', `lambda-credential-provider${CODE_EXTENSION}`);

/**
 * The SDK's event-stream codecs, which the HTTP protocols import only for operations with an
 * event-stream member (DynamoDB, SQS and Scheduler have none), and the module that stands in
 * for them (shared/adapters/no-event-streams.ts; ~15 KB less per function).
 */
const SDK_EVENT_STREAMS = '@smithy/core/event-streams';
export const NO_EVENT_STREAMS = join(SHARED_DIR, 'adapters', `no-event-streams${CODE_EXTENSION}`);

/**
 * Two more SDK internals with a Lambda-sized stand-in (~10 KB per function together): the
 * checksum module, whose pure-JavaScript hashes exist for runtimes without node:crypto
 * (shared/adapters/native-checksums.ts), and DynamoDB's endpoint discovery, whose cache (on
 * mnemonist's LRU) the client builds but no command uses (shared/adapters/no-endpoint-discovery.ts).
 */
const SDK_CHECKSUMS = '@smithy/core/checksum';
export const NATIVE_CHECKSUMS = join(SHARED_DIR, 'adapters', `native-checksums${CODE_EXTENSION}`);
const SDK_ENDPOINT_DISCOVERY = '@aws-sdk/middleware-endpoint-discovery';
export const NO_ENDPOINT_DISCOVERY = join(SHARED_DIR, 'adapters', `no-endpoint-discovery${CODE_EXTENSION}`);

/**
 * Data files a function reads at run time from beside its index.mjs, copied into its asset when
 * it is bundled (NodejsFunction's afterBundling hook): the api's OpenAPI document, 7 KB of
 * Brotli read on the first GET /openapi.json (shared/http/served-openapi.ts), which embedded in
 * the bundle was 9 KB of module that every cold start parsed. Each function's construct passes its
 * entry to SkyForgeFunction, and bench/cold-start copies the same files, so this is the one list.
 */
export const FILES_BESIDE_BUNDLE = {
  api: [join(SHARED_DIR, 'http', 'openapi.json.br')],
  worker: [],
  deadLetter: [],
  metrics: [],
} as const satisfies Record<keyof typeof FUNCTION_ENTRIES, readonly string[]>;

/** A shell command (sh or cmd.exe alike) that copies `file` into `dir` under its own name. */
export function copyIntoCommand(file: string, dir: string): string {
  const script = "require('node:fs').copyFileSync(process.argv[1], process.argv[2])";
  return [process.execPath, '-e', script, file, join(dir, basename(file))].map((part) => JSON.stringify(part)).join(' ');
}

/** What the functions trace with: nothing, X-Ray, or OpenTelemetry (OTLP/HTTP export). */
export type TracingMode = 'off' | 'xray' | 'otel';

/** The construct's `tracing` prop as a mode: `true` is X-Ray, as it always was. */
export function tracingMode(tracing: boolean | TracingMode | undefined): TracingMode {
  if (tracing === true) return 'xray';
  return tracing === false || tracing === undefined ? 'off' : tracing;
}

/** The tracing module bundled: X-Ray (Powertools Tracer), OpenTelemetry (our OTLP exporter) or the no-op. */
export function tracingEntry(tracing: boolean | TracingMode): string {
  return join(TRACING_DIR, `tracing-${tracingMode(tracing)}${CODE_EXTENSION}`);
}

/**
 * ESM output can bundle CommonJS dependencies (e.g. aws-xray-sdk-core under the Powertools tracer)
 * whose `require()` of Node built-ins esbuild cannot rewrite; without a real `require` in scope
 * they fail at cold start with 'Dynamic require of "util" is not supported'.
 */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

/**
 * The esbuild settings of every SkyForge function, in one place so that what `cdk synth` bundles
 * and what the cold-start benchmark (bench/cold-start.ts) bundles cannot drift apart:
 *
 * - bundled by the local esbuild, never Docker;
 * - minified ESM for node24 with external source maps (mappings only);
 * - the AWS SDK bundled, not taken from the runtime, with a Lambda-sized credential chain and
 *   without the event-stream codecs no SkyForge client uses, with node:crypto-only checksums and
 *   without DynamoDB's unused endpoint-discovery cache;
 * - the job registry and the tracing module chosen at bundle time through esbuild aliases;
 * - the data files the function reads at run time (`besideBundle`) copied next to index.mjs.
 *
 * @param jobRegistryEntry absolute path bundled wherever the code imports `skyforge-job-registry`
 * @param tracing bundle X-Ray tracing (`true` / 'xray': Powertools Tracer and the X-Ray SDK) or
 *   OpenTelemetry ('otel': shared/runtime/tracing/tracing-otel.ts) instead of the no-op
 * @param besideBundle absolute paths of files to copy next to index.mjs (FILES_BESIDE_BUNDLE)
 * @example
 * new NodejsFunction(this, 'Function', { entry, bundling: skyforgeBundling('/app/jobs/registry.ts') });
 */
export function skyforgeBundling(jobRegistryEntry: string, tracing: boolean | TracingMode = false, besideBundle: readonly string[] = []): BundlingOptions {
  return {
    ...(besideBundle.length === 0
      ? {}
      : {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => besideBundle.map((file) => copyIntoCommand(file, outputDir)),
          },
        }),
    forceDockerBundling: false,
    // ESM: the project is `"type": "module"`, so handlers may use top-level await and
    // import.meta like everywhere else in the codebase, and the SDK's ESM builds tree-shake.
    format: OutputFormat.ESM,
    // Prefer a package's ESM entry (the AWS SDK and Powertools ship one) where it has no exports map.
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_BANNER,
    target: 'node24',
    minify: true,
    sourceMap: true,
    // Stack traces need the mappings only; embedding the sources would double the asset.
    sourcesContent: false,
    // Ship the SDK version the lock file pins and the tests ran against, instead of the one
    // the runtime happens to carry; its clients and Powertools must agree on @smithy/*.
    bundleAwsSDK: true,
    esbuildArgs: {
      '--alias': [
        `${JOB_REGISTRY_MODULE}=${jobRegistryEntry}`,
        `${TRACING_MODULE}=${tracingEntry(tracing)}`,
        `${PACKAGE_IMPORT(JOB_REGISTRY_MODULE)}=${jobRegistryEntry}`,
        `${PACKAGE_IMPORT(TRACING_MODULE)}=${tracingEntry(tracing)}`,
        `${SDK_CREDENTIAL_CHAIN}=${LAMBDA_CREDENTIAL_PROVIDER}`,
        `${SDK_EVENT_STREAMS}=${NO_EVENT_STREAMS}`,
        `${SDK_CHECKSUMS}=${NATIVE_CHECKSUMS}`,
        `${SDK_ENDPOINT_DISCOVERY}=${NO_ENDPOINT_DISCOVERY}`,
      ],
    },
  };
}
