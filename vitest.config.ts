import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      // The job registry module is chosen at bundle time (esbuild alias in the CDK construct);
      // tests and the local cloud use the project's default registry.
      'skyforge-job-registry': fileURLToPath(new URL('./shared/jobs/default-registry.ts', import.meta.url)),
      // Tracing is chosen at bundle time too; tests and the local cloud run without X-Ray.
      'skyforge-tracing': fileURLToPath(new URL('./shared/runtime/tracing/tracing-off.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
