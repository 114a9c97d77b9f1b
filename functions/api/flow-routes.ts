import { FlowNotFoundError } from '../../shared/domain/flow-errors.ts';
import type { Route } from '../../shared/http/router.ts';
import { emptyBodySchema, flowRequestSchema, reasonBodySchema } from '../../shared/http/schemas.ts';
import { createFlow } from '../../shared/use-cases/create-flow.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';
import { cancelFlow, getFlow, retryFlow } from '../../shared/use-cases/manage-flows.ts';

/** Flow ids are ULIDs or key-derived base64url strings; anything else cannot exist. */
const FLOW_ID = /^[\w-]{1,128}$/;

function flowId(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!FLOW_ID.test(id)) throw new FlowNotFoundError(id);
  return id;
}

/** API.md "Flows": POST /flows, GET /flows/{id}, POST /flows/{id}/cancel, POST /flows/{id}/retry. */
export function flowRoutes(deps: Dependencies): Route[] {
  return [
    {
      method: 'POST',
      path: '/flows',
      handler: async (request) => {
        const outcome = await createFlow(request.body(flowRequestSchema), deps);
        return {
          status: outcome.status,
          body: outcome.flow,
          headers: { Location: `/flows/${encodeURIComponent(outcome.flow.id)}`, ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}) },
        };
      },
    },
    { method: 'GET', path: '/flows/{id}', handler: async (_r, p) => ({ status: 200, body: await getFlow(flowId(p), deps) }) },
    {
      method: 'POST',
      path: '/flows/{id}/cancel',
      handler: async (request, p) => {
        const { reason } = request.body(reasonBodySchema);
        return { status: 200, body: await cancelFlow(flowId(p), deps, reason) };
      },
    },
    {
      method: 'POST',
      path: '/flows/{id}/retry',
      handler: async (request, p) => {
        request.body(emptyBodySchema);
        return { status: 200, body: await retryFlow(flowId(p), deps) };
      },
    },
  ];
}
