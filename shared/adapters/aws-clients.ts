import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsSettings } from '../config/env.ts';

/**
 * The one factory for AWS SDK clients. Region and endpoint come from the configuration
 * (shared/config/env.ts parses AWS_REGION and AWS_ENDPOINT_URL), so the same code talks to AWS,
 * LocalStack or the local cloud. Create clients once per container, at module load.
 */
export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  scheduler: SchedulerClient;
}

/**
 * @param instrument wraps each client once (X-Ray, when bundled with tracing: Tracer.captureAWSv3Client), before use.
 */
export function createAwsClients(settings: AwsSettings, instrument: <T>(client: T) => T = (client) => client): AwsClients {
  const { region, endpoint, credentials } = settings;
  const common = { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), maxAttempts: 3 };
  const dynamo = DynamoDBDocumentClient.from(instrument(new DynamoDBClient(common)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = instrument(new SQSClient(common));
  const scheduler = instrument(new SchedulerClient(common));
  return { dynamo, sqs, scheduler };
}
