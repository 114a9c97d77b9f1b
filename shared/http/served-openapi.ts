import { OPENAPI_DOCUMENT_BROTLI_BASE64 } from './openapi-document.generated.ts';

let cached: Promise<Record<string, unknown>> | undefined;

/**
 * The OpenAPI document GET /openapi.json answers with: exactly what `buildOpenApiDocument()`
 * produces, generated with docs/openapi.json by `npm run openapi` and embedded compressed
 * (~8 KB instead of the generator, zod's JSON Schema conversion and ~140 KB of JSON).
 * Inflated on first request (~3 ms; generating it took ~10 ms), and node:zlib is loaded only
 * then, so a cold start that never serves it pays for neither.
 *
 * @example
 * (await servedOpenApiDocument()).openapi; // '3.1.0'
 */
export function servedOpenApiDocument(): Promise<Record<string, unknown>> {
  cached ??= import('node:zlib').then(
    ({ brotliDecompressSync }) => JSON.parse(brotliDecompressSync(Buffer.from(OPENAPI_DOCUMENT_BROTLI_BASE64, 'base64')).toString('utf8')) as Record<string, unknown>,
  );
  return cached;
}
