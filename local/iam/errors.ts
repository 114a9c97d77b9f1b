/** The stack's policies use IAM grammar the local cloud cannot evaluate: it refuses to start rather than guess. */
export class UnsupportedPolicyError extends Error {
  override readonly name = 'UnsupportedPolicyError';
  readonly code = 'IAM_UNSUPPORTED_POLICY';
  constructor(
    readonly where: string,
    readonly what: string,
  ) {
    super(`The local cloud cannot enforce ${where}: it does not understand ${what} (start with --no-iam to run without IAM)`);
  }
}

/** A CloudFormation intrinsic in a policy that the local cloud cannot resolve to a local value. */
export class UnresolvableIntrinsicError extends Error {
  override readonly name = 'UnresolvableIntrinsicError';
  readonly code = 'IAM_UNRESOLVABLE_INTRINSIC';
  constructor(readonly expression: string) {
    super(`The local cloud cannot resolve ${expression} in the stack's IAM policies (start with --no-iam to run without IAM)`);
  }
}

/** The local IAM synthesizes the stack with aws-cdk-lib, which this installation lacks. */
export class MissingCdkError extends Error {
  override readonly name = 'MissingCdkError';
  readonly code = 'IAM_MISSING_CDK';
  constructor() {
    super(
      "The local cloud checks each function's calls against the IAM policies it synthesizes with aws-cdk-lib, which is not " +
        'installed: npm install --save-dev aws-cdk-lib constructs, or start with --no-iam',
    );
  }
}
