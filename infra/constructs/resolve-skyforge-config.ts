import {
  API_FUNCTION_DEFAULTS,
  DEAD_LETTER_DEFAULTS,
  HANDLER_ENV_BOUNDS,
  MAX_PAYLOAD_PLUS_RESULT_BYTES,
  METRICS_FUNCTION_DEFAULTS,
  maxJobTimeoutMsFor,
} from '../../shared/config/definitions.ts';
import { isAbsolute, resolve } from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { CorsPreflightOptions } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  PRIORITIES,
  QUEUE_SETTINGS,
  WORKER_DEFAULTS,
  deadLetterQueueName,
  maximumConcurrencyByPriority,
  scheduleDeadLetterQueueName,
  scheduleGroupName,
  type Priority,
} from '../../shared/config/definitions.ts';
import { FUNCTION_ENTRIES } from '../../shared/config/env-names.ts';
import { lockFileOf, skyforgeModule, type SkyForgeCode } from './skyforge-code.ts';
import { SkyForgeConfigError } from './skyforge-config-error.ts';
import { tracingMode, type TracingMode } from '../bundling.ts';
import type {
  SkyForgeApiAuth,
  SkyForgeFunctionName,
  SkyForgeLogLevel,
  SkyForgeMetricsAuth,
  SkyForgeProps,
} from './skyforge-props.ts';

/**
 * Seconds the worker keeps for itself after the longest job it may run: the finishing
 * conditional write, the batch response and the EMF flush must fit after a job times out.
 */
export const WORKER_SHUTDOWN_MARGIN_SECONDS = 15;

/** Defaults of the metrics function: it reads 16 counter partitions and nine queues' attributes. */
export { METRICS_FUNCTION_DEFAULTS } from '../../shared/config/definitions.ts';

/** Defaults of the alarms (see SkyForgeAlarmProps). */
export const ALARM_DEFAULTS = {
  periodSeconds: 300,
  oldestMessageAgeSeconds: 900,
  api5xxPercent: 1,
  api5xxMinimumRequests: 20,
} as const;

/** `GET /metrics` route throttling: plenty for a few Prometheus servers scraping every 15 s. */
export const METRICS_THROTTLE_DEFAULTS = { rateLimit: 2, burstLimit: 10 } as const;

/** The `$default` stage's throttle unless `api.throttle` says otherwise (cdk-nag Serverless APIGWDefaultThrottling). */
export const API_THROTTLE_DEFAULTS = { rateLimit: 500, burstLimit: 1000 } as const;

/** `GET /healthz` is public: a liveness probe needs a few calls a second, not the API's limit. */
export const HEALTHZ_THROTTLE_DEFAULTS = { rateLimit: 5, burstLimit: 10 } as const;

/** What SNS accepts as an email endpoint, roughly; CloudFormation checks the AlarmEmail parameter with it too. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** SQS queue names: 1..80 characters of letters, digits, `-` and `_`. */
const SQS_NAME = /^[A-Za-z0-9_-]+$/;
const SQS_MAX_NAME_LENGTH = 80;
/** EventBridge Scheduler group names: 1..64 characters of letters, digits, `-`, `_` and `.`. */
const SCHEDULE_GROUP_MAX_NAME_LENGTH = 64;

