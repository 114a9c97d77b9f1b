/**
 * IAM policy documents as the local cloud enforces them: identity-based statements whose
 * CloudFormation intrinsics are already resolved to the local cloud's ARNs.
 */

export type PolicyValue = string | readonly string[];

/** One statement of an identity-based policy (the grammar's subset a CDK stack produces). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: PolicyValue;
  readonly NotAction?: PolicyValue;
  readonly Resource?: PolicyValue;
  readonly NotResource?: PolicyValue;
  /** `{ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }` */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, PolicyValue>>>>;
}

/** A policy attached to a function's role, named as the template names it. */
export interface NamedPolicy {
  /** Logical id of the AWS::IAM::Policy (or `<role>.<PolicyName>` for an inline policy). */
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
}

/** What one function's role may do: the function's local name and every policy of its role. */
export interface FunctionPolicy {
  /** The function's name in the local cloud (`skyforge-worker`): its access key id there. */
  readonly functionName: string;
  /** The ARN of the role it runs as; denials name its assumed-role session. */
  readonly roleArn: string;
  readonly policies: readonly NamedPolicy[];
  /** Why each statement of the SkyForge access policy is there, by Sid (from the construct). */
  readonly reasons?: Readonly<Record<string, string>>;
  /** The construct path of the function (`SkyForge/Api/Handler`). */
  readonly constructPath?: string;
}

export function asList(value: PolicyValue | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * A copy of `functions` without `action` for `functionName`, on every resource (`resource`
 * undefined) or on those equal to `resource`. Statements left with no action are dropped.
 * This is how tests show that a path needs a grant: synthesize, remove it, run the path.
 *
 * @example
 * withoutGrant(policies, 'skyforge-dead-letter', 'dynamodb:PutItem');
 */
export function withoutGrant(
  functions: readonly FunctionPolicy[],
  functionName: string,
  action: string,
  resource?: string,
): FunctionPolicy[] {
  let removed = false;
  const out = functions.map((fn) => {
    if (fn.functionName !== functionName) return fn;
    const policies = fn.policies.map((policy) => ({
      ...policy,
      statements: policy.statements.flatMap((statement): PolicyStatement[] => {
        const actions = asList(statement.Action);
        if (statement.Effect !== 'Allow' || !actions.includes(action)) return [statement];
        const resources = asList(statement.Resource);
        if (resource !== undefined && !resources.includes(resource)) return [statement];
        removed = true;
        const kept: PolicyStatement[] = [];
        const otherActions = actions.filter((a) => a !== action);
        if (otherActions.length > 0) kept.push({ ...statement, Action: otherActions });
        const otherResources = resource === undefined ? [] : resources.filter((r) => r !== resource);
        if (otherResources.length > 0) kept.push({ ...statement, Action: [action], Resource: otherResources });
        return kept;
      }),
    }));
    return { ...fn, policies };
  });
  if (!removed) throw new Error(`${functionName} holds no ${action}${resource ? ` on ${resource}` : ''} to remove`);
  return out;
}
