import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The id of the cdk-nag finding `AwsSolutions-IAM5` reports for one wildcard resource of a policy
 * statement, so that exactly that resource can be acknowledged (a bare `AwsSolutions-IAM5` would
 * cover every wildcard the policy ever gets).
 *
 * cdk-nag names the resource by its resolved CloudFormation value with references flattened:
 * `{ Ref: X }` -> `<X>`, `{ 'Fn::GetAtt': [X, Y] }` -> `<X.Y>`, `Fn::Join` joined, `${...}` -> `<...>`,
 * anything else as JSON. It does not export that function, so it is mirrored here; the cdk-nag
 * tests in test/infra fail if the two ever disagree.
 *
 * @example
 * wildcardResourceFinding(scope, `${queue.queueArn}/*`);
 * // 'AwsSolutions-IAM5[Resource::<QueueLogicalId.Arn>/*]'
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const intrinsic = node as Record<string, unknown>;
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [delimiter, items] = intrinsic['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (intrinsic['Fn::Sub'] !== undefined) return flatten(intrinsic['Fn::Sub']);
    if (Array.isArray(intrinsic['Fn::GetAtt'])) {
      const [resource, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (intrinsic['Fn::ImportValue'] !== undefined) return flatten(intrinsic['Fn::ImportValue']);
    if (intrinsic.Ref !== undefined) return `<${flatten(intrinsic.Ref)}>`;
  }
  return JSON.stringify(node);
}