export interface ResolvedFunctionSettings {
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/** Every setting of a SkyForge deployment, defaults applied and validated. */
export interface ResolvedSkyForgeConfig {
  readonly projectRoot: string;
  readonly depsLockFilePath: string;
  readonly jobRegistryEntry: string;
  readonly prefix: string | undefined;
  readonly removalPolicy: RemovalPolicy;
  readonly maxReceiveCount: number;
  readonly jobRetentionSeconds: number;
  readonly deadJobRetentionSeconds: number;
  readonly maxPayloadBytes: number;
  readonly maxResultBytes: number;
  readonly maxJobTimeoutMs: number;
  readonly cancelPollMs: number | undefined;
  readonly demoJobs: boolean;
  readonly logLevel: SkyForgeLogLevel;
  readonly tracing: TracingMode;
  /** `tracing: 'otel'`: where the spans go. */
  readonly otel: { readonly endpoint: string; readonly headers: Record<string, string> } | undefined;
  readonly logRetention: RetentionDays;
  readonly serviceName: string;
  readonly api: ResolvedFunctionSettings & {
    readonly auth: SkyForgeApiAuth;
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly healthzThrottle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly cors: CorsPreflightOptions | undefined;
  };
  readonly worker: ResolvedFunctionSettings & {
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly maximumConcurrency: Record<Priority, number>;
    readonly queueRateLimits: Partial<Record<Priority, number>>;
  };
  readonly deadLetter: ResolvedFunctionSettings & {
    readonly maximumConcurrency: number;
  };
  readonly observability: ResolvedObservabilitySettings;
}

export interface ResolvedObservabilitySettings {
  readonly metrics: ResolvedFunctionSettings & {
    readonly auth: SkyForgeMetricsAuth;
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  };
  /** A literal address, a token (subscribed only when non-empty at deploy time), or none. */
  readonly alarmEmail: string | undefined;
  readonly alarms: {
    readonly periodSeconds: number;
    readonly oldestMessageAgeSeconds: number;
    readonly api5xxPercent: number;
    readonly api5xxMinimumRequests: number;
  };
}

function requireInteger(prop: string, value: number, min: number, max: number): number {
  if (Token.isUnresolved(value)) {
    throw new SkyForgeConfigError(prop, 'must be a literal number, not a token (it is checked at synth time)');
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SkyForgeConfigError(prop, `must be an integer between ${min} and ${max} (got ${value})`);
  }
  return value;
}

function requireThrottle(prop: string, throttle: { rateLimit: number; burstLimit: number }): void {
  const { rateLimit, burstLimit } = throttle;
  if (!Number.isFinite(rateLimit) || rateLimit <= 0) {
    throw new SkyForgeConfigError(`${prop}.rateLimit`, `must be a positive number of requests per second (got ${rateLimit})`);
  }
  requireInteger(`${prop}.burstLimit`, burstLimit, 0, 1_000_000);
}

function durationSeconds(prop: string, value: Duration | undefined, fallback: Duration, min: number, max: number): number {
  const duration = value ?? fallback;
  if (Token.isUnresolved(duration.toString())) {
    throw new SkyForgeConfigError(prop, 'must be a literal Duration, not a token');
  }
  let seconds: number;
  try {
    seconds = duration.toSeconds();
  } catch {
    throw new SkyForgeConfigError(prop, `must be a whole number of seconds (got ${duration.toHumanString()})`);
  }
  return requireInteger(prop, seconds, min, max);
}

function absoluteUnder(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * Applies SkyForge's defaults to `props` and checks every value against the limits of AWS and
 * of the handlers. Throws a {@link SkyForgeConfigError} that names the prop at fault.
 *
 * @example
 * const config = resolveSkyForgeConfig({ worker: { timeoutSeconds: 120 } }, '/path/to/project');
 * config.maxJobTimeoutMs; // 105000
 */
export function resolveSkyForgeConfig(
  props: SkyForgeProps,
  defaultProjectRoot: string,
  // SkyForge's own handlers: the sources in the project by default, the package's dist/ when installed.
  code: SkyForgeCode = { root: defaultProjectRoot, extension: '.ts' },
): ResolvedSkyForgeConfig {
  const projectRoot = resolve(props.projectRoot ?? defaultProjectRoot);
  const entry = (name: SkyForgeFunctionName): string =>
    absoluteUnder(props.handlerEntries?.[name] ?? skyforgeModule(code, FUNCTION_ENTRIES[name]), projectRoot);

  const prefix = props.prefix;
  if (prefix !== undefined) {
    // The longest queue name built from the prefix is a DLQ's. The characters SQS accepts are a
    // subset of those a schedule group name may hold, so one character check covers both.
    const longest = [...PRIORITIES.map((p) => deadLetterQueueName(prefix, p)), scheduleDeadLetterQueueName(prefix)].reduce(
      (a, b) => (b.length > a.length ? b : a),
    );
    if (!SQS_NAME.test(prefix)) {
      throw new SkyForgeConfigError('prefix', `may hold only letters, digits, '-' and '_' (got '${prefix}')`);
    }
    if (longest.length > SQS_MAX_NAME_LENGTH) {
      throw new SkyForgeConfigError('prefix', `is too long: queue name '${longest}' exceeds ${SQS_MAX_NAME_LENGTH} characters`);
    }
    const groupName = scheduleGroupName(prefix);
    if (groupName.length > SCHEDULE_GROUP_MAX_NAME_LENGTH) {
      throw new SkyForgeConfigError(
        'prefix',
        `is too long: schedule group name '${groupName}' exceeds ${SCHEDULE_GROUP_MAX_NAME_LENGTH} characters`,
      );
    }
  }

  const maxReceiveCount = props.maxReceiveCount ?? QUEUE_SETTINGS.defaultMaxReceiveCount;
  if (Number.isInteger(maxReceiveCount) && maxReceiveCount < QUEUE_SETTINGS.minMaxReceiveCount) {
    throw new SkyForgeConfigError(
      'maxReceiveCount',
      `must be at least ${QUEUE_SETTINGS.minMaxReceiveCount} (got ${maxReceiveCount}): with fewer receives, ` +
        'a batch that Lambda throttles can push messages that never failed into the dead-letter queue',
    );
  }
  requireInteger('maxReceiveCount', maxReceiveCount, QUEUE_SETTINGS.minMaxReceiveCount, 1000);

  const w = props.worker ?? {};
  const workerTimeout = w.timeoutSeconds ?? WORKER_DEFAULTS.timeoutSeconds;
  if (Number.isFinite(workerTimeout) && workerTimeout > 900) {
    throw new SkyForgeConfigError('worker.timeoutSeconds', `must be at most 900 (the Lambda maximum of 15 minutes; got ${workerTimeout})`);
  }
  requireInteger('worker.timeoutSeconds', workerTimeout, WORKER_SHUTDOWN_MARGIN_SECONDS + 1, 900);

  const batchSize = requireInteger('worker.batchSize', w.batchSize ?? WORKER_DEFAULTS.batchSize, 1, 10_000);
  const maxBatchingWindowSeconds = requireInteger(
    'worker.maxBatchingWindowSeconds',
    w.maxBatchingWindowSeconds ?? WORKER_DEFAULTS.maxBatchingWindowSeconds,
    0,
    300,
  );
  if (batchSize > 10 && maxBatchingWindowSeconds < 1) {
    throw new SkyForgeConfigError(
      'worker.batchSize',
      `is ${batchSize}: a batch size above 10 needs worker.maxBatchingWindowSeconds of at least 1 (Lambda rule for SQS)`,
    );
  }

  const total = requireInteger(
    'worker.totalMaximumConcurrency',
    w.totalMaximumConcurrency ?? WORKER_DEFAULTS.totalMaximumConcurrency,
    2,
    4000,
  );
  const weighted = maximumConcurrencyByPriority(total);
  const maximumConcurrency = {} as Record<Priority, number>;
  for (const priority of PRIORITIES) {
    const override = w.maximumConcurrency?.[priority];
    maximumConcurrency[priority] =
      override === undefined ? weighted[priority] : requireInteger(`worker.maximumConcurrency.${priority}`, override, 2, 1000);
  }

  const queueRateLimits: Partial<Record<Priority, number>> = {};
  for (const [priority, rate] of Object.entries(w.queueRateLimits ?? {})) {
    if (!PRIORITIES.includes(priority as Priority)) {
      throw new SkyForgeConfigError('worker.queueRateLimits', `names no queue: ${priority} (queues: ${PRIORITIES.join(', ')})`);
    }
    if (rate !== undefined) queueRateLimits[priority as Priority] = requireInteger(`worker.queueRateLimits.${priority}`, rate, 1, 100_000);
  }

  const api = props.api ?? {};
  const auth = api.auth ?? 'iam';
  if (auth !== 'iam' && auth !== 'none') {
    throw new SkyForgeConfigError('api.auth', `must be 'iam' or 'none' (got '${String(auth)}')`);
  }
  const apiThrottle = api.throttle ?? API_THROTTLE_DEFAULTS;
  requireThrottle('api.throttle', apiThrottle);
  const healthzThrottle = api.healthzThrottle ?? HEALTHZ_THROTTLE_DEFAULTS;
  requireThrottle('api.healthzThrottle', healthzThrottle);

  const maxPayloadBytes = requireInteger(
    'maxPayloadBytes',
    props.maxPayloadBytes ?? 262_144,
    HANDLER_ENV_BOUNDS.maxPayloadBytes.min,
    HANDLER_ENV_BOUNDS.maxPayloadBytes.max,
  );
  const maxResultBytes = requireInteger(
    'maxResultBytes',
    props.maxResultBytes ?? 65_536,
    HANDLER_ENV_BOUNDS.maxResultBytes.min,
    HANDLER_ENV_BOUNDS.maxResultBytes.max,
  );
  if (maxPayloadBytes + maxResultBytes > MAX_PAYLOAD_PLUS_RESULT_BYTES) {
    throw new SkyForgeConfigError(
      'maxPayloadBytes',
      `plus maxResultBytes is ${maxPayloadBytes + maxResultBytes} bytes; a job item holds both and DynamoDB ` +
        `items stop at 400 KiB, so keep the sum at or below ${MAX_PAYLOAD_PLUS_RESULT_BYTES}`,
    );
  }

  const cancelPollMs =
    props.cancelPollMs === undefined
      ? undefined
      : requireInteger('cancelPollMs', props.cancelPollMs, HANDLER_ENV_BOUNDS.cancelPollMs.min, HANDLER_ENV_BOUNDS.cancelPollMs.max);

  const serviceName = props.serviceName ?? 'skyforge';
  if (serviceName.trim() === '') {
    throw new SkyForgeConfigError('serviceName', 'must not be empty');
  }

  const deadLetter = props.deadLetter ?? {};
  const observability = resolveObservability(props, entry('metrics'));

  return {
    projectRoot,
    depsLockFilePath: absoluteUnder(props.depsLockFilePath ?? lockFileOf(projectRoot), projectRoot),
    jobRegistryEntry: absoluteUnder(props.jobRegistryEntry ?? skyforgeModule(code, 'shared/jobs/default-registry.ts'), projectRoot),
    prefix,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    maxReceiveCount,
    jobRetentionSeconds: durationSeconds(
      'jobRetention',
      props.jobRetention,
      Duration.days(7),
      HANDLER_ENV_BOUNDS.retentionSeconds.min,
      HANDLER_ENV_BOUNDS.retentionSeconds.max,
    ),
    deadJobRetentionSeconds: durationSeconds(
      'deadJobRetention',
      props.deadJobRetention,
      Duration.days(30),
      HANDLER_ENV_BOUNDS.retentionSeconds.min,
      HANDLER_ENV_BOUNDS.retentionSeconds.max,
    ),
    maxPayloadBytes,
    maxResultBytes,
    maxJobTimeoutMs: maxJobTimeoutMsFor(workerTimeout),
    cancelPollMs,
    demoJobs: props.demoJobs ?? false,
    logLevel: props.logLevel ?? 'INFO',
    tracing: tracingMode(props.tracing),
    otel: resolveOtel(props),
    logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
    serviceName,
    api: {
      entry: entry('api'),
      memoryMb: requireInteger('api.memoryMb', api.memoryMb ?? API_FUNCTION_DEFAULTS.memoryMb, 128, 10_240),
      timeoutSeconds: requireInteger('api.timeoutSeconds', api.timeoutSeconds ?? API_FUNCTION_DEFAULTS.timeoutSeconds, 1, 30),
      auth,
      throttle: apiThrottle,
      healthzThrottle,
      cors: api.cors,
    },
    worker: {
      entry: entry('worker'),
      memoryMb: requireInteger('worker.memoryMb', w.memoryMb ?? WORKER_DEFAULTS.memoryMb, 128, 10_240),
      timeoutSeconds: workerTimeout,
      batchSize,
      maxBatchingWindowSeconds,
      maximumConcurrency,
      queueRateLimits,
    },
    deadLetter: {
      entry: entry('deadLetter'),
      memoryMb: requireInteger('deadLetter.memoryMb', deadLetter.memoryMb ?? DEAD_LETTER_DEFAULTS.memoryMb, 128, 10_240),
      timeoutSeconds: requireInteger('deadLetter.timeoutSeconds', deadLetter.timeoutSeconds ?? DEAD_LETTER_DEFAULTS.timeoutSeconds, 1, 900),
      maximumConcurrency: requireInteger('deadLetter.maximumConcurrency', deadLetter.maximumConcurrency ?? DEAD_LETTER_DEFAULTS.maximumConcurrency, 2, 1000),
    },
    observability,
  };
}

function resolveObservability(props: SkyForgeProps, metricsEntry: string): ResolvedObservabilitySettings {
  const o = props.observability ?? {};

  const auth = o.metricsAuth ?? 'iam';
  if (auth !== 'iam' && auth !== 'none') {
    throw new SkyForgeConfigError('observability.metricsAuth', `must be 'iam' or 'none' (got '${String(auth)}')`);
  }
  const throttle = o.metricsThrottle ?? METRICS_THROTTLE_DEFAULTS;
  requireThrottle('observability.metricsThrottle', throttle);

  const alarmEmail = o.alarmEmail;
  // A token (e.g. a CfnParameter) is checked by CloudFormation and may be empty: no subscription then.
  if (alarmEmail !== undefined && !Token.isUnresolved(alarmEmail) && !EMAIL_PATTERN.test(alarmEmail)) {
    throw new SkyForgeConfigError('observability.alarmEmail', `must be an email address (got '${alarmEmail}')`);
  }

  const a = o.alarms ?? {};
  const periodSeconds = requireInteger('observability.alarms.periodSeconds', a.periodSeconds ?? ALARM_DEFAULTS.periodSeconds, 60, 86_400);
  if (periodSeconds % 60 !== 0) {
    throw new SkyForgeConfigError(
      'observability.alarms.periodSeconds',
      `must be a multiple of 60 (got ${periodSeconds}): SQS, Lambda and API Gateway publish one-minute metrics`,
    );
  }
  // A message older than the retention is deleted, so a threshold at or above it never fires.
  const oldestMessageAgeSeconds = requireInteger(
    'observability.alarms.oldestMessageAgeSeconds',
    a.oldestMessageAgeSeconds ?? ALARM_DEFAULTS.oldestMessageAgeSeconds,
    60,
    QUEUE_SETTINGS.retentionSeconds - 1,
  );
  const api5xxPercent = a.api5xxPercent ?? ALARM_DEFAULTS.api5xxPercent;
  if (Token.isUnresolved(api5xxPercent) || !Number.isFinite(api5xxPercent) || api5xxPercent <= 0 || api5xxPercent >= 100) {
    throw new SkyForgeConfigError(
      'observability.alarms.api5xxPercent',
      `must be a literal percentage above 0 and below 100 (got ${api5xxPercent})`,
    );
  }
  const api5xxMinimumRequests = requireInteger(
    'observability.alarms.api5xxMinimumRequests',
    a.api5xxMinimumRequests ?? ALARM_DEFAULTS.api5xxMinimumRequests,
    1,
    1_000_000_000,
  );

  return {
    metrics: {
      entry: metricsEntry,
      memoryMb: requireInteger('observability.metricsMemoryMb', o.metricsMemoryMb ?? METRICS_FUNCTION_DEFAULTS.memoryMb, 128, 10_240),
      timeoutSeconds: requireInteger(
        'observability.metricsTimeoutSeconds',
        o.metricsTimeoutSeconds ?? METRICS_FUNCTION_DEFAULTS.timeoutSeconds,
        1,
        30,
      ),
      auth,
      throttle,
    },
    alarmEmail,
    alarms: { periodSeconds, oldestMessageAgeSeconds, api5xxPercent, api5xxMinimumRequests },
  };
}

/**
 * `tracing: 'otel'` needs a collector, and the collector settings mean nothing without it: either
 * mistake would deploy functions that silently export nothing.
 */
function resolveOtel(props: SkyForgeProps): ResolvedSkyForgeConfig['otel'] {
  const otel = tracingMode(props.tracing) === 'otel';
  if (!otel) {
    if (props.otelEndpoint !== undefined || props.otelHeaders !== undefined) {
      throw new SkyForgeConfigError(props.otelEndpoint !== undefined ? 'otelEndpoint' : 'otelHeaders', "is only used with tracing: 'otel'");
    }
    return undefined;
  }
  const endpoint = props.otelEndpoint;
  if (endpoint === undefined) throw new SkyForgeConfigError('otelEndpoint', "is required with tracing: 'otel' (the OTLP/HTTP collector's base URL)");
  if (!Token.isUnresolved(endpoint) && (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol))) {
    throw new SkyForgeConfigError('otelEndpoint', `must be an http(s) URL such as https://collector.example.com:4318 (got '${endpoint}')`);
  }
  return { endpoint, headers: { ...props.otelHeaders } };
}
