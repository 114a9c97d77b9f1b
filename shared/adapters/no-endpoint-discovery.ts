/**
 * Stands in for `@aws-sdk/middleware-endpoint-discovery` in the Lambda bundles (infra/bundling.ts
 * aliases it here). DynamoDB's client reads an endpoint-discovery setting and builds an endpoint
 * cache (`@aws-sdk/endpoint-cache` on mnemonist's LRU, ~2 KB per function) at every
 * construction, yet none of its commands discovers endpoints, and SkyForge never asks it to.
 * Discovery is off here whatever the environment says; a client configured with
 * `endpointDiscoveryEnabled: true` is refused at construction rather than quietly not discovering.
 */
export const NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS = {
  environmentVariableSelector: (): undefined => undefined,
  configFileSelector: (): undefined => undefined,
  default: undefined,
};

/** The client's config resolver, minus the endpoint cache no command reads. */
export function resolveEndpointDiscoveryConfig<T extends { endpointDiscoveryEnabled?: boolean; endpointDiscoveryEnabledProvider?: unknown }>(input: T, { endpointDiscoveryCommandCtor }: { endpointDiscoveryCommandCtor: unknown }) {
  if (input.endpointDiscoveryEnabled === true) throw new Error('AWS SDK endpoint discovery is not bundled in SkyForge functions (infra/bundling.ts)');
  return Object.assign(input, { endpointDiscoveryCommandCtor, endpointDiscoveryEnabled: () => Promise.resolve(false), isClientEndpointDiscoveryEnabled: false });
}
