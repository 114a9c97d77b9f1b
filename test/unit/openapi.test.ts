import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../functions/api/routes.ts';
import { buildOpenApiDocument } from '../../shared/http/openapi.ts';
import { OPENAPI_FILE, renderOpenApiFile } from '../../shared/http/write-openapi.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';

/** docs/openapi.json is generated from the zod schemas; it must match them and the routes. */
describe('OpenAPI document', () => {
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };

  it('docs/openapi.json is up to date (run `npm run openapi` after changing a schema)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApiFile());
  });

  it('documents exactly the routes the api serves (plus /metrics, served by its own function)', () => {
    const served = apiRoutes({} as Dependencies).map((r) => `${r.method} ${r.path}`);
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.filter((d) => d !== 'GET /metrics').sort()).toEqual([...served].sort());
  });

  it('resolves every $ref', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(document.components.schemas).toHaveProperty(ref.split('/').at(-1)!.replace('"', ''));
  });

  it('carries the limits the API enforces', () => {
    const job = document.components.schemas.JobRequest as { properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties: boolean };
    expect(job.required).toEqual(['type']);
    expect(job.additionalProperties).toBe(false);
    expect(job.properties.maxAttempts).toMatchObject({ minimum: 1, maximum: 100 });
    expect(job.properties.priority).toMatchObject({ enum: ['critical', 'high', 'normal', 'low'] });
  });
});
