import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRouteKey,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  type CfnStage,
  type HttpRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FILES_BESIDE_BUNDLE } from '../bundling.ts';
import type { JobQueues } from './job-queues.ts';
import type { JobScheduler } from './job-scheduler.ts';
import type { JobTable } from './job-table.ts';
import type { ResolvedSkyForgeConfig } from './resolve-skyforge-config.ts';
import { SkyForgeFunction, type SkyForgeFunctionDefaults } from './skyforge-function.ts';

export interface JobApiProps {
  /** Name shown in the API Gateway console (HTTP API names need not be unique). */
  readonly apiName: string;
  /** House settings shared by every SkyForge function. */
  readonly functionDefaults: SkyForgeFunctionDefaults;
  readonly settings: ResolvedSkyForgeConfig['api'];
  readonly table: JobTable;
  readonly queues: JobQueues;
  readonly scheduler: JobScheduler;
}

/** Only the health probe is public: load balancers and uptime checks cannot sign requests. */
export const PUBLIC_ROUTE_PATH = '/healthz';

/**
 * One JSON line per request. Caller identity and authorizer error make IAM denials traceable;
 * every value is quoted because API Gateway writes `-` for a missing one.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    caller: '$context.identity.userArn',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integration.latency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The HTTP API (v2) in front of the `api` function.
 *
 * Routes: `ANY /{proxy+}` plus `GET /healthz`, not one route per endpoint. The router in
 * shared/http owns the route table and answers unknown routes with the API's own 404 error
 * shape; mirroring every route here would keep two tables in step and let API Gateway answer
 * some requests with its own `{"message":"Not Found"}`. IAM authorization is the API's default
 * authorizer, so a route added later is private unless it opts out like `/healthz`.
 */
export class JobApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly handler: SkyForgeFunction;
  readonly accessLogGroup: LogGroup;
  /** Route-level settings of the stage, by route key (CloudFormation's RouteSettings). */
  private readonly routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(scope: Construct, id: string, props: JobApiProps) {
    super(scope, id);
    const { settings, table, queues } = props;

    this.handler = new SkyForgeFunction(this, 'Handler', {
      ...props.functionDefaults,
      entry: settings.entry,
      description: 'SkyForge api: HTTP API for jobs, schedules and dead letters',
      besideBundle: FILES_BESIDE_BUNDLE.api,
      memoryMb: settings.memoryMb,
      timeoutSeconds: settings.timeoutSeconds,
    });

    this.handler.addToAccessPolicy(
      table.statement(
        [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ],
        { includeIndexes: true, sid: 'JobsAndSchedules' },
      ),
      'Every route reads and writes job, idempotency, schedule and counter items (one conditional write per change); ' +
        'GET /jobs and GET /dlq list through the two indexes; DELETE /jobs/{id} deletes.',
    );
    this.handler.addToAccessPolicy(
      new PolicyStatement({ sid: 'SendJobs', actions: ['sqs:SendMessage'], resources: queues.queues.map((q) => q.queueArn) }),
      'POST /jobs, /jobs/batch, retry, replay and trigger send the job id to its priority queue.',
    );
    this.handler.addToAccessPolicy(
      new PolicyStatement({
        sid: 'QueueDepths',
        actions: ['sqs:GetQueueAttributes'],
        resources: [...queues.queues, ...queues.deadLetterQueues].map((q) => q.queueArn),
      }),
      'GET /stats and GET /readyz read the depth and age of the four queues and their dead-letter queues.',
    );
    props.scheduler.grantScheduleManagement(
      this.handler,
      'A job delayed beyond SQS\'s 15 minutes waits in a one-time schedule; the /schedules routes create, change, pause ' +
        'and delete recurring ones; cancel deletes a pending one.',
    );

    const iam = settings.auth === 'iam';
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: props.apiName,
      description: 'SkyForge job queue API',
      defaultAuthorizer: iam ? new HttpIamAuthorizer() : undefined,
      corsPreflight: settings.cors,
      // The default stage is created below, with access logging and throttling.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.functionDefaults.logRetention,
      removalPolicy: props.functionDefaults.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
      throttle: settings.throttle,
    });

    const integration = new HttpLambdaIntegration('Integration', this.handler.function);
    const privateRoutes = this.httpApi.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration });
    const publicRoutes = this.httpApi.addRoutes({
      path: PUBLIC_ROUTE_PATH,
      methods: [HttpMethod.GET],
      integration,
      authorizer: new HttpNoneAuthorizer(),
    });

    for (const route of publicRoutes) {
      this.throttleRoute(route, HttpRouteKey.with(PUBLIC_ROUTE_PATH, HttpMethod.GET).key, settings.healthzThrottle);
      acknowledgeNoAuth(
        route,
        'GET /healthz is the liveness probe for load balancers and uptime checks, which cannot sign ' +
          'requests; it answers 200 with no data and reaches neither the table nor the queues.',
      );
    }
    if (!iam) {
      for (const route of privateRoutes) {
        acknowledgeNoAuth(route, "The deployer set api.auth to 'none' explicitly, opting out of IAM authorization.");
      }
    }
  }

  /**
   * Throttles one route on the default stage, overriding the stage-wide `api.throttle` for it.
   * The stage waits for the route: CloudFormation rejects RouteSettings that name a route key
   * that does not exist yet.
   */
  throttleRoute(route: HttpRoute, routeKey: string, throttle: { rateLimit: number; burstLimit: number }): void {
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    this.routeSettings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
    cfnStage.routeSettings = this.routeSettings;
    cfnStage.node.addDependency(route);
  }

  /** The invoke URL of the default stage (ends with '/'). */
  get url(): string {
    return this.stage.url;
  }
}

/** Acknowledges cdk-nag's APIG4 (no authorizer) on one route, and on nothing else. */
export function acknowledgeNoAuth(route: HttpRoute, reason: string): void {
  const cfnRoute = route.node.defaultChild;
  Validations.of(cfnRoute ?? route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
}
