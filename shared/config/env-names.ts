/**
 * Environment variable names shared by the handlers (which read them, in env.ts) and by the
 * places that set them (the CDK construct and the local cloud). Names only; no values.
 */
export const ENV = {
  tableName: 'SKYFORGE_TABLE_NAME',
  /** JSON object { critical: url, high: url, normal: url, low: url }. */
  queueUrls: 'SKYFORGE_QUEUE_URLS',
  /** JSON object of the dead-letter queue URLs, same keys. */
  deadLetterQueueUrls: 'SKYFORGE_DLQ_URLS',
  jobRetentionSeconds: 'SKYFORGE_JOB_RETENTION_SECONDS',
  deadJobRetentionSeconds: 'SKYFORGE_DEAD_JOB_RETENTION_SECONDS',
  maxPayloadBytes: 'SKYFORGE_MAX_PAYLOAD_BYTES',
  maxResultBytes: 'SKYFORGE_MAX_RESULT_BYTES',
  maxJobTimeoutMs: 'SKYFORGE_MAX_JOB_TIMEOUT_MS',
  cancelPollMs: 'SKYFORGE_CANCEL_POLL_MS',
  demoJobs: 'SKYFORGE_DEMO_JOBS',
  /** JSON object of the main queues' ARNs keyed by priority (targets of scheduler schedules). */
  queueArns: 'SKYFORGE_QUEUE_ARNS',
  /** JSON `{ "normal": 50 }`: jobs per second each queue starts at most (TaskForge's RATE_LIMIT_PER_SEC). */
  queueRateLimits: 'SKYFORGE_QUEUE_RATE_LIMITS',
  /** JSON `{ "critical": 160, ... }`: jobs each queue's workers run at most at once (MaximumConcurrency x batch size). */
  workerCapacity: 'SKYFORGE_WORKER_CAPACITY',
  /** The EventBridge Scheduler schedule group that holds every SkyForge schedule of this stack. */
  scheduleGroup: 'SKYFORGE_SCHEDULE_GROUP',
  /** The role EventBridge Scheduler assumes to send to the queues (passed on CreateSchedule). */
  schedulerRoleArn: 'SKYFORGE_SCHEDULER_ROLE_ARN',
  /** ARN of the SQS queue that receives schedule deliveries that failed all retries. */
  scheduleDeadLetterArn: 'SKYFORGE_SCHEDULE_DLQ_ARN',
  /** Optional shared secret: when set, the api requires `Authorization: Bearer <token>`. */
  apiToken: 'SKYFORGE_API_TOKEN',
  /** Standard AWS SDK variables, listed so every place uses the same spelling. */
  awsEndpointUrl: 'AWS_ENDPOINT_URL',
  awsRegion: 'AWS_REGION',
  awsDefaultRegion: 'AWS_DEFAULT_REGION',
  /** The function role's keys (Lambda sets them; the local cloud gives each function its own). */
  awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
  awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  awsSessionToken: 'AWS_SESSION_TOKEN',
  /** Set by Lambda for each invocation when X-Ray is on; read per invocation, not at cold start. */
  traceHeader: '_X_AMZN_TRACE_ID',
  /** OpenTelemetry's own names (tracing: 'otel'): the collector's base URL (`/v1/traces` is appended)... */
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  /** ...or its full traces URL, used as is... */
  otlpTracesEndpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  /** ...and headers to send it, `key=value,key2=value2` (values URL-encoded). */
  otlpHeaders: 'OTEL_EXPORTER_OTLP_HEADERS',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** 'true' turns the EMF output off (the local cloud's default: no CloudWatch to read it). */
  metricsDisabled: 'POWERTOOLS_METRICS_DISABLED',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Lambda handler entry points, relative to the project root (used by infra and local). */
export const FUNCTION_ENTRIES = {
  api: 'functions/api/handler.ts',
  worker: 'functions/worker/handler.ts',
  deadLetter: 'functions/dead-letter/handler.ts',
  metrics: 'functions/metrics/handler.ts',
} as const;
