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
import { ENV, type EnvName } from './env-names.ts';
import './zod-messages.ts';

// zod/mini, not 'zod': every function loads this module, and the classic API's chainable
// methods keep all of zod (~95 KB minified) in a bundle; the functional API tree-shakes to what
// is used (~25 KB). Same checks, same messages (zod-messages.ts), same parse results.
//
// Every function parses its environment at module load, so this is cold-start code: the
// environment is first read in plain code (an empty variable counts as unset, the JSON ones are
// parsed, a bad one named), then checked by one flat object of shared nodes, no pipe or
// transform per variable (~0.8 ms less CPU at init than a pipe per variable). What remains,
// ~2.5 ms to build the schema and ~1.4 ms for its first parse, is zod compiling each kind of
// node the first time it is used (docs/benchmarks.md, "Cold start").

/** The variables that hold JSON, and what each must be when it is not. */
const JSON_VARIABLES: Partial<Record<EnvName, string>> = {
  [ENV.queueUrls]: 'must be a JSON object of queue URLs keyed by priority',
  [ENV.deadLetterQueueUrls]: 'must be a JSON object of queue URLs keyed by priority',
  [ENV.queueArns]: 'must be a JSON object of queue ARNs keyed by priority',
  [ENV.queueRateLimits]: 'must be a JSON object of jobs per second keyed by priority, such as {"normal":50}',
  [ENV.workerCapacity]: 'must be a JSON object of jobs at once keyed by priority',
};

/** One schema per priority, the same `value` for each. */
const byPriority = <V extends z.ZodMiniType>(value: V) => z.object(Object.fromEntries(PRIORITIES.map((p) => [p, value])) as Record<Priority, V>);

const url = z.url();
const arn = z.string().check(z.startsWith('arn:'));
const urlsByPriority = byPriority(url);
const optionalString = z.optional(z.string());
const optionalUrl = z.optional(url);
const whole = (fallback: number, { min, max }: { min: number; max: number }) => z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);
const B = HANDLER_ENV_BOUNDS;

const schema = z.object({
  [ENV.tableName]: z.string().check(z.minLength(3)),
  [ENV.queueUrls]: urlsByPriority,
  [ENV.deadLetterQueueUrls]: urlsByPriority,
  [ENV.queueArns]: byPriority(arn),
  [ENV.queueRateLimits]: z.optional(z.partialRecord(z.enum(PRIORITIES), z.number().check(z.int(), z.minimum(1), z.maximum(100_000)))),
  [ENV.workerCapacity]: z.optional(byPriority(z.number().check(z.int(), z.minimum(1)))),
  [ENV.scheduleGroup]: z.string().check(z.minLength(1)),
  [ENV.schedulerRoleArn]: arn,
  [ENV.scheduleDeadLetterArn]: arn,
  [ENV.jobRetentionSeconds]: whole(7 * 24 * 3600, B.retentionSeconds),
  [ENV.deadJobRetentionSeconds]: whole(30 * 24 * 3600, B.retentionSeconds),
  [ENV.maxPayloadBytes]: whole(262_144, B.maxPayloadBytes),
  [ENV.maxResultBytes]: whole(65_536, B.maxResultBytes),
  [ENV.maxJobTimeoutMs]: whole(285_000, B.maxJobTimeoutMs),
  [ENV.cancelPollMs]: whole(1_000, B.cancelPollMs),
  [ENV.demoJobs]: z._default(z.enum(['true', 'false', '1', '0']), 'true'),
  [ENV.apiToken]: z.optional(z.string().check(z.minLength(16, 'must be at least 16 characters'))),
  [ENV.awsEndpointUrl]: optionalUrl,
  [ENV.awsRegion]: optionalString,
  [ENV.awsDefaultRegion]: optionalString,
  [ENV.awsAccessKeyId]: optionalString,
  [ENV.awsSecretAccessKey]: optionalString,
  [ENV.awsSessionToken]: optionalString,
  [ENV.serviceName]: optionalString,
  [ENV.metricsNamespace]: z._default(z.string(), 'SkyForge'),
  [ENV.metricsDisabled]: z._default(z.enum(['true', 'false']), 'false'),
  [ENV.otlpEndpoint]: optionalUrl,
  [ENV.otlpTracesEndpoint]: optionalUrl,
  [ENV.otlpHeaders]: optionalString,
});

/**
 * The variables the schema reads, as it reads them: an empty one is unset (so it gets its
 * default, never 0), the JSON ones parsed. A JSON variable that does not parse is a problem of
 * its own, reported with the schema's.
 */
function readEnvironment(env: NodeJS.ProcessEnv): { input: Record<string, unknown>; problems: string[] } {
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of Object.keys(schema.def.shape)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const mustBe = JSON_VARIABLES[name as EnvName];
    if (mustBe === undefined) {
      input[name] = raw;
      continue;
    }
    try {
      input[name] = JSON.parse(raw) as unknown;
    } catch {
      problems.push(`${name}: ${mustBe}`);
    }
  }
  return { input, problems };
}

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
  const { input, problems } = readEnvironment(env);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    // A JSON variable that did not parse is missing from the input: it is reported once, above.
    const issues = parsed.error.issues.filter((i) => !problems.some((p) => p.startsWith(`${String(i.path[0])}:`)));
    problems.push(...issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  if (problems.length > 0 || !parsed.success) throw new Error(`SkyForge configuration is invalid: ${problems.join('; ')}`);
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
    demoJobs: e[ENV.demoJobs] === 'true' || e[ENV.demoJobs] === '1',
    apiToken: e[ENV.apiToken],
    aws: {
      region: e[ENV.awsRegion] ?? e[ENV.awsDefaultRegion] ?? 'us-east-1',
      endpoint: e[ENV.awsEndpointUrl],
      credentials: credentialsFrom(e[ENV.awsAccessKeyId], e[ENV.awsSecretAccessKey], e[ENV.awsSessionToken]),
    },
    serviceName: e[ENV.serviceName],
    metricsNamespace: e[ENV.metricsNamespace],
    metricsDisabled: e[ENV.metricsDisabled] === 'true',
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
