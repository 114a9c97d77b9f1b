/**
 * Thrown at synth time when the `SkyForge` construct's props describe a deployment that AWS
 * would reject, or that the handlers would refuse at cold start. Failing in `cdk synth` is
 * cheaper than a CloudFormation rollback or a function that cannot start.
 */
export class SkyForgeConfigError extends Error {
  // Literal, not `this.constructor.name`: bundlers and minifiers rename classes.
  override readonly name = 'SkyForgeConfigError';
  readonly code = 'SKYFORGE_CONFIG_INVALID';

  constructor(
    /** The prop at fault, spelled as the user writes it (e.g. `worker.batchSize`). */
    readonly prop: string,
    message: string,
  ) {
    super(`SkyForge: invalid ${prop}: ${message}`);
  }
}
