/**
 * The CDK app (`cdk.json` runs it with tsx). Synthesizes offline: no context lookups.
 *
 * The stack is environment-agnostic unless `-c account=...` / `-c region=...` pin it, so one
 * synthesized template deploys to whichever account and Region the deploying profile points at.
 * Other context: `-c stackName=...` (several SkyForges in one account), `-c prefix=...` (fixed
 * resource names, as in the local cloud), `-c cfnValidation=true` (CDK's CloudFormation rules).
 */
import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SkyForgeStack } from './stacks/skyforge-stack.ts';

// CDK's built-in CloudFormation rule check takes 10-35 s per synth on a 2-core machine and, without
// a feature flag, only prints warnings; cdk-nag below is the gate. `-c cfnValidation=true` runs it.
const app = new App({ builtinCloudFormationValidation: false });
const cfnValidation = app.node.tryGetContext('cfnValidation') as string | boolean | undefined;
if (cfnValidation === true || cfnValidation === 'true') {
  Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
}

const stackName = app.node.tryGetContext('stackName') as string | undefined;
const account = app.node.tryGetContext('account') as string | undefined;
const region = app.node.tryGetContext('region') as string | undefined;
const prefix = app.node.tryGetContext('prefix') as string | undefined;

new SkyForgeStack(app, 'SkyForge', {
  stackName,
  env: account !== undefined || region !== undefined ? { account, region } : undefined,
  skyforge: { prefix },
});

// cdk-nag 3 is a policy-validation plugin (it replaced the v2 Aspect): any unacknowledged
// AwsSolutions finding fails `cdk synth` and `cdk deploy`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
