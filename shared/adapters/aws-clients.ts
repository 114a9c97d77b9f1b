import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The one factory for AWS SDK clients. The SDK itself honours AWS_ENDPOINT_URL (and the
 * service-specific AWS_ENDPOINT_URL_<SERVICE>), so the same code talks to AWS, LocalStack or the
 * local cloud; the region falls back to us-east-1 for the local cloud. Create clients once per
 * container, at module load.
 */
export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  scheduler: SchedulerClient;
}

/**
 * @param instrument wraps each client once (X-Ray, when bundled with tracing: Tracer.captureAWSv3Client), before use.
 */
export function createAwsClients(
  env: NodeJS.ProcessEnv = process.env,
  instrument: <T>(client: T) => T = (client) => client,
): AwsClients {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const common = { region, ...(endpoint ? { endpoint } : {}), maxAttempts: 3 };
  const dynamo = DynamoDBDocumentClient.from(instrument(new DynamoDBClient(common)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = instrument(new SQSClient(common));
  const scheduler = instrument(new SchedulerClient(common));
  return { dynamo, sqs, scheduler };
}
