import { IamGuard, type Denial } from './iam-guard.ts';
import type { FunctionPolicy } from './policy.ts';
import { synthesizeStackPolicies, type StackPoliciesOptions } from './stack-policies.ts';

export interface LocalIamOptions extends StackPoliciesOptions {
  /** The functions the local cloud runs: each must have a role in the stack. */
  readonly functionNames: readonly string[];
  /** Changes the synthesized policies before they are enforced (tests). */
  readonly transform?: (functions: readonly FunctionPolicy[]) => readonly FunctionPolicy[];
  readonly log?: (message: string) => void;
}

/** The local cloud's IAM, as `cloud.iam` shows it. */
export interface LocalIam {
  /** The policies enforced, per function. */
  readonly functions: readonly FunctionPolicy[];
  /** Milliseconds getting the policies took at this start (see `source`). */
  readonly synthMs: number;
  /** Synthesized at this start, read from the cache of an earlier synthesis, or this process's. */
  readonly source: 'synthesized' | 'file' | 'memory';
  readonly guard: IamGuard;
  /** Calls refused so far, oldest first. */
  denials(): Denial[];
  /** Calls checked so far, per function. */
  checked(): Record<string, number>;
  /** Throws when the stack's table is not the local one (the names would never match). */
  assertMatches(tableName: string): void;
}

/**
 * Synthesizes the stack's policies and builds the guard the edge puts in front of every service.
 *
 * @example
 * const iam = await startLocalIam({ prefix: 'skyforge', partition: 'aws', region, accountId, schedulerRoleArn, functionNames });
 * aws.setGuard(iam.guard);
 */
export async function startLocalIam(options: LocalIamOptions): Promise<LocalIam> {
  const { functionNames, transform, log, ...stackOptions } = options;
  const synthesized = await synthesizeStackPolicies(stackOptions);
  const functions = transform ? transform(synthesized.functions) : synthesized.functions;
  const missing = functionNames.filter((name) => !functions.some((fn) => fn.functionName === name));
  if (missing.length > 0) {
    throw new Error(`The stack has no role for ${missing.join(', ')}: the local cloud's functions and the construct's disagree`);
  }
  const guard = new IamGuard({ ...stackOptions, functions, ...(log ? { log } : {}) });
  return {
    functions,
    synthMs: synthesized.synthMs,
    source: synthesized.source,
    guard,
    denials: () => guard.denials(),
    checked: () => guard.checked(),
    assertMatches(tableName) {
      if (!synthesized.tableNames.includes(tableName)) {
        throw new Error(`The stack's table is ${synthesized.tableNames.join(', ')}, the local cloud's ${tableName}: policies would not match`);
      }
    },
  };
}
