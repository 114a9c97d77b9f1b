/**
 * The AWS prices the cost benchmark turns call counts into dollars with: the one place they live.
 * us-east-1, on-demand, no free tier, as of 2026. Source: ../shared/design/AWS-FACTS.md, which
 * cites 2026 copies of the AWS pricing pages (API Gateway, Lambda, SQS, DynamoDB, EventBridge
 * Scheduler, CloudWatch). Update `PRICES_AS_OF` and the figures together.
 */
export const PRICES_AS_OF = '2026-11 (AWS-FACTS.md, checked 2026)';
export const PRICES_SOURCE =
  'AWS pricing pages for API Gateway, Lambda, SQS, DynamoDB, EventBridge Scheduler and CloudWatch, as summarized with sources in ../shared/design/AWS-FACTS.md';

export const PRICES = {
  /** HTTP API (v2), per request (first 300 M a month). */
  apiGatewayHttpRequest: 1.0 / 1e6,
  /** Lambda, per invocation. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64, per GB-second of billed duration. */
  lambdaArmGbSecond: 0.0000133334,
  /** SQS standard, per request (each started 64 KB of payload is one request). */
  sqsRequest: 0.4 / 1e6,
  /** DynamoDB on-demand, per write request unit (1 KB). */
  dynamoDbWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent). */
  dynamoDbReadUnit: 0.125 / 1e6,
  /** EventBridge Scheduler, per scheduled invocation (API calls themselves are not billed). */
  schedulerInvocation: 1.0 / 1e6,
  /** CloudWatch Logs ingestion, per byte ($0.50 per GB). */
  cloudWatchLogsByte: 0.5 / 1024 ** 3,
} as const;

/**
 * AWS-FACTS.md's own floor for a million 1 KB jobs, line by line (its arithmetic, kept to show
 * beside the measured floor): HTTP API 1.000 + submit Lambda 0.233 + 3 DynamoDB writes 1.875 +
 * SQS 1.2 M requests 0.480 + worker Lambda in batches of 10 0.037 + one EMF line per batch 0.025.
 */
export const AWS_FACTS_FLOOR_PER_MILLION = 3.65;

/** Upstash QStash: $1 per 100,000 messages. */
export const QSTASH_PER_MILLION = 10;
