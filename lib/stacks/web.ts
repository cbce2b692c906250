import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  Function as EdgeFunction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Bucket, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { wildcardResourceFinding } from './nag-finding.js';
import { PRIVATE_BUCKET } from './storage.js';
import { dataRemovalPolicy, emptiedOnDestroy, type Stage } from './stage.js';

/**
 * What the dashboard needs of sign-in (issue 8's `lib/stacks/identity.ts` provides it): the user pool
 * and the dashboard's app client (authorization code with PKCE, no secret), the hosted UI's base URL
 * (`https://<domain>.auth.<region>.amazoncognito.com`), and a way to allow the dashboard's address as
 * a callback and sign-out URL once CloudFront has named it.
 */
export interface DashboardIdentity {
  readonly userPool: IUserPool;
  readonly dashboardClient: IUserPoolClient;
  readonly hostedUiBaseUrl: string;
  allowCallback(url: string): void;
}

export interface WebProps {
  readonly stage: Stage;
  readonly identity: DashboardIdentity;
  /**
   * The HTTP API's host (`<api id>.execute-api.<region>.amazonaws.com`): the distribution serves it
   * under /v1/*, so the page calls its own origin (see Web).
   */
  readonly apiDomainName: string;
  /** The built app (dist/web/ after `npm run build`). */
  readonly siteDir: string;
  /** Where the buckets' server access logs go (the Storage construct's log bucket). */
  readonly accessLogBucket: IBucket;
}

/** The API's routes, served by the distribution from the API's own origin. */
export const API_PATH_PATTERN = '/v1/*';

/**
 * The page's content security policy in the cloud: this origin (which serves the API too) and the
 * hosted UI's token endpoint only.
 */
