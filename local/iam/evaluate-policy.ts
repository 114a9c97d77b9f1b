import { UnsupportedPolicyError } from './errors.ts';
import { asList, type FunctionPolicy, type PolicyStatement, type PolicyValue } from './policy.ts';

/** One authorization a request needs: IAM's request context, reduced to what the stack uses. */
export interface AuthorizationRequest {
  /** `service:Operation`, e.g. `dynamodb:UpdateItem`. */
  readonly action: string;
  /** The resource's ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** Condition keys of the request (`iam:PassedToService`, `aws:RequestedRegion`, ...). */
  readonly context?: Readonly<Record<string, string>>;
}

/** IAM's three outcomes: an explicit deny wins over any allow; nothing matching is an implicit deny. */
export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

interface CompiledStatement {
  readonly deny: boolean;
  readonly actions: (action: string) => boolean;
  readonly resources: (resource: string) => boolean;
  readonly conditions: (context: Readonly<Record<string, string>>) => boolean;
}

/** Distinct (action, resource) pairs remembered per role; schedules have one resource each, so bounded. */
const MAX_CACHED_DECISIONS = 10_000;

/** A role's policies, compiled once (patterns to regular expressions) and evaluated per call. */
export class CompiledPolicy {
  private readonly statements: readonly CompiledStatement[];
  private readonly decisions = new Map<string, Decision>();

  constructor(readonly source: FunctionPolicy) {
    this.statements = source.policies.flatMap((policy) =>
      policy.statements.map((statement) => compileStatement(statement, `${source.functionName}/${policy.name}`)),
    );
  }

  /**
   * IAM's evaluation logic for one identity-based policy set: explicit deny, then allow, else
   * implicit deny. (No resource-based policies, permission boundaries or SCPs are played.)
   */
  decide(request: AuthorizationRequest): Decision {
    // Most calls repeat (the same action on the same table or queue); their decision depends on
    // the context only through keys that are the same for every call but PassRole's.
    const key = request.context?.['iam:PassedToService'] === undefined ? `${request.action}\n${request.resource}` : undefined;
    if (key !== undefined) {
      const known = this.decisions.get(key);
      if (known !== undefined) return known;
    }
    const decision = this.evaluate(request);
    if (key !== undefined && this.decisions.size < MAX_CACHED_DECISIONS) this.decisions.set(key, decision);
    return decision;
  }

  private evaluate(request: AuthorizationRequest): Decision {
    const context = request.context ?? {};
    let allowed = false;
    for (const statement of this.statements) {
      if (!statement.actions(request.action) || !statement.resources(request.resource) || !statement.conditions(context)) continue;
      if (statement.deny) return 'explicitDeny';
      allowed = true;
    }
    return allowed ? 'allowed' : 'implicitDeny';
  }
}

function compileStatement(statement: PolicyStatement, where: string): CompiledStatement {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw new UnsupportedPolicyError(where, `Effect ${String(statement.Effect)}`);
  }
  return {
    deny: statement.Effect === 'Deny',
    actions: either(statement.Action, statement.NotAction, 'Action', where, true),
    resources: either(statement.Resource, statement.NotResource, 'Resource', where, false),
    conditions: compileConditions(statement.Condition ?? {}, where),
  };
}

/** `Action` / `NotAction` (or the Resource pair) as one predicate. */
function either(
  positive: PolicyValue | undefined,
  negative: PolicyValue | undefined,
  element: string,
  where: string,
  ignoreCase: boolean,
): (value: string) => boolean {
  if (positive !== undefined && negative !== undefined) throw new UnsupportedPolicyError(where, `both ${element} and Not${element}`);
  if (positive === undefined && negative === undefined) throw new UnsupportedPolicyError(where, `neither ${element} nor Not${element}`);
  const patterns = asList(positive ?? negative).map((p) => wildcardPattern(p, ignoreCase));
  const matches = (value: string): boolean => patterns.some((p) => p.test(value));
  return positive !== undefined ? matches : (value) => !matches(value);
}

/**
 * IAM's wildcards: `*` any run of characters (ARN separators included), `?` one character.
 * Action names compare case-insensitively, resource ARNs case-sensitively.
 */
export function wildcardPattern(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

type ValueTest = (actual: string, expected: string) => boolean;

/** The condition operators a CDK stack's identity policies use; anything else refuses to load. */
const OPERATORS: Record<string, { test: ValueTest; negated: boolean }> = {
  StringEquals: { test: (a, e) => a === e, negated: false },
  StringNotEquals: { test: (a, e) => a === e, negated: true },
  StringEqualsIgnoreCase: { test: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: true },
  StringLike: { test: (a, e) => wildcardPattern(e, false).test(a), negated: false },
  StringNotLike: { test: (a, e) => wildcardPattern(e, false).test(a), negated: true },
  ArnEquals: { test: (a, e) => a === e, negated: false },
  ArnNotEquals: { test: (a, e) => a === e, negated: true },
  ArnLike: { test: (a, e) => wildcardPattern(e, false).test(a), negated: false },
  ArnNotLike: { test: (a, e) => wildcardPattern(e, false).test(a), negated: true },
  Bool: { test: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
};

/**
 * Every operator block must hold, and within one, every key (AND); a key holds when any of its
 * values matches (OR), or, for a negated operator, when none does. A key missing from the request
 * fails a positive operator and passes a negated one, unless `...IfExists` makes it pass both;
 * `Null` tests presence itself.
 */
function compileConditions(
  conditions: Readonly<Record<string, Readonly<Record<string, PolicyValue>>>>,
  where: string,
): (context: Readonly<Record<string, string>>) => boolean {
  const checks: Array<(context: Readonly<Record<string, string>>) => boolean> = [];
  for (const [rawOperator, keys] of Object.entries(conditions)) {
    if (rawOperator.startsWith('ForAnyValue:') || rawOperator.startsWith('ForAllValues:')) {
      throw new UnsupportedPolicyError(where, `condition set operator ${rawOperator}`);
    }
    for (const [key, rawValues] of Object.entries(keys)) {
      const values = asList(rawValues).map(String);
      if (rawOperator === 'Null') {
        const wantsAbsent = values.map((v) => v.toLowerCase() === 'true');
        checks.push((context) => wantsAbsent.some((absent) => absent === (context[key] === undefined)));
        continue;
      }
      const ifExists = rawOperator.endsWith('IfExists');
      const operator = OPERATORS[ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator];
      if (operator === undefined) throw new UnsupportedPolicyError(where, `condition operator ${rawOperator}`);
      checks.push((context) => {
        const actual = context[key];
        if (actual === undefined) return ifExists || operator.negated;
        const any = values.some((expected) => operator.test(actual, expected));
        return operator.negated ? !any : any;
      });
    }
  }
  return (context) => checks.every((check) => check(context));
}
