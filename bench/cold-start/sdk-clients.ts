import { FILES_BESIDE_BUNDLE } from '../../infra/bundling.ts';
import { FUNCTION_ENTRIES } from '../../shared/config/env-names.ts';

/** The four SkyForge Lambda functions, as the cold-start figures name them. */
export const FUNCTION_NAMES = ['api', 'worker', 'dead-letter', 'metrics'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Each function's handler module, relative to the project root (the entries infra bundles). */
export const HANDLER_ENTRY: Record<FunctionName, string> = {
  api: FUNCTION_ENTRIES.api,
  worker: FUNCTION_ENTRIES.worker,
  'dead-letter': FUNCTION_ENTRIES.deadLetter,
  metrics: FUNCTION_ENTRIES.metrics,
};

/** The data files each function's asset carries beside index.mjs (the construct copies them; so does the bench). */
export const BESIDE_BUNDLE: Record<FunctionName, readonly string[]> = {
  api: FILES_BESIDE_BUNDLE.api,
  worker: FILES_BESIDE_BUNDLE.worker,
  'dead-letter': FILES_BESIDE_BUNDLE.deadLetter,
  metrics: FILES_BESIDE_BUNDLE.metrics,
};

/** An AWS SDK client as the runtime builds it (shared/adapters/aws-clients.ts). */
interface SdkClient {
  /** npm packages it comes from. */
  packages: readonly string[];
  imports: readonly string[];
  /** Expression that builds it once, given `common` (region, retries), as createAwsClients does. */
  construct: string;
}

const CLIENTS = {
  dynamodb: {
    packages: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
    imports: ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';"],
    construct: 'DynamoDBDocumentClient.from(new DynamoDBClient(common), { marshallOptions: { removeUndefinedValues: true } })',
  },
  sqs: {
    packages: ['@aws-sdk/client-sqs'],
    imports: ["import { SQSClient } from '@aws-sdk/client-sqs';"],
    construct: 'new SQSClient(common)',
  },
  scheduler: {
    packages: ['@aws-sdk/client-scheduler'],
    imports: ["import { SchedulerClient } from '@aws-sdk/client-scheduler';"],
    construct: 'new SchedulerClient(common)',
  },
} as const satisfies Record<string, SdkClient>;

type ClientName = keyof typeof CLIENTS;

/**
 * The clients each function really calls, read from its use cases (createDependencies builds all
 * three for every function; this is what a function would keep if it built only what it uses):
 *
 * - api: every route family: jobs and schedules in DynamoDB (DocumentClient), submit and requeue
 *   send to SQS, /schedules and delayed jobs call EventBridge Scheduler.
 * - worker: claims and updates jobs in DynamoDB, defers and re-sends messages on SQS, and sends
 *   retries due beyond SQS's 15-minute delay as one-time schedules (run-job.ts sendRetry).
 * - dead-letter: marks jobs DEAD and records missed firings in DynamoDB; sends the messages of
 *   the flow dependents a death releases (onDependencyFailure "run") on SQS.
 * - metrics: counters from DynamoDB and queue depths from SQS (GetQueueAttributes).
 */
const CLIENTS_BY_FUNCTION: Record<FunctionName, readonly ClientName[]> = {
  api: ['dynamodb', 'sqs', 'scheduler'],
  worker: ['dynamodb', 'sqs', 'scheduler'],
  'dead-letter': ['dynamodb', 'sqs'],
  metrics: ['dynamodb', 'sqs'],
};

/** The npm packages of the SDK clients `fn` needs, e.g. ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']. */
export function sdkClientPackages(fn: FunctionName): string[] {
  return CLIENTS_BY_FUNCTION[fn].flatMap((name) => [...CLIENTS[name].packages]);
}

/**
 * Source of the baseline handler for `fn`: it imports only the SDK clients the function needs and
 * builds each once at module load with the runtime's settings, as a real handler would.
 *
 * @example
 * writeFileSync('baseline-metrics.mjs', baselineSource('metrics'));
 */
export function baselineSource(fn: FunctionName): string {
  const clients = CLIENTS_BY_FUNCTION[fn].map((name) => CLIENTS[name]);
  return [
    `// Cold-start baseline for the ${fn} function: only the AWS SDK clients it calls, nothing else.`,
    ...clients.flatMap((c) => c.imports),
    '',
    "const common = { region: process.env.AWS_REGION ?? 'us-east-1', maxAttempts: 3 };",
    `const clients = [${clients.map((c) => c.construct).join(', ')}];`,
    '',
    'export const handler = async () => ({ statusCode: 200, body: String(clients.length) });',
    '',
  ].join('\n');
}
