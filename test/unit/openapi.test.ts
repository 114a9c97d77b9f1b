import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SkyForgeClient } from '../../cli/client/index.ts';
import { apiRoutes } from '../../functions/api/routes.ts';
import { JOB_STATUSES } from '../../shared/domain/job.ts';
import { buildOpenApiDocument, OPERATION_IDS } from '../../shared/http/openapi.ts';
import { OPENAPI_EXAMPLES } from '../../shared/http/openapi-examples.ts';
import { errorBodySchema, jobViewSchema } from '../../shared/http/response-schemas.ts';
import { batchRequestSchema, createScheduleSchema, jobRequestSchema } from '../../shared/http/schemas.ts';
import { servedOpenApiDocument } from '../../shared/http/served-openapi.ts';
import { OPENAPI_FILE, renderOpenApiFile } from '../../shared/http/write-openapi.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { headers?: Record<string, { required?: boolean }> }>;
}
interface Document {
  info: { version: string; license?: { identifier?: string } };
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** docs/openapi.json is generated from the zod schemas; it must match them and the routes. */
describe('OpenAPI document', () => {
  const document = buildOpenApiDocument() as unknown as Document;
  const operations = Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));

  it('docs/openapi.json is up to date (run `npm run openapi` after changing a schema)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApiFile());
  });

  it('the api serves exactly that document (shared/http/openapi.json.br; run `npm run openapi`)', async () => {
    const served = await servedOpenApiDocument();
    expect(served).toEqual(buildOpenApiDocument());
    // Key order too: the served JSON is byte for byte the generator's.
    expect(JSON.stringify(served)).toBe(JSON.stringify(buildOpenApiDocument()));
  });

  it('documents exactly the routes the api serves (plus /metrics, served by its own function)', () => {
    const served = apiRoutes({} as Dependencies).map((r) => `${r.method} ${r.path}`);
    const documented = operations.map(({ route }) => route);
    expect(documented.filter((d) => d !== 'GET /metrics').sort()).toEqual([...served].sort());
  });

  it('resolves every $ref', () => {
    const text = JSON.stringify(document);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/(\w+)\/([\w-]+)"/g)];
    expect(refs.length).toBeGreaterThan(20);
    const components = document.components as Record<string, Record<string, unknown>>;
    for (const [, kind, name] of refs) expect(components[kind ?? '']).toHaveProperty([name ?? '']);
  });

  it('carries the limits the API enforces', () => {
    const job = document.components.schemas.JobRequest as { properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties: boolean };
    expect(job.required).toEqual(['type']);
    expect(job.additionalProperties).toBe(false);
    expect(job.properties.maxAttempts).toMatchObject({ minimum: 1, maximum: 100 });
    expect(job.properties.priority).toMatchObject({ enum: ['critical', 'high', 'normal', 'low'] });
  });

  it('names the servers (local cloud, a deployed stack) and carries the license and version', () => {
    expect(document.servers.map((s) => s.url)).toEqual(['http://localhost:3000', 'https://{apiId}.execute-api.{region}.amazonaws.com']);
    expect(document.info.license?.identifier).toBe('Apache-2.0');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('gives every operation an operationId (the list OPERATION_IDS, each once), a summary, a declared tag and a 4xx answer', () => {
    expect(operations.map(({ op }) => op.operationId).sort()).toEqual([...OPERATION_IDS].sort());
    const tags = document.tags.map((t) => t.name);
    for (const { route, op } of operations) {
      expect(op.summary, route).toBeTruthy();
      expect(op.tags, route).toHaveLength(1);
      expect(tags, route).toContain(op.tags?.[0]);
      expect(Object.keys(op.responses).some((status) => status.startsWith('4')), route).toBe(true);
    }
    expect(new Set(operations.map(({ op }) => op.tags?.[0]))).toEqual(new Set(tags));
  });

  it('names each operation as SkyForgeClient names the call', () => {
    const client = new SkyForgeClient({ baseUrl: 'http://localhost:3000' }) as unknown as Record<string, unknown>;
    const missing = OPERATION_IDS.filter((id) => typeof client[id] !== 'function');
    expect(missing).toEqual([]);
  });

  // API.md: UNAVAILABLE (503, Retry-After) answers an AWS call the API could not absorb.
  it.each([
    ['GET /jobs/{id}', true],
    ['POST /jobs', true],
    ['POST /dlq/groups/{fingerprint}/replay', true],
    ['GET /stats', true],
    ['GET /metrics', false],
    ['GET /healthz', false],
    ['GET /openapi.json', false],
  ])('%s answers 503 UNAVAILABLE with Retry-After: %s', (route, expected) => {
    const op = operations.find((o) => o.route === route)?.op;
    expect(op).toBeDefined();
    expect(op?.responses['503']?.headers?.['Retry-After']?.required === true).toBe(expected);
  });

  it('answers 503 UNAVAILABLE with Retry-After on every operation of the api function that calls AWS', () => {
    // /healthz and /openapi.json call nothing; /readyz and /metrics answer a 503 of their own.
    const without = operations.filter(({ op }) => op.responses['503']?.headers?.['Retry-After']?.required !== true).map(({ route }) => route);
    expect(without.sort()).toEqual(['GET /healthz', 'GET /metrics', 'GET /openapi.json', 'GET /readyz']);
  });

  it('asks a credential of every operation but GET /healthz, and documents 401 and 403 where it does', () => {
    for (const { route, op } of operations) {
      const isPublic = route === 'GET /healthz';
      expect(op.security, route).toEqual(isPublic ? [] : undefined);
      expect(Object.keys(op.responses).filter((s) => s === '401' || s === '403'), route).toEqual(isPublic ? [] : ['401', '403']);
    }
  });

  // Every POST and PUT route reads its body (an empty one at least: pause, trigger...), so each can
  // answer INVALID_JSON, PAYLOAD_TOO_LARGE and UNSUPPORTED_MEDIA_TYPE.
  it('documents a body, with 400, 413 and 415, for every POST and PUT', () => {
    const writes = operations.filter(({ route }) => route.startsWith('POST ') || route.startsWith('PUT '));
    expect(writes.length).toBeGreaterThanOrEqual(13);
    for (const { route, op } of writes) {
      expect((op as { requestBody?: unknown }).requestBody, route).toBeDefined();
      expect(Object.keys(op.responses), route).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
  });

  it('defines every property a schema requires (the /stats counts per status)', () => {
    const undefinedRequired: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${where}/${i}`));
      if (node === null || typeof node !== 'object') return;
      const schema = node as { required?: unknown; properties?: Record<string, unknown> };
      if (Array.isArray(schema.required)) {
        for (const name of schema.required) if (!schema.properties || !(name in schema.properties)) undefinedRequired.push(`${where}: ${String(name)}`);
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${where}/${key}`);
    };
    walk(document.components.schemas, '#/components/schemas');
    expect(undefinedRequired).toEqual([]);
    const jobs = (document.components.schemas.Stats as { properties: { jobs: { properties: Record<string, unknown> } } }).properties.jobs;
    expect(Object.keys(jobs.properties).sort()).toEqual([...JOB_STATUSES].sort());
  });

  it('shows examples that the API accepts and answers', () => {
    expect(jobRequestSchema.safeParse(OPENAPI_EXAMPLES.jobRequest).success).toBe(true);
    expect(batchRequestSchema.safeParse(OPENAPI_EXAMPLES.batchRequest).success).toBe(true);
    for (const item of OPENAPI_EXAMPLES.batchRequest.jobs) expect(jobRequestSchema.safeParse(item).success).toBe(true);
    expect(createScheduleSchema.safeParse(OPENAPI_EXAMPLES.scheduleCreate).success).toBe(true);
    expect(jobViewSchema.safeParse(OPENAPI_EXAMPLES.job).success).toBe(true);
    expect(errorBodySchema.safeParse(OPENAPI_EXAMPLES.error).success).toBe(true);
  });
});
