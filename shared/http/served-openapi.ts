import { brotliDecompressSync } from 'node:zlib';
import { OPENAPI_DOCUMENT_BROTLI_BASE64 } from './openapi-document.generated.ts';

let cached: Record<string, unknown> | undefined;

/**
 * The OpenAPI document GET /openapi.json answers with: exactly what `buildOpenApiDocument()`
 * produces, generated with docs/openapi.json by `npm run openapi` and embedded compressed
 * (~8 KB instead of the generator, zod's JSON Schema conversion and ~140 KB of JSON).
 * Inflated on first request, so a cold start that never serves it never pays for it.
 *
 * @example
 * servedOpenApiDocument().openapi; // '3.1.0'
 */
export function servedOpenApiDocument(): Record<string, unknown> {
  cached ??= JSON.parse(brotliDecompressSync(Buffer.from(OPENAPI_DOCUMENT_BROTLI_BASE64, 'base64')).toString('utf8')) as Record<string, unknown>;
  return cached;
}
