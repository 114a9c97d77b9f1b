import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOfType } from './support/cfn-template.ts';
import { synthSkyForgeStack } from './support/synth-skyforge-stack.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const CUSTOM_REGISTRY = fixture('custom-job-registry.ts');
const PROBE_HANDLER = fixture('registry-probe-handler.ts');
const MARKER = 'fixture.custom-registry-7f3a9c';

interface Bundle {
  readonly code: string;
  readonly sources: string[];
}

/**
 * The only test that runs esbuild: four bundles of a tiny probe handler, so it stays cheap
 * while proving the alias end to end (props -> NodejsFunction -> esbuild -> asset).
 */
describe('job registry alias', () => {
  let bundles: Bundle[];
  beforeAll(() => {
    const { app, template } = synthSkyForgeStack(
      {
        jobRegistryEntry: CUSTOM_REGISTRY,
        handlerEntries: { api: PROBE_HANDLER, worker: PROBE_HANDLER, deadLetter: PROBE_HANDLER, metrics: PROBE_HANDLER },
      },
      { bundle: true },
    );
    const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'));
    bundles = functions.map((fn) => {
      // The asset's S3 key is `<hash>.zip`; the staged bundle is `asset.<hash>` in the assembly.
      const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const dir = join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      return { code: readFileSync(join(dir, 'index.mjs'), 'utf8'), sources: map.sources };
    });
    expect(bundles).toHaveLength(4);
  });

  it('bundles the module named by jobRegistryEntry into every function', () => {
    for (const bundle of bundles) {
      // Not toContain: a failure would print the whole bundle.
      expect(bundle.code.includes(MARKER)).toBe(true);
      expect(bundle.sources.some((s) => s.endsWith('fixtures/custom-job-registry.ts'))).toBe(true);
    }
  });

  it('bundles the no-op tracing module by default: no X-Ray SDK in any function', () => {
    for (const bundle of bundles) {
      expect(bundle.sources.some((s) => s.endsWith('tracing/tracing-off.ts'))).toBe(true);
      expect(bundle.sources.filter((s) => s.includes('tracing-xray') || s.includes('aws-xray-sdk'))).toEqual([]);
    }
  });

  it('wins over the tsconfig path that maps the module id to the default registry', () => {
    for (const bundle of bundles) {
      expect(bundle.sources.filter((s) => s.includes('default-registry'))).toEqual([]);
    }
  });

  it('emits ESM with a real require in scope for bundled CommonJS dependencies', () => {
    for (const bundle of bundles) {
      expect(bundle.code.startsWith("import { createRequire } from 'node:module';const require = createRequire(import.meta.url);")).toBe(true);
      expect(/export\s*\{/.test(bundle.code)).toBe(true);
    }
  });
});

describe('tracing alias', () => {
  it('bundles Powertools Tracer and the X-Ray SDK when tracing is on', () => {
    const { app, template } = synthSkyForgeStack(
      { tracing: true, handlerEntries: { api: PROBE_HANDLER, worker: PROBE_HANDLER, deadLetter: PROBE_HANDLER, metrics: PROBE_HANDLER } },
      { bundle: true },
    );
    const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
      const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const map = JSON.parse(readFileSync(join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(map.sources.some((s) => s.endsWith('tracing/tracing-xray.ts'))).toBe(true);
      expect(map.sources.some((s) => s.includes('aws-xray-sdk-core'))).toBe(true);
    }
  });

  it("bundles the OTLP exporter, not X-Ray, for tracing 'otel', and tells the functions where the collector is", () => {
    const { app, template } = synthSkyForgeStack(
      {
        tracing: 'otel',
        otelEndpoint: 'https://collector.example.com:4318',
        otelHeaders: { 'api-key': 'a b' },
        handlerEntries: { api: PROBE_HANDLER, worker: PROBE_HANDLER, deadLetter: PROBE_HANDLER, metrics: PROBE_HANDLER },
      },
      { bundle: true },
    );
    const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      expect(fn.Properties?.TracingConfig).toBeUndefined();
      expect(fn.Properties?.Environment).toMatchObject({
        Variables: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b' },
      });
      const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const map = JSON.parse(readFileSync(join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(map.sources.some((s) => s.endsWith('tracing/tracing-otel.ts'))).toBe(true);
      expect(map.sources.some((s) => s.endsWith('tracing/otlp-http-exporter.ts'))).toBe(true);
      expect(map.sources.some((s) => s.includes('aws-xray-sdk-core') || s.includes('@opentelemetry'))).toBe(false);
    }
  });
});
