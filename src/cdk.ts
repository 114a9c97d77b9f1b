/**
 * `skyforge/cdk`: the SkyForge construct for your own CDK app. Needs the peer dependencies
 * aws-cdk-lib and constructs; bundles your job registry module into every function with
 * esbuild (no Docker).
 *
 * @example
 * import { SkyForge } from 'skyforge/cdk';
 * new SkyForge(stack, 'Jobs', { jobRegistryEntry: join(import.meta.dirname, '../src/jobs.ts'), demoJobs: false });
 */
export { SkyForge } from '../infra/constructs/skyforge.ts';
export { SkyForgeConfigError } from '../infra/constructs/skyforge-config-error.ts';
export type {
  SkyForgeAlarmProps,
  SkyForgeApiAuth,
  SkyForgeApiProps,
  SkyForgeDeadLetterProps,
  SkyForgeFunctionName,
  SkyForgeLogLevel,
  SkyForgeMetricsAuth,
  SkyForgeObservabilityProps,
  SkyForgeProps,
  SkyForgeWorkerProps,
} from '../infra/constructs/skyforge-props.ts';
