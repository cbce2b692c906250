import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod, HttpNoneAuthorizer, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { BUCKET, ENV, HANDLERS, WEBHOOK_ROUTES } from '../declarations/tables.js';
import type { Api } from './api.js';
import type { DeclaredTable } from './data.js';
import { StocktallyFunction, type TableAccess } from './function.js';
import { dataRemovalPolicy, type Stage } from './stage.js';

/** The reference tables an S3 drop replaces: units, costs, exchange rates and the code mapping. */
const REFERENCE_TABLES = [
  BUCKET.uomTableKey,
  BUCKET.costsTableKey,
  BUCKET.ratesTableKey,
  BUCKET.codesTableKey,
];

export type WebhookSource = (typeof WEBHOOK_ROUTES)[number]['source'];

/** The environment variable that carries each source system's webhook secret ARN. */
export const WEBHOOK_SECRET_ENV: Readonly<Record<WebhookSource, string>> = {
  wms: ENV.wmsSecretArn,
  finance: ENV.financeSecretArn,
};

export interface IngestProps {
  readonly stage: Stage;
  readonly projectRoot: string;
  /** The ledger records table, written by both ingest paths. */
  readonly records: DeclaredTable;
  /** The data bucket whose incoming/ drops trigger the S3 path. */
  readonly bucket: Bucket;
  /** The HTTP API the webhook routes are added to. */
  readonly api: Api;
  readonly partitions: number;
  readonly timeZone: string;
}

/**
 * What both ingest paths do to the records table (lib/adapters/ingest/record-store.ts): read the heads of a
 * batch's ids, claim a new id's head with a conditional put and write versions and conflicts (items
 * under `wms#`/`finance#`), mark the partitions touched dirty (`dirty`), and append the delivery to
 * its source's ingest journal (`journal#`, issue 16: the last link read, the next one put). No index,
 * no delete.
 */
export const LEDGER_WRITES: TableAccess = {
  items: [
    {
      actions: ['BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem'],
      leadingKeys: ['wms#*', 'finance#*'],
    },
    { actions: ['UpdateItem'], leadingKeys: ['dirty'] },
    { actions: ['PutItem', 'Query'], leadingKeys: ['journal#*'] },
    // The periods its records are dated in, and the late arrivals of locked ones (CONTRACT §7).
    { actions: ['Query', 'UpdateItem'], leadingKeys: ['period'] },
    { actions: ['BatchWriteItem'], leadingKeys: ['late#*'] },
  ],
};

/**
 * Both ingest paths of CONTRACT §4: the two signed webhook routes of the HTTP API in front of the
 * webhook function, and the S3 object-created trigger on incoming/ in front of the drop function.
 */
export class Ingest extends Construct {
  readonly webhookRoutes: readonly HttpRoute[];
  readonly webhook: StocktallyFunction;
  readonly s3Drop: StocktallyFunction;
  readonly secrets: Readonly<Record<WebhookSource, Secret>>;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const common = { [ENV.partitions]: String(props.partitions), [ENV.timeZone]: props.timeZone };

    this.secrets = {
      wms: this.webhookSecret('WmsWebhookSecret', 'wms', props.stage),
      finance: this.webhookSecret('FinanceWebhookSecret', 'finance', props.stage),
    };

    this.webhook = new StocktallyFunction(this, 'Webhook', {
      stage: props.stage,
      projectRoot: props.projectRoot,
      entry: HANDLERS.webhook,
      description: `Signed webhooks ${WEBHOOK_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      invokedBy: 'api',
      // API Gateway gives up on an integration after 30 s; answer before it does.
      timeout: Duration.seconds(29),
      environment: common,
    })
      .bindTable(props.records, LEDGER_WRITES)
      .bindSecret(this.secrets.wms, WEBHOOK_SECRET_ENV.wms)
      .bindSecret(this.secrets.finance, WEBHOOK_SECRET_ENV.finance)
      // The code mapping it stores records under (统一编码): absent until the first codes drop.
      .bindBucket(props.bucket, { optional: [BUCKET.codesTableKey] });

    this.s3Drop = new StocktallyFunction(this, 'S3Drop', {
      stage: props.stage,
      projectRoot: props.projectRoot,
      entry: HANDLERS.s3Drop,
      description: `Ingests drops under ${BUCKET.incomingPrefix}, reports to ${BUCKET.ingestReportPrefix}`,
      // S3 invokes it asynchronously: events that fail Lambda's retries land in its dead-letter queue.
      invokedBy: 's3Event',
      // A drop too big for one invocation resumes from its checkpoint when the event is retried.
      timeout: Duration.minutes(15),
      environment: common,
    })
      .bindTable(props.records, {
        items: [
          ...(LEDGER_WRITES.items ?? []),
          // Its checkpoint (lib/adapters/ingest/checkpoint-store.ts), read and saved per drop.
          { actions: ['GetItem', 'PutItem'], leadingKeys: ['checkpoint#*'] },
        ],
      })
      .bindBucket(props.bucket, {
        read: [BUCKET.incomingPrefix],
        write: [BUCKET.ingestReportPrefix],
        // An accepted reference table replaces the one in force.
        writeObjects: REFERENCE_TABLES,
        // The table it replaces is read first, so the drop's report can say what it held (issue 16);
        // the code mapping is read too, to store a ledger drop's records under the unified codes.
        optional: REFERENCE_TABLES,
      });

    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.s3Drop.fn), {
      prefix: BUCKET.incomingPrefix,
    });
    acknowledgeBucketNotificationsHandler(Stack.of(this));

    const integration = new HttpLambdaIntegration('WebhookIntegration', this.webhook.fn);
    this.webhookRoutes = WEBHOOK_ROUTES.flatMap((route) =>
      props.api.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: new HttpNoneAuthorizer(),
      }),
    );
    for (const route of this.webhookRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'A signed webhook of CONTRACT §4: the WMS and the finance system authenticate with an HMAC-SHA256 ' +
          'signature of timestamp.body under their own secret, not AWS credentials or tokens. The handler checks ' +
          'it (300 s window, constant-time compare) and answers 401 before anything is written.',
      });
    }
  }

  private webhookSecret(id: string, source: WebhookSource, stage: Stage): Secret {
    const secret = new Secret(this, id, {
      description: `HMAC key the ${source} system signs Stocktally webhooks with (CONTRACT §4)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: dataRemovalPolicy(stage),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        `A key shared with the ${source} system, which signs with it: rotating it on a schedule would break ` +
        'its signatures until someone reconfigures that system, so it is rotated by hand with the system owner.',
    });
    return secret;
  }
}

/**
 * S3 notifications are written by a CDK-provided custom resource (a singleton function per stack that
 * CloudFormation runs at deploy time only); its code, runtime and role come with aws-cdk-lib.
 */
function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  const handler: IConstruct | undefined = stack.node.tryFindChild(
    'BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
  );
  if (!handler) throw new Error('the S3 notifications custom resource moved: review its cdk-nag findings');
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's deploy-time custom resource that writes the data bucket's notification configuration; its role " +
      'comes with aws-cdk-lib and the managed policy only lets it write its own logs. It never sees data.',
  });
}
