/**
 * The file GET /openapi.json answers from: docs/openapi.json as compact JSON, Brotli-compressed
 * (`npm run openapi` writes it, shared/http/write-openapi.ts). It sits beside this module in the
 * sources and in the package's dist/, and beside index.mjs in the api's Lambda asset (the
 * construct copies it there when it bundles the api: infra/bundling.ts, FILES_BESIDE_BUNDLE), so
 * `./openapi.json.br` next to `import.meta.url` finds it in all three.
 */
export const SERVED_OPENAPI_FILE_NAME = 'openapi.json.br';

let cached: Promise<Record<string, unknown>> | undefined;

/**
 * The OpenAPI document GET /openapi.json answers with: exactly what `buildOpenApiDocument()`
 * produces, generated at build time (not the generator, zod's JSON Schema conversion and
 * ~170 KB of JSON in the bundle). Read and inflated on the first request (~3 ms; generating it
 * took ~10 ms); node:fs and node:zlib are loaded only then, so a cold start that never serves
 * the document pays for none of it. A failed read is not cached: the next request tries again.
 *
 * @example
 * (await servedOpenApiDocument()).openapi; // '3.1.0'
 */
export function servedOpenApiDocument(): Promise<Record<string, unknown>> {
  cached ??= readServedDocument().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function readServedDocument(): Promise<Record<string, unknown>> {
  const [{ readFile }, { brotliDecompressSync }] = await Promise.all([import('node:fs/promises'), import('node:zlib')]);
  const compressed = await readFile(new URL(`./${SERVED_OPENAPI_FILE_NAME}`, import.meta.url));
  return JSON.parse(brotliDecompressSync(compressed).toString('utf8')) as Record<string, unknown>;
}
