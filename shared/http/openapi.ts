import { COMPONENTS, TAGS, schemaOf, type JsonObject } from './openapi-parts.ts';
import { deadLetterPaths, flowPaths, jobPaths, operationPaths, schedulePaths } from './openapi-paths.ts';

export { OPERATION_IDS, type OperationId } from './openapi-parts.ts';

/** Version of the HTTP contract (API.md), not of the package. */
export const API_VERSION = '1.0.0';

/**
 * The OpenAPI 3.1 document of the SkyForge API, generated from the same zod schemas the API
 * validates requests with (and the response schemas tests check answers against). Served at
 * GET /openapi.json and written to docs/openapi.json by `npm run openapi`.
 */
export function buildOpenApiDocument(version: string = API_VERSION): JsonObject {
  const paths = { ...jobPaths(), ...deadLetterPaths(), ...schedulePaths(), ...flowPaths(), ...operationPaths() };
  const usedTags = new Set(Object.values(paths).flatMap((ops) => Object.values(ops as Record<string, { tags: string[] }>).flatMap((op) => op.tags)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'SkyForge API',
      version,
      description:
        'Serverless job queue and scheduler. Every response carries X-Request-ID, and every answer of the functions a W3C traceparent (docs/tracing.md); every error has the shape of the Error schema (API Gateway’s own refusals on AWS: GatewayError). On AWS every route but GET /healthz needs IAM (SigV4, service execute-api).',
      license: { name: 'Apache 2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      { url: 'http://localhost:3000', description: 'The local cloud (npm start, skyforge dev); its port is set with --port' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stack: its ApiUrl output',
        variables: {
          apiId: { default: 'your-api-id', description: 'The HTTP API id (the ApiUrl output of the stack)' },
          region: { default: 'us-east-1', description: 'The stack’s region' },
        },
      },
    ],
    tags: Object.values(TAGS).filter((tag) => usedTags.has(tag.name)),
    security: [{ sigv4: [] }, { bearer: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, [schema, io]]) => [name, schemaOf(schema, io)])),
      parameters: {
        'X-Request-ID': {
          name: 'X-Request-ID',
          in: 'header',
          required: false,
          description: 'Echoed in the answer (1-128 letters, digits and ._:@/+=-); generated when absent or not of that form',
          schema: { type: 'string', maxLength: 128 },
        },
        traceparent: {
          name: 'traceparent',
          in: 'header',
          required: false,
          description:
            'W3C Trace Context: the request (and a job it creates) continues this trace; a missing or invalid one starts a new trace, never an error. The answer carries the request’s own traceparent (docs/tracing.md)',
          schema: { type: 'string', example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        },
        tracestate: {
          name: 'tracestate',
          in: 'header',
          required: false,
          description: 'W3C Trace Context vendor data, kept verbatim with a valid traceparent (at most 512 characters, 32 members)',
          schema: { type: 'string', maxLength: 512 },
        },
      },
      headers: {
        'X-Request-ID': { description: 'The request id (the one sent, or a generated one): quote it when reporting a problem', schema: { type: 'string' } },
      },
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 (service execute-api)' },
        bearer: { type: 'http', scheme: 'bearer', description: 'SKYFORGE_API_TOKEN mode (local cloud, token deployments)' },
      },
    },
  };
}
