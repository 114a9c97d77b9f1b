import { HttpMethod, HttpNoneAuthorizer, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { FILES_BESIDE_BUNDLE } from '../bundling.ts';
import { acknowledgeNoAuth, type JobApi } from './job-api.ts';
import type { JobQueues } from './job-queues.ts';
import type { JobScheduler } from './job-scheduler.ts';
import type { JobTable } from './job-table.ts';
import type { ResolvedSkyForgeConfig } from './resolve-skyforge-config.ts';
import { SkyForgeFunction, type SkyForgeFunctionDefaults } from './skyforge-function.ts';

/** The path Prometheus scrapes. */
export const METRICS_ROUTE_PATH = '/metrics';

export interface MetricsEndpointProps {
  readonly functionDefaults: SkyForgeFunctionDefaults;
  readonly settings: ResolvedSkyForgeConfig['observability']['metrics'];
  /** The HTTP API the route is added to. */
  readonly api: JobApi;
  readonly table: JobTable;
  readonly queues: JobQueues;
  readonly scheduler: JobScheduler;
}

/**
 * `GET /metrics`: the `metrics` function behind its own route on the SkyForge HTTP API, serving
 * the Prometheus text exposition.
 *
 * It computes every figure from the counter items in the table and from SQS queue attributes,
 * never from CloudWatch: GetMetricData costs $0.01 per 1,000 metrics, on every scrape. The route
 * has its own authorizer (IAM unless `observability.metricsAuth` is `none`) whatever `api.auth`
 * says, and its own throttle, so an open endpoint cannot be used to run up DynamoDB and SQS
 * requests.
 */
export class MetricsEndpoint extends Construct {
  readonly handler: SkyForgeFunction;
  readonly route: HttpRoute;
  private readonly api: JobApi;

  constructor(scope: Construct, id: string, props: MetricsEndpointProps) {
    super(scope, id);
    const { settings, table, queues } = props;
    this.api = props.api;

    // The same environment as the other functions (one config schema), sized for a scrape.
    this.handler = new SkyForgeFunction(this, 'Handler', {
      ...props.functionDefaults,
      entry: settings.entry,
      description: 'SkyForge metrics: Prometheus text exposition for GET /metrics',
      besideBundle: FILES_BESIDE_BUNDLE.metrics,
      memoryMb: settings.memoryMb,
      timeoutSeconds: settings.timeoutSeconds,
    });

    this.handler.addToAccessPolicy(
      table.statement(['dynamodb:Query', 'dynamodb:BatchGetItem'], { includeIndexes: false, sid: 'Counters' }),
      'Reads the counter items (a Query per counter shard, then BatchGetItem) on the base table: no index, no writes.',
    );
    this.handler.addToAccessPolicy(
      new PolicyStatement({
        sid: 'QueueDepths',
        actions: ['sqs:GetQueueAttributes'],
        resources: [...queues.queues, ...queues.deadLetterQueues].map((q) => q.queueArn),
      }),
      'Depth, in flight, delayed and oldest age of the four queues and their DLQs, the gauges /metrics reports. ' +
        'The schedule DLQ is not read: its depth has its own alarm and dashboard widget.',
    );

    const iam = settings.auth === 'iam';
    const routeKey = HttpRouteKey.with(METRICS_ROUTE_PATH, HttpMethod.GET);
    this.route = new HttpRoute(this, 'Route', {
      httpApi: this.api.httpApi,
      routeKey,
      integration: new HttpLambdaIntegration('Integration', this.handler.function),
      // Explicit either way: with `api.auth: 'none'` the API's default authorizer is none, and
      // the metrics route must not silently follow it.
      authorizer: iam ? new HttpIamAuthorizer() : new HttpNoneAuthorizer(),
    });
    this.api.throttleRoute(this.route, routeKey.key, settings.throttle);

    if (!iam) {
      acknowledgeNoAuth(
        this.route,
        "The deployer set observability.metricsAuth to 'none' explicitly: Prometheus cannot sign scrapes. The route " +
          'serves aggregate counters and queue depths only (no job data) and is throttled on its own.',
      );
    }
  }

  /** The URL Prometheus scrapes: `<ApiUrl>metrics`. */
  get url(): string {
    return `${this.api.url}${METRICS_ROUTE_PATH.slice(1)}`;
  }
}
