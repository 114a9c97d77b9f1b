import * as z from 'zod/mini';
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
import './zod-messages.ts';

// zod/mini, not 'zod': every function loads this module, and the classic API's chainable
// methods keep all of zod (~95 KB minified) in a bundle; the functional API tree-shakes to what
// is used (~25 KB). Same checks, same messages (zod-messages.ts), same parse results.

/** A variable holding JSON, refused with `message` when it is not JSON. */
function jsonFromEnv(message: string) {
  return z.pipe(
    z.string(),
    z.transform((raw: string, payload): unknown => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        payload.issues.push({ code: 'custom', message, input: raw });
        return z.NEVER;
      }
    }),
  );
}

/** A variable holding a JSON object keyed by priority, each value checked by `value`. */
function byPriorityFromEnv<V extends z.ZodMiniType>(value: V, what: string) {
  return z.pipe(
    jsonFromEnv(`must be a JSON object of ${what} keyed by priority`),
    z.object(Object.fromEntries(PRIORITIES.map((p) => [p, value])) as Record<Priority, V>),
  );
}

const urlMap = byPriorityFromEnv(z.url(), 'queue URLs');

/** An empty variable counts as unset (so it gets the default), never as 0. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

/** zod's `preprocess`, which zod/mini spells as a pipe from a transform, as classic zod builds it. */
const unsetIfEmptyThen = <S extends z.ZodMiniType>(schema: S) => z.pipe(z.transform(unsetIfEmpty), schema);

/** Unset or empty: undefined; otherwise checked by `schema`. */
const optionalFromEnv = <S extends z.ZodMiniType>(schema: S) => unsetIfEmptyThen(z.optional(schema));

const intFromEnv = (fallback: number, min: number, max: number) =>
  unsetIfEmptyThen(z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback));

const arn = () => z.string().check(z.startsWith('arn:'));

const B = HANDLER_ENV_BOUNDS;

const schema = z.object({
  [ENV.tableName]: z.string().check(z.minLength(3)),
  [ENV.queueUrls]: urlMap,
  [ENV.deadLetterQueueUrls]: urlMap,
  [ENV.queueArns]: byPriorityFromEnv(arn(), 'queue ARNs'),
  [ENV.queueRateLimits]: optionalFromEnv(
    z.pipe(
      jsonFromEnv('must be a JSON object of jobs per second keyed by priority, such as {"normal":50}'),
      z.partialRecord(z.enum(PRIORITIES), z.number().check(z.int(), z.minimum(1), z.maximum(100_000))),
    ),
  ),
  [ENV.workerCapacity]: optionalFromEnv(byPriorityFromEnv(z.number().check(z.int(), z.minimum(1)), 'jobs at once')),
  [ENV.scheduleGroup]: z.string().check(z.minLength(1)),
  [ENV.schedulerRoleArn]: arn(),
  [ENV.scheduleDeadLetterArn]: arn(),
  [ENV.jobRetentionSeconds]: intFromEnv(7 * 24 * 3600, B.retentionSeconds.min, B.retentionSeconds.max),
  [ENV.deadJobRetentionSeconds]: intFromEnv(30 * 24 * 3600, B.retentionSeconds.min, B.retentionSeconds.max),
  [ENV.maxPayloadBytes]: intFromEnv(262_144, B.maxPayloadBytes.min, B.maxPayloadBytes.max),
  [ENV.maxResultBytes]: intFromEnv(65_536, B.maxResultBytes.min, B.maxResultBytes.max),
  [ENV.maxJobTimeoutMs]: intFromEnv(285_000, B.maxJobTimeoutMs.min, B.maxJobTimeoutMs.max),
  [ENV.cancelPollMs]: intFromEnv(1_000, B.cancelPollMs.min, B.cancelPollMs.max),
  [ENV.demoJobs]: unsetIfEmptyThen(
    z.pipe(
      z._default(z.enum(['true', 'false', '1', '0']), 'true'),
      z.transform((v: 'true' | 'false' | '1' | '0') => v === 'true' || v === '1'),
    ),
  ),
  [ENV.apiToken]: optionalFromEnv(z.string().check(z.minLength(16, 'must be at least 16 characters'))),
  [ENV.awsEndpointUrl]: optionalFromEnv(z.url()),
  [ENV.awsRegion]: optionalFromEnv(z.string()),
  [ENV.awsDefaultRegion]: optionalFromEnv(z.string()),
  [ENV.awsAccessKeyId]: optionalFromEnv(z.string()),
  [ENV.awsSecretAccessKey]: optionalFromEnv(z.string()),
  [ENV.awsSessionToken]: optionalFromEnv(z.string()),
  [ENV.serviceName]: optionalFromEnv(z.string()),
  [ENV.metricsNamespace]: unsetIfEmptyThen(z._default(z.string(), 'SkyForge')),
  [ENV.metricsDisabled]: unsetIfEmptyThen(
    z.pipe(
      z._default(z.enum(['true', 'false']), 'false'),
      z.transform((v: 'true' | 'false') => v === 'true'),
    ),
  ),
  [ENV.otlpEndpoint]: optionalFromEnv(z.url()),
  [ENV.otlpTracesEndpoint]: optionalFromEnv(z.url()),
  [ENV.otlpHeaders]: optionalFromEnv(z.string()),
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
