import type { Template } from 'aws-cdk-lib/assertions';

/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** Resources of `type`, keyed by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at, or undefined for anything else. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  if (Array.isArray(v['Fn::GetAtt']) && typeof v['Fn::GetAtt'][0] === 'string') return v['Fn::GetAtt'][0];
  return undefined;
}

/**
 * Renders a string-valued template expression with every `Ref`/`GetAtt` replaced by
 * `<LogicalId>`, so a JSON value built with Fn::Join can be parsed and inspected.
 */
export function renderTemplateString(value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = referencedLogicalId(value);
  if (ref !== undefined) return `<${ref}>`;
  if (typeof value === 'object' && value !== null && 'Fn::Join' in value) {
    const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map(renderTemplateString).join(separator);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** Every IAM policy statement of the template, with the logical id of its policy. */
export function policyStatements(template: Template): Array<{ policy: string; statement: Record<string, unknown> }> {
  const out: Array<{ policy: string; statement: Record<string, unknown> }> = [];
  for (const [id, resource] of Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))) {
    const document = resource.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    for (const statement of document.Statement) out.push({ policy: id, statement });
  }
  return out;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
