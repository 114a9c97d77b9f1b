import type { IncomingMessage } from 'node:http';
import type { AwsJsonResponse } from '../aws-json-response.ts';
import { accessDeniedMessage, accessDeniedResponse } from './access-denied.ts';
import { CompiledPolicy } from './evaluate-policy.ts';
import type { FunctionPolicy } from './policy.ts';
import { authorizationsOf, type CallLocation } from './request-authorizations.ts';

/** A call the local IAM refused. */
export interface Denial {
  /** The function (its access key id). */
  readonly functionName: string;
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  readonly explicit: boolean;
  readonly at: number;
}

export interface IamGuardOptions extends CallLocation {
  readonly functions: readonly FunctionPolicy[];
  /** Denials are also logged here (one line each), as CloudTrail would record them. */
  readonly log?: (message: string) => void;
}

/** How many denials `denials()` keeps (the newest). */
const MAX_DENIALS_KEPT = 1_000;

/**
 * The local cloud's IAM: a call signed with a function's access key id (its name) is checked
 * against that function's synthesized policies before any service sees it; any other key (a
 * developer's CLI, the tests' own clients, the local cloud's bootstrap) passes unchecked.
 *
 * @example
 * const guard = new IamGuard({ functions, partition: 'aws', region: 'us-east-1', accountId: '000000000000' });
 * const denial = guard.check(req, body); // undefined: allowed
 */
export class IamGuard {
  private readonly policies: ReadonlyMap<string, { compiled: CompiledPolicy; principalArn: string }>;
  private readonly denied: Denial[] = [];
  private readonly checkedCalls = new Map<string, number>();
  private readonly byRoleArn: ReadonlyMap<string, string>;

  constructor(private readonly options: IamGuardOptions) {
    this.policies = new Map(
      options.functions.map((fn) => [
        fn.functionName,
        { compiled: new CompiledPolicy(fn), principalArn: assumedRoleArn(fn.roleArn, fn.functionName, options.accountId) },
      ]),
    );
    this.byRoleArn = new Map(options.functions.map((fn) => [fn.roleArn, fn.functionName]));
  }

  /** The function a request is signed as, if it is one whose calls are checked. */
  identityOf(req: IncomingMessage): string | undefined {
    const accessKeyId = accessKeyIdOf(req.headers.authorization);
    return accessKeyId !== undefined && this.policies.has(accessKeyId) ? accessKeyId : undefined;
  }

  /** The denial to answer with, or undefined when every authorization the call needs is allowed. */
  check(functionName: string, req: IncomingMessage, body: Buffer): AwsJsonResponse | undefined {
    const policy = this.policies.get(functionName);
    if (policy === undefined) return undefined;
    const call = authorizationsOf(headerValue(req.headers['x-amz-target']), req.method ?? 'GET', req.url ?? '/', body, this.options);
    if (call === undefined) return undefined;
    this.checkedCalls.set(functionName, (this.checkedCalls.get(functionName) ?? 0) + 1);
    for (const authorization of call.authorizations) {
      const decision = policy.compiled.decide(authorization);
      if (decision === 'allowed') continue;
      const message = this.deny(functionName, policy.principalArn, authorization.action, authorization.resource, decision === 'explicitDeny');
      return accessDeniedResponse(call.service, message);
    }
    return undefined;
  }

  /** Records and logs a denial; returns IAM's message for it. */
  private deny(functionName: string, principalArn: string, action: string, resource: string, explicit: boolean): string {
    this.denied.push({ functionName, principalArn, action, resource, explicit, at: Date.now() });
    if (this.denied.length > MAX_DENIALS_KEPT) this.denied.shift();
    this.options.log?.(`IAM denied ${functionName}: ${action} on ${resource}${explicit ? ' (explicit deny)' : ''}`);
    return accessDeniedMessage(principalArn, action, resource, explicit);
  }

  /**
   * A Scheduler delivery (templated SQS SendMessage to `targetArn`) made as the schedule's
   * execution role: the reason it is refused, or undefined. A role the stack does not define
   * is not checked, like a key that names no function.
   */
  checkDelivery(roleArn: string, targetArn: string): string | undefined {
    const name = this.byRoleArn.get(roleArn);
    const policy = name === undefined ? undefined : this.policies.get(name);
    if (name === undefined || policy === undefined) return undefined;
    this.checkedCalls.set(name, (this.checkedCalls.get(name) ?? 0) + 1);
    const decision = policy.compiled.decide({ action: 'sqs:SendMessage', resource: targetArn, context: { 'aws:RequestedRegion': this.options.region } });
    if (decision === 'allowed') return undefined;
    return this.deny(name, policy.principalArn, 'sqs:SendMessage', targetArn, decision === 'explicitDeny');
  }

  /** The calls refused so far, oldest first. */
  denials(): Denial[] {
    return [...this.denied];
  }

  /** Checked calls per function so far: proof that each function signs as itself. */
  checked(): Record<string, number> {
    return Object.fromEntries(this.checkedCalls);
  }
}

/** `AWS4-HMAC-SHA256 Credential=<access key id>/<date>/<region>/<service>/aws4_request, ...` */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const start = authorization.indexOf('Credential=');
  if (start < 0) return undefined;
  const end = authorization.indexOf('/', start);
  return end < 0 ? undefined : authorization.slice(start + 'Credential='.length, end);
}

/** Lambda's session: `arn:aws:sts::<account>:assumed-role/<role name>/<function name>`. */
function assumedRoleArn(roleArn: string, functionName: string, accountId: string): string {
  const roleName = roleArn.split('/').pop() ?? roleArn;
  const partition = roleArn.split(':')[1] ?? 'aws';
  return `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${functionName}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
