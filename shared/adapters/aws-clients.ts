import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsSettings } from '../config/env.ts';

/**
 * The one factory for AWS SDK clients. Region and endpoint come from the configuration
 * (shared/config/env.ts parses AWS_REGION and AWS_ENDPOINT_URL), so the same code talks to AWS,
 * LocalStack or the local cloud. Create clients once per container, at module load, and only the
 * ones the function calls: each client is its own factory below, so a function that never calls
 * Scheduler (dead-letter, metrics) does not bundle @aws-sdk/client-scheduler at all.
 */
export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  scheduler: SchedulerClient;
}

/** Wraps each client once (X-Ray, when bundled with tracing: Tracer.captureAWSv3Client), before use. */
export type InstrumentClient = <T>(client: T) => T;

const asIs: InstrumentClient = (client) => client;

function commonConfig({ region, endpoint, credentials }: AwsSettings) {
  return { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), maxAttempts: 3 };
}

/** DynamoDB through the DocumentClient (plain JavaScript values; undefined attributes dropped). */
export function createDynamoClient(settings: AwsSettings, instrument: InstrumentClient = asIs): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(instrument(new DynamoDBClient(commonConfig(settings))), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createSqsClient(settings: AwsSettings, instrument: InstrumentClient = asIs): SQSClient {
  return instrument(new SQSClient(commonConfig(settings)));
}

export function createSchedulerClient(settings: AwsSettings, instrument: InstrumentClient = asIs): SchedulerClient {
  return instrument(new SchedulerClient(commonConfig(settings)));
}

/** All three clients (the api and the worker call every service). */
export function createAwsClients(settings: AwsSettings, instrument: InstrumentClient = asIs): AwsClients {
  return {
    dynamo: createDynamoClient(settings, instrument),
    sqs: createSqsClient(settings, instrument),
    scheduler: createSchedulerClient(settings, instrument),
  };
}
