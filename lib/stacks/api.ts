import { Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type IHttpRouteAuthorizer,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dataRemovalPolicy, logRetention, type Stage } from './stage.js';

export interface ApiProps {
  readonly stage: Stage;
  /** Steady-state requests per second and burst for the whole stage. @default 50 / 100 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The HTTP API of CONTRACT §4 (API Gateway v2): one auto-deployed `$default` stage with throttling
 * and JSON access logs. Secure by default: a route needs SigV4-signed IAM callers unless it says
 * otherwise, as only the two signed webhooks do (see Ingest). The runs and report routes are added
 * here by their own constructs.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly defaultStage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: logRetention(props.stage),
      removalPolicy: dataRemovalPolicy(props.stage),
    });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Stocktally (${props.stage.name}): webhooks of the WMS and the finance system, runs, reports`,
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    this.defaultStage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // No headers or bodies: signatures and records stay out of the logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationStatus: '$context.integration.status',
            integrationLatency: '$context.integration.latency',
            integrationError: '$context.integration.error',
            error: '$context.error.message',
          }),
        ),
      },
    });
  }

  /**
   * Routes to one function behind the API's default authorizer (IAM: SigV4-signed callers only),
   * one per method and path, as CONTRACT §4 lists them.
   */
  addIamRoutes(
    integrationId: string,
    routes: readonly { readonly method: string; readonly path: string }[],
    fn: IFunction,
  ): HttpRoute[] {
    const integration = new HttpLambdaIntegration(integrationId, fn);
    return routes.flatMap((route) => {
      const method = HttpMethod[route.method as keyof typeof HttpMethod];
      if (method === undefined) throw new Error(`not an HTTP method: ${route.method}`);
      return this.httpApi.addRoutes({ path: route.path, methods: [method], integration });
    });
  }

  /**
   * Routes to one function behind a JWT authorizer (the Cognito user pool of Identity): the routes
   * people call from the dashboard, whose handlers read the caller from the verified claims.
   */
  addJwtRoutes(
    integrationId: string,
    routes: readonly { readonly method: string; readonly path: string }[],
    fn: IFunction,
    authorizer: IHttpRouteAuthorizer,
  ): HttpRoute[] {
    const integration = new HttpLambdaIntegration(integrationId, fn);
    return routes.flatMap((route) => {
      const method = HttpMethod[route.method as keyof typeof HttpMethod];
      if (method === undefined) throw new Error(`not an HTTP method: ${route.method}`);
      return this.httpApi.addRoutes({ path: route.path, methods: [method], integration, authorizer });
    });
  }

  /** The base URL of the `$default` stage. */
  get url(): string {
    return this.defaultStage.url;
  }

  /** The API's host name (`<api id>.execute-api.<region>.amazonaws.com`), for a CloudFront origin. */
  get domainName(): string {
    const stack = Stack.of(this);
    return `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }
}
