import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { CorsPreflightOptions } from 'aws-cdk-lib/aws-apigatewayv2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Priority } from '../../shared/config/definitions.ts';

/** Log levels Powertools Logger understands (`POWERTOOLS_LOG_LEVEL`). */
export type SkyForgeLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

/** Who may call the HTTP API. */
export type SkyForgeApiAuth = 'iam' | 'none';

/** Who may scrape `GET /metrics`. */
export type SkyForgeMetricsAuth = 'iam' | 'none';

/** The four Lambda functions SkyForge deploys. */
export type SkyForgeFunctionName = 'api' | 'worker' | 'deadLetter' | 'metrics';

export interface SkyForgeApiProps {
  /**
   * `iam`: every route but `GET /healthz` requires a SigV4-signed request (HttpIamAuthorizer);
   * callers need `execute-api:Invoke` on the API. `none` opens every route to the internet and
   * must be asked for explicitly.
   * @default 'iam'
   */
  readonly auth?: SkyForgeApiAuth;
  /**
   * Stage-wide throttling (the `$default` stage's default route settings). Without a stage limit
   * only the account-level one applies (10,000 RPS, burst 5,000, shared by every API in the
   * Region), so one runaway client could starve every other API of the account and run up the
   * bill. Raise it for heavy submitters (`/jobs/batch` takes 100 jobs a request).
   * @default API_THROTTLE_DEFAULTS: { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Route-level throttling of the unauthenticated `GET /healthz`, which anyone on the internet
   * can call: each call is an API Gateway request and a Lambda invocation on your bill.
   * @default HEALTHZ_THROTTLE_DEFAULTS: { rateLimit: 5, burstLimit: 10 }
   */
  readonly healthzThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * CORS preflight for browser callers.
   * @default - CORS off: SkyForge is called by servers and the CLI, not browsers
   */
  readonly cors?: CorsPreflightOptions;
  /** @default 512 */
  readonly memoryMb?: number;
  /**
   * At most 30 s: the HTTP API integration timeout is fixed at 30 s.
   * @default 29
   */
  readonly timeoutSeconds?: number;
}

export interface SkyForgeWorkerProps {
  /**
   * The worker function's timeout. Queue visibility timeouts are derived from it (6x), and the
   * longest job a handler may run is this minus a 15 s margin for the finishing writes.
   * @default WORKER_DEFAULTS.timeoutSeconds (300)
   */
  readonly timeoutSeconds?: number;
  /** @default WORKER_DEFAULTS.memoryMb (1024) */
  readonly memoryMb?: number;
  /**
   * Messages per invocation. Above 10 needs `maxBatchingWindowSeconds` >= 1 (Lambda rule).
   * @default WORKER_DEFAULTS.batchSize (10)
   */
  readonly batchSize?: number;
  /** @default WORKER_DEFAULTS.maxBatchingWindowSeconds (0) */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * Concurrent worker batches across the four queues, split by the queues' concurrency weights
   * (critical 8 : high 4 : normal 2 : low 1) into each event source mapping's MaximumConcurrency.
   * @default WORKER_DEFAULTS.totalMaximumConcurrency (30)
   */
  readonly totalMaximumConcurrency?: number;
  /** Per-priority MaximumConcurrency (2..1000) that overrides the weighted split. */
  readonly maximumConcurrency?: Partial<Record<Priority, number>>;
  /**
   * Jobs per second each queue starts at most, across all workers (TaskForge's
   * RATE_LIMIT_PER_SEC): a flow-control key `queue:<priority>` that every job of the queue
   * shares, checked before the claim like a job's own limits (docs/flow-control.md).
   * @default no limit
   */
  readonly queueRateLimits?: Partial<Record<Priority, number>>;
}

export interface SkyForgeDeadLetterProps {
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /**
   * MaximumConcurrency of each DLQ's event source mapping. Dead letters are rare and not urgent,
   * so the floor Lambda allows keeps a burst of them from competing with the worker for writes.
   * @default 2
   */
  readonly maximumConcurrency?: number;
}

export interface SkyForgeAlarmProps {
  /**
   * Period of every alarm, in seconds: a multiple of 60 up to one day. Each alarm fires on one
   * breaching period (the ones that count events fire on the first event).
   * @default 300
   */
  readonly periodSeconds?: number;
  /**
   * ApproximateAgeOfOldestMessage of a main queue above which its alarm fires. Below the queues'
   * retention (4 days), or it could never fire. Keep it at or above the longest delay the worker
   * gives a message (SQS allows 900 s), or a delayed retry may look like a stuck queue.
   * @default 900
   */
  readonly oldestMessageAgeSeconds?: number;
  /**
   * The API's 5xx responses as a percentage of its requests in one period, above which the 5xx
   * alarm fires.
   * @default 1
   */
  readonly api5xxPercent?: number;
  /**
   * Requests a period needs before the 5xx rate counts: one error among three requests is not an
   * outage.
   * @default 20
   */
  readonly api5xxMinimumRequests?: number;
}

export interface SkyForgeObservabilityProps {
  /**
   * `iam`: `GET /metrics` requires a SigV4-signed request, like every other route (Prometheus
   * needs a signing proxy: see infra/README.md). `none` opens that one route to the internet and
   * must be asked for explicitly; the other routes keep `api.auth`.
   * @default 'iam'
   */
  readonly metricsAuth?: SkyForgeMetricsAuth;
  /**
   * Route-level throttling of `GET /metrics` (it overrides `api.throttle` for that route). Every
   * scrape reads 16 counter partitions and nine queues' attributes, so an open endpoint without
   * a limit would let anyone run up the bill.
   * @default { rateLimit: 2, burstLimit: 10 }
   */
  readonly metricsThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** @default 256 */
  readonly metricsMemoryMb?: number;
  /**
   * At most 30 s: the HTTP API integration timeout is fixed at 30 s.
   * @default 10
   */
  readonly metricsTimeoutSeconds?: number;
  /**
   * An email address subscribed to the alarm topic (the recipient confirms it once). A token,
   * such as a CfnParameter's value, subscribes only when it resolves to a non-empty string at
   * deploy time; SkyForgeStack passes its `AlarmEmail` parameter this way.
   * @default - no subscription; subscribe to the AlarmTopicArn output yourself
   */
  readonly alarmEmail?: string;
  readonly alarms?: SkyForgeAlarmProps;
}