export function cloudCsp(hostedUiBaseUrl: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${hostedUiBaseUrl}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${hostedUiBaseUrl}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Every page path is the app, which routes by its hash: a path without a file extension is answered
 * with index.html. A viewer-request function on the site's behaviour only, so the API's own 403 and
 * 404 under /v1/* reach the page unchanged (custom error responses would rewrite them for every path).
 */
export const SPA_FALLBACK_CODE = [
  'function handler(event) {',
  '  var request = event.request;',
  "  if (!/\\.[^/]+$/.test(request.uri)) request.uri = '/index.html';",
  '  return request;',
  '}',
].join('\n');

/**
 * The dashboard in the cloud: the built app in a private bucket (public access blocked, TLS only,
 * encrypted, access-logged) that only CloudFront reads, through Origin Access Control; HTTPS only,
 * a response-headers policy with the security headers (HSTS, CSP, nosniff, frame denial, referrer
 * policy), every page path answered with index.html (the app routes by hash), CloudFront's own access
 * logs kept, and `config.json` generated at deploy time with the sign-in it talks to.
 *
 * The API is served by the same distribution under /v1/* (the HTTP API as a second origin), so the
 * page calls its own origin and no browser ever sends a CORS preflight. Chosen over CORS on the API:
 * an allowed origin naming the distribution would make the API depend on it while the page's CSP
 * names the API (a CloudFormation cycle), a wildcard origin would let any page call the API with a
 * stolen token, and the API keeps no CORS configuration to get wrong (`AllowHeaders: ['*']` does not
 * cover `authorization`). The API behaviour caches nothing and forwards every viewer header, query
 * string and cookie except Host (AllViewerExceptHostHeader): API Gateway routes by its own host name,
 * and with caching disabled CloudFront forwards the `authorization` header the JWT authorizer reads.
 */
export class Web extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly spaFallback: EdgeFunction;
  readonly deployment: BucketDeployment;
  /** `https://<distribution>.cloudfront.net/` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const removalPolicy = dataRemovalPolicy(props.stage);

    this.bucket = new Bucket(this, 'Site', {
      ...PRIVATE_BUCKET,
      versioned: true,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'dashboard-site/',
      removalPolicy,
      autoDeleteObjects: emptiedOnDestroy(props.stage),
      lifecycleRules: [{ id: 'old-builds', noncurrentVersionExpiration: Duration.days(30) }],
    });

    // CloudFront's standard logs are written with ACLs: this bucket alone allows them (its owner
    // still owns every object), and its own access is logged beside the others.
    this.logBucket = new Bucket(this, 'CdnLogs', {
      ...PRIVATE_BUCKET,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'dashboard-cdn-logs/',
      removalPolicy,
      autoDeleteObjects: emptiedOnDestroy(props.stage),
      lifecycleRules: [{ id: 'expire-cdn-logs', expiration: Duration.days(365) }],
    });

    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Stocktally dashboard: HSTS, CSP, nosniff, frame denial, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: {
          contentSecurityPolicy: cloudCsp(props.identity.hostedUiBaseUrl),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.spaFallback = new EdgeFunction(this, 'PagePaths', {
      comment: 'Stocktally dashboard: any page path is the app (index.html)',
      code: FunctionCode.fromInline(SPA_FALLBACK_CODE),
      runtime: FunctionRuntime.JS_2_0,
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Stocktally dashboard (${props.stage.name})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
        functionAssociations: [{ function: this.spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [API_PATH_PATTERN]: {
          origin: new HttpOrigin(props.apiDomainName, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
          compress: true,
        },
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
    props.identity.allowCallback(this.url);

    this.deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(props.siteDir),
        Source.jsonData('config.json', {
          mode: 'cognito',
          // The API is this origin's /v1/*: requests go to relative paths.
          apiUrl: '',
          userPoolDomain: props.identity.hostedUiBaseUrl,
          clientId: props.identity.dashboardClient.userPoolClientId,
          region: Stack.of(this).region,
        }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      prune: true,
      memoryLimit: 512,
    });

    acknowledge(this);
  }
}

/** The findings this construct accepts, each with its reason (reviewed in test/stacks/web.test.ts). */
function acknowledge(web: Web): void {
  // BucketDeployment's handler is CDK's own singleton function, shared by the stack's deployments.
  const handler = web.deployment.handlerRole.node.scope;
  if (handler !== undefined) {
    const copy =
      "CDK's BucketDeployment handler copies the build from the CDK asset bucket into the site bucket and invalidates the distribution";
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `${copy}; the managed basic execution role only lets it write its own CloudWatch logs.`,
      },
      ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${copy}: CDK grants ${action} on the two buckets only (read the asset, replace and prune the site).`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${copy}; cloudfront:CreateInvalidation and GetInvalidation take no narrower resource in CDK's grant.`,
      },
      {
        id: wildcardResourceFinding(web, web.bucket.arnForObjects('*')),
        reason: `${copy}: it replaces every object of the site bucket, so its grant covers the bucket's objects.`,
      },
      {
        id: wildcardResourceFinding(
          web,
          `arn:${Aws.PARTITION}:s3:::cdk-hnb659fds-assets-${Aws.ACCOUNT_ID}-${Aws.REGION}/*`,
        ),
        reason: `${copy}: it reads the build's zip from the bootstrap asset bucket, whose object keys are content hashes.`,
      },
      {
        id: 'AwsSolutions-L1',
        reason: `${copy}; its runtime is chosen by aws-cdk-lib and moves with CDK upgrades, not by this project.`,
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason: `${copy}; it runs synchronously inside a CloudFormation deployment, which reports and rolls back a failure.`,
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason: `${copy}; its runtime is chosen by aws-cdk-lib and moves with CDK upgrades, not by this project.`,
      },
      {
        id: 'Serverless-LambdaTracing',
        reason: `${copy}; it runs once per deployment and CloudFormation's events already trace it end to end.`,
      },
    );
  }
  Validations.of(web.distribution).acknowledge(
    {
      id: 'AwsSolutions-CFR1',
      reason:
        'Finance and warehouse staff sign in from wherever they work; no country is excluded, and every API call still needs a Cognito token.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves only static files of a signed-in app; the data lives behind the API, whose throttling and JWT authorizer guard it. A WAF web ACL can be attached per account when its cost is wanted.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'The default *.cloudfront.net certificate lets CloudFront negotiate TLSv1 with old clients; TLSv1.2_2021 is set and takes effect once a custom domain with its own certificate is configured.',
    },
  );
}
