import { App, Validations, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { SkyForgeProps } from '../../../infra/constructs/skyforge-props.ts';
import { SkyForgeStack } from '../../../infra/stacks/skyforge-stack.ts';

export interface SynthOptions {
  /**
   * Run esbuild for the four functions. Off by default: template assertions do not need the
   * bundles, and skipping them keeps each synth to about a second.
   */
  readonly bundle?: boolean;
  /** Register cdk-nag's AwsSolutions pack, as infra/app.ts does (synth then fails on a finding). */
  readonly nag?: boolean;
  /** Pin account and Region, as `-c account=… -c region=…` does. @default - environment-agnostic */
  readonly env?: Environment;
}

/** Synthesizes a SkyForgeStack offline (no account, no Region, no lookups) and returns its template. */
export function synthSkyForgeStack(props: SkyForgeProps = {}, options: SynthOptions = {}) {
  const app = new App({
    // An empty list of bundling stacks makes CDK skip asset bundling for every stack.
    context: options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] },
    // CDK's built-in CloudFormation schema validation costs 10-20 s per synth on this machine;
    // `npm run synth` (infra/app.ts) keeps it on.
    builtinCloudFormationValidation: false,
  });
  const stack = new SkyForgeStack(app, 'SkyForgeTest', { skyforge: props, env: options.env });
  if (options.nag === true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  const template = Template.fromStack(stack);
  return { app, stack, template };
}
