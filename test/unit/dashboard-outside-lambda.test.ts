import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const HANDLERS = ['functions/api/handler.ts', 'functions/worker/handler.ts', 'functions/dead-letter/handler.ts', 'functions/metrics/handler.ts'];

/** The dashboard is static assets for browsers: no Lambda may carry ui/ or its framework. */
describe('the dashboard stays out of the Lambda bundles', () => {
  it.each(HANDLERS)('%s imports nothing from ui/ and no preact', async (entry) => {
    const result = await build({
      entryPoints: [`${root}${entry}`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      metafile: true,
      outdir: '/tmp/skyforge-bundle-check',
      logLevel: 'silent',
      alias: {
        'skyforge-job-registry': `${root}shared/jobs/default-registry.ts`,
        'skyforge-tracing': `${root}shared/runtime/tracing/tracing-off.ts`,
      },
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(10);
    expect(inputs.filter((path) => path.startsWith('ui/') || path.includes('/ui/'))).toEqual([]);
    const externals = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(externals.filter((path) => /preact|playwright/.test(path))).toEqual([]);
  });
});