/**
 * Configuration of a SkyForge deployment. Every prop is optional; the defaults are the ones the
 * local cloud runs with (shared/config/definitions.ts), so a test that passes locally describes
 * the deployed system too.
 */
export interface SkyForgeProps {
  /**
   * Absolute path of the module the handlers import as `skyforge-job-registry`: your job types.
   * It is bundled into every function in place of the default (esbuild alias).
   * @default SkyForge's own default registry (no job types of its own; the demo types follow `demoJobs`)
   */
  readonly jobRegistryEntry?: string;
  /**
   * Root of the project that holds the lock file; esbuild runs here, and relative entries
   * resolve against it.
   * @default in a SkyForge checkout, the checkout; from the installed package, the nearest folder
   * above the working directory (where `cdk synth` runs) that holds a lock file
   */
  readonly projectRoot?: string;
  /** @default the lock file in projectRoot (package-lock.json, yarn.lock, pnpm-lock.yaml or bun's) */
  readonly depsLockFilePath?: string;
  /**
   * Your own handler entry files (absolute, under `projectRoot`), to replace SkyForge's.
   * @default SkyForge's handlers (FUNCTION_ENTRIES), from the checkout or the package's dist/
   */
  readonly handlerEntries?: Partial<Record<SkyForgeFunctionName, string>>;
  /**
   * Physical-name prefix. When set, the table is `<prefix>-jobs`, the queues
   * `<prefix>-<priority>` / `<prefix>-<priority>-dlq`, the schedule group `<prefix>-schedules`
   * and its DLQ `<prefix>-schedule-dlq`, as in the local cloud (at most 54 characters). When unset,
   * CloudFormation generates names, so two stacks in one account never collide and
   * replacements never fail on a taken name.
   * @default - generated names
   */
  readonly prefix?: string;
  /**
   * What happens to stateful resources (the table, the log groups) when they leave the stack.
   * `RETAIN` also turns on the table's deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Receives before a message moves to its DLQ. At least 5, so a throttled batch does not push
   * good messages to the DLQ (Lambda guidance); at most 1000 (SQS).
   * @default QUEUE_SETTINGS.defaultMaxReceiveCount (5)
   */
  readonly maxReceiveCount?: number;
  /** @default 7 days */
  readonly jobRetention?: Duration;
  /** @default 30 days */
  readonly deadJobRetention?: Duration;
  /** Largest job payload the API accepts (413 above). @default 262144 */
  readonly maxPayloadBytes?: number;
  /** Largest job result the worker stores. @default 65536 */
  readonly maxResultBytes?: number;
  /** How often a running job checks for a cancel request. @default - the handlers' default */
  readonly cancelPollMs?: number;
  /**
   * Register the demo.* job types (demo.echo, demo.sleep, demo.fail, demo.progress). Off on AWS
   * unless asked for: anyone allowed to submit could otherwise run them (demo.sleep holds a worker
   * for up to its timeout). The local cloud turns them on.
   * @default false
   */
  readonly demoJobs?: boolean;
  /** @default 'INFO' */
  readonly logLevel?: SkyForgeLogLevel;
  /**
   * AWS X-Ray: active tracing on every function, a segment per invocation and a subsegment per
   * AWS SDK call (Powertools Tracer). Off by default: it bundles the X-Ray SDK into every
   * function (about 120 KB, and slower module init), its async hooks tax every promise, traces
   * cost $5 per million recorded, and its IAM actions need Resource '*'. When on, the functions
   * are bundled with shared/runtime/tracing/tracing-xray.ts in place of the no-op.
   *
   * `'xray'` is the same as `true`. `'otel'`: OpenTelemetry instead, the functions' spans
   * (api.request, job.claim, job.attempt, job.finish) sent over OTLP/HTTP (JSON) to `otelEndpoint`
   * at the end of each invocation (docs/tracing.md; about 3 KB of bundle). W3C trace context
   * (`traceparent`, trace ids in logs, `ctx.trace`) works in every mode.
   * @default false
   */
  readonly tracing?: boolean | 'xray' | 'otel';
  /**
   * `tracing: 'otel'` only: the OTLP/HTTP collector's base URL (`/v1/traces` is appended), set as
   * OTEL_EXPORTER_OTLP_ENDPOINT. It must be reachable from the functions (they run outside a VPC).
   */
  readonly otelEndpoint?: string;
  /**
   * `tracing: 'otel'` only: headers sent with each export (OTEL_EXPORTER_OTLP_HEADERS), such as a
   * vendor's API key. They are plain function environment: prefer a collector that needs none.
   */
  readonly otelHeaders?: Record<string, string>;
  /** Retention of every function's and the API's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** `POWERTOOLS_SERVICE_NAME` of every function. @default 'skyforge' */
  readonly serviceName?: string;
  readonly api?: SkyForgeApiProps;
  readonly worker?: SkyForgeWorkerProps;
  readonly deadLetter?: SkyForgeDeadLetterProps;
  /** The metrics endpoint, the alarms and their topic. */
  readonly observability?: SkyForgeObservabilityProps;
}
