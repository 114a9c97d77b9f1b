/**
 * `npm run openapi`: writes docs/openapi.json from the API's zod schemas, and the same document,
 * compact and Brotli-compressed, as shared/http/openapi.json.br, the file the api function
 * serves (shared/http/served-openapi.ts): generating it at runtime would bundle zod's JSON Schema
 * conversion and every description into the api (~40 KB), and embedding it would add 9 KB to
 * the bundle. A unit test fails when either file and the schemas drift apart.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { buildOpenApiDocument } from './openapi.ts';
import { SERVED_OPENAPI_FILE_NAME } from './served-openapi.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));
export const SERVED_OPENAPI_FILE = fileURLToPath(new URL(`./${SERVED_OPENAPI_FILE_NAME}`, import.meta.url));

export function renderOpenApiFile(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

/** The file the api serves: the compact JSON, Brotli at the highest quality. */
export function renderServedOpenApiFile(): Buffer {
  const json = Buffer.from(JSON.stringify(buildOpenApiDocument()), 'utf8');
  return brotliCompressSync(json, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: json.length },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_FILE, renderOpenApiFile());
  writeFileSync(SERVED_OPENAPI_FILE, renderServedOpenApiFile());
  console.log(`wrote ${OPENAPI_FILE} and ${SERVED_OPENAPI_FILE}`);
}
