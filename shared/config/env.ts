import * as z from 'zod';
import {
  HANDLER_ENV_BOUNDS,
  MAX_PAYLOAD_PLUS_RESULT_BYTES,
  maximumConcurrencyByPriority,
  PRIORITIES,
  WORKER_DEFAULTS,
  workerCapacityOf,
  type Priority,
} from './definitions.ts';
import { ENV } from './env-names.ts';

/** A variable holding a JSON object keyed by priority, each value checked by `value`. */
function byPriorityFromEnv<V extends z.ZodType>(value: V, what: string) {
  return z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object of ${what} keyed by priority` });
        return z.NEVER;
      }
    })
    .pipe(z.object(Object.fromEntries(PRIORITIES.map((p) => [p, value])) as Record<Priority, V>));
}

const urlMap = byPriorityFromEnv(z.url(), 'queue URLs');

/** An empty variable counts as unset (so it gets the default), never as 0. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

const intFromEnv = (fallback: number, min: number, max: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).default(fallback));

const B = HANDLER_ENV_BOUNDS;

const schema = z.object({
  [ENV.tableName]: z.string().min(3),
  [ENV.queueUrls]: urlMap,
  [ENV.deadLetterQueueUrls]: urlMap,
  [ENV.queueArns]: byPriorityFromEnv(z.string().startsWith('arn:'), 'queue ARNs'),
  [ENV.queueRateLimits]: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((raw, ctx) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of jobs per second keyed by priority, such as {"normal":50}' });
          return z.NEVER;
        }
      })
      .pipe(z.partialRecord(z.enum(PRIORITIES), z.number().int().min(1).max(100_000)))
      .optional(),
  ),
  [ENV.workerCapacity]: z.preprocess(unsetIfEmpty, byPriorityFromEnv(z.number().int().min(1), 'jobs at once').optional()),
  [ENV.scheduleGroup]: z.string().min(1),
  [ENV.schedulerRoleArn]: z.string().startsWith('arn:'),
  [ENV.scheduleDeadLetterArn]: z.string().startsWith('arn:'),
  [ENV.jobRetentionSeconds]: intFromEnv(7 * 24 * 3600, B.retentionSeconds.min, B.retentionSeconds.max),
  [ENV.deadJobRetentionSeconds]: intFromEnv(30 * 24 * 3600, B.retentionSeconds.min, B.retentionSeconds.max),
  [ENV.maxPayloadBytes]: intFromEnv(262_144, B.maxPayloadBytes.min, B.maxPayloadBytes.max),
  [ENV.maxResultBytes]: intFromEnv(65_536, B.maxResultBytes.min, B.maxResultBytes.max),
  [ENV.maxJobTimeoutMs]: intFromEnv(285_000, B.maxJobTimeoutMs.min, B.maxJobTimeoutMs.max),
  [ENV.cancelPollMs]: intFromEnv(1_000, B.cancelPollMs.min, B.cancelPollMs.max),
  [ENV.demoJobs]: z.preprocess(
    unsetIfEmpty,
    z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
  ),
  [ENV.apiToken]: z.preprocess(unsetIfEmpty, z.string().min(16, 'must be at least 16 characters').optional()),
  [ENV.awsEndpointUrl]: z.preprocess(unsetIfEmpty, z.url().optional()),
  [ENV.awsRegion]: z.preprocess(unsetIfEmpty, z.string().optional()),
  [ENV.awsDefaultRegion]: z.preprocess(unsetIfEmpty, z.string().optional()),
  [ENV.awsAccessKeyId]: z.preprocess(unsetIfEmpty, z.string().optional()),
  [ENV.awsSecretAccessKey]: z.preprocess(unsetIfEmpty, z.string().optional()),
  [ENV.awsSessionToken]: z.preprocess(unsetIfEmpty, z.string().optional()),
  [ENV.serviceName]: z.preprocess(unsetIfEmpty, z.string().optional()),
  [ENV.metricsNamespace]: z.preprocess(unsetIfEmpty, z.string().default('SkyForge')),
  [ENV.metricsDisabled]: z.preprocess(unsetIfEmpty, z.enum(['true', 'false']).default('false').transform((v) => v === 'true')),
  [ENV.otlpEndpoint]: z.preprocess(unsetIfEmpty, z.url().optional()),
  [ENV.otlpTracesEndpoint]: z.preprocess(unsetIfEmpty, z.url().optional()),
  [ENV.otlpHeaders]: z.preprocess(unsetIfEmpty, z.string().optional()),
});

export interface SkyForgeConfig {
  tableName: string;
  queueUrls: Record<Priority, string>;
  deadLetterQueueUrls: Record<Priority, string>;
  queueArns: Record<Priority, string>;
  scheduleGroup: string;
  schedulerRoleArn: string;
  scheduleDeadLetterArn: string;
  jobRetentionSeconds: number;
  deadJobRetentionSeconds: number;
  maxPayloadBytes: number;
  maxResultBytes: number;
  maxJobTimeoutMs: number;
  cancelPollMs: number;
  /** Per-queue rate limits (jobs started per second), a flow-control key every job of the queue shares. */
  queueRateLimits: Partial<Record<Priority, number>>;
  /** Jobs each queue's workers run at most at once, the denominator of skyforge_worker_utilization. */
  workerCapacity: Record<Priority, number>;
  demoJobs: boolean;
  apiToken: string | undefined;
  /** Where the AWS SDK clients go: region (us-east-1 for the local cloud when unset) and an endpoint override. */
  aws: AwsSettings;
  /** POWERTOOLS_SERVICE_NAME, when the deployment sets one (each function has its own default). */
  serviceName: string | undefined;
  metricsNamespace: string;
  metricsDisabled: boolean;
  /** Where OpenTelemetry spans go (tracing: 'otel'); undefined when no collector is named. */
  otlp: { tracesUrl: string; headers: Record<string, string> } | undefined;
}

/** What the AWS SDK client factory needs (shared/adapters/aws-clients.ts). */
export interface AwsSettings {
  region: string;
  endpoint: string | undefined;
  /**
   * The keys the environment names, taken at cold start as the SDK's own env provider would take
   * them at the first call (Lambda puts the role's keys there for the container's life). The
   * local cloud runs every function in one process and loads each under its own keys, its
   * identity for the local IAM; read at a first call, one function could sign as another.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

function credentialsFrom(accessKeyId: string | undefined, secretAccessKey: string | undefined, sessionToken: string | undefined): AwsSettings['credentials'] {
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

/** Parses the handlers' environment once, at cold start; a missing or bad name fails loudly. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SkyForgeConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`SkyForge configuration is invalid: ${problems}`);
  }
  const e = parsed.data;
  if (e[ENV.maxPayloadBytes] + e[ENV.maxResultBytes] > MAX_PAYLOAD_PLUS_RESULT_BYTES) {
    throw new Error(
      `SkyForge configuration is invalid: ${ENV.maxPayloadBytes} + ${ENV.maxResultBytes} must stay at or below ` +
        `${MAX_PAYLOAD_PLUS_RESULT_BYTES} bytes so a job item fits DynamoDB's 400 KiB`,
    );
  }
  return {
    tableName: e[ENV.tableName],
    queueUrls: e[ENV.queueUrls],
    deadLetterQueueUrls: e[ENV.deadLetterQueueUrls],
    queueArns: e[ENV.queueArns],
    scheduleGroup: e[ENV.scheduleGroup],
    schedulerRoleArn: e[ENV.schedulerRoleArn],
    scheduleDeadLetterArn: e[ENV.scheduleDeadLetterArn],
    jobRetentionSeconds: e[ENV.jobRetentionSeconds],
    deadJobRetentionSeconds: e[ENV.deadJobRetentionSeconds],
    maxPayloadBytes: e[ENV.maxPayloadBytes],
    maxResultBytes: e[ENV.maxResultBytes],
    maxJobTimeoutMs: e[ENV.maxJobTimeoutMs],
    cancelPollMs: e[ENV.cancelPollMs],
    queueRateLimits: e[ENV.queueRateLimits] ?? {},
    workerCapacity: e[ENV.workerCapacity] ?? workerCapacityOf(maximumConcurrencyByPriority(WORKER_DEFAULTS.totalMaximumConcurrency), WORKER_DEFAULTS.batchSize),
    demoJobs: e[ENV.demoJobs],
    apiToken: e[ENV.apiToken],
    aws: {
      region: e[ENV.awsRegion] ?? e[ENV.awsDefaultRegion] ?? 'us-east-1',
      endpoint: e[ENV.awsEndpointUrl],
      credentials: credentialsFrom(e[ENV.awsAccessKeyId], e[ENV.awsSecretAccessKey], e[ENV.awsSessionToken]),
    },
    serviceName: e[ENV.serviceName],
    metricsNamespace: e[ENV.metricsNamespace],
    metricsDisabled: e[ENV.metricsDisabled],
    otlp: otlpSettings(e[ENV.otlpTracesEndpoint], e[ENV.otlpEndpoint], e[ENV.otlpHeaders]),
  };
}

/**
 * The OTLP/HTTP traces URL as OpenTelemetry's exporters read it: the traces variable as is, else
 * the base endpoint with `/v1/traces`; headers `k=v,k2=v2`, values URL-decoded.
 */
export function otlpSettings(tracesUrl: string | undefined, endpoint: string | undefined, headers: string | undefined): SkyForgeConfig['otlp'] {
  const url = tracesUrl ?? (endpoint ? `${endpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  const pairs = (headers ?? '').split(',').flatMap((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) return [];
    try {
      return [[pair.slice(0, at).trim(), decodeURIComponent(pair.slice(at + 1).trim())] as const];
    } catch {
      return [];
    }
  });
  return { tracesUrl: url, headers: Object.fromEntries(pairs) };
}

/**
 * The X-Ray trace header of the invocation in progress: Lambda sets it anew for each invocation,
 * so it is read when a message is sent, not parsed once at cold start.
 */
export function currentTraceHeader(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[ENV.traceHeader] || undefined;
}
