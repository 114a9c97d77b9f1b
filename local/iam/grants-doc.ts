import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../aws-client-config.ts';
import { schedulerRoleArnOf } from '../bootstrap.ts';
import { DEFAULT_PREFIX } from '../../shared/config/definitions.ts';
import { asList, type FunctionPolicy, type PolicyStatement } from './policy.ts';
import { synthesizeStackPolicies } from './stack-policies.ts';

/** The markers around the generated section of infra/README.md. */
export const GRANTS_BEGIN = '<!-- BEGIN GENERATED GRANTS: npm run docs:grants (from the synthesized policies; do not edit) -->';
export const GRANTS_END = '<!-- END GENERATED GRANTS -->';

/**
 * What each function may do and why, as markdown: every statement of every policy of its role,
 * from the same synthesis the local cloud enforces (names as with `-c prefix=skyforge`). The
 * SkyForge grants carry their reason (`addToAccessPolicy(statement, why)`, keyed by Sid); the
 * statements CDK adds (logs, event source mappings, X-Ray) are explained by what they are.
 */
export async function renderGrantsDoc(): Promise<string> {
  const { functions } = await synthesizeStackPolicies({
    prefix: DEFAULT_PREFIX,
    partition: 'aws',
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    schedulerRoleArn: schedulerRoleArnOf(DEFAULT_PREFIX),
  });
  const sections = [...functions]
    .sort((a, b) => a.functionName.localeCompare(b.functionName))
    .map((fn) => renderFunction(fn));
  return [GRANTS_BEGIN, '', ...sections, GRANTS_END].join('\n');
}

/** Puts `generated` between the markers of `readme` (which must have them). */
export function replaceGrantsSection(readme: string, generated: string): string {
  const begin = readme.indexOf(GRANTS_BEGIN);
  const end = readme.indexOf(GRANTS_END);
  if (begin < 0 || end < begin) throw new Error('infra/README.md has no generated grants section (markers missing)');
  return readme.slice(0, begin) + generated + readme.slice(end + GRANTS_END.length);
}

interface Row {
  actions: string;
  resources: string[];
  condition: string;
  why: string;
}

function renderFunction(fn: FunctionPolicy): string {
  const rows: Row[] = [];
  for (const policy of fn.policies) {
    for (const statement of policy.statements) {
      const row: Row = {
        actions: `${statement.Effect === 'Deny' ? 'DENY ' : ''}${asList(statement.Action ?? statement.NotAction).map((a) => `\`${a}\``).join(' ')}`,
        resources: asList(statement.Resource ?? statement.NotResource).map(shortResource),
        condition: renderCondition(statement),
        why: reasonOf(fn, statement),
      };
      // CDK writes one statement per event source; one row per kind of grant reads better.
      const same = rows.find((r) => r.actions === row.actions && r.condition === row.condition && r.why === row.why);
      if (same) same.resources.push(...row.resources.filter((r) => !same.resources.includes(r)));
      else rows.push(row);
    }
  }
  return [
    `### \`${fn.functionName}\`${fn.constructPath ? ` (${fn.constructPath})` : ''}`,
    '',
    '| actions | resources | condition | why |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.actions} | ${r.resources.map((x) => `\`${x}\``).join(', ')} | ${r.condition || '-'} | ${r.why} |`),
    '',
  ].join('\n');
}

function reasonOf(fn: FunctionPolicy, statement: PolicyStatement): string {
  const reason = statement.Sid === undefined ? undefined : fn.reasons?.[statement.Sid];
  if (reason !== undefined) return reason;
  const actions = asList(statement.Action);
  if (actions.every((a) => a.startsWith('logs:'))) {
    return "Writes its logs to its own log group (CDK's grant; no AWSLambdaBasicExecutionRole, which allows every log group).";
  }
  if (actions.includes('sqs:ReceiveMessage')) {
    return "Lambda's SQS event source mapping polls, deletes and re-times messages with the function's role (CDK's grant for each mapping).";
  }
  if (actions.every((a) => a.startsWith('xray:'))) return 'X-Ray tracing, only with `tracing: true` (no resource-level permissions).';
  return '(no reason recorded: give the statement a sid and a why in addToAccessPolicy)';
}

function renderCondition(statement: PolicyStatement): string {
  return Object.entries(statement.Condition ?? {})
    .flatMap(([operator, keys]) => Object.entries(keys).map(([key, values]) => `${operator} \`${key}\` = ${asList(values).map((v) => `\`${v}\``).join(' or ')}`))
    .join('; ');
}

/** `arn:aws:dynamodb:us-east-1:000000000000:table/skyforge-jobs` -> `dynamodb:table/skyforge-jobs`. */
function shortResource(arn: string): string {
  if (arn.startsWith('arn:aws:logs:')) return 'logs:its own log group';
  const parts = arn.split(':');
  if (parts.length < 6) return arn;
  return `${parts[2]}:${parts.slice(5).join(':')}`;
}
