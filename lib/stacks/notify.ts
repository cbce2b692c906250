import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  CHAT_CHANNEL_TYPES,
  chatChannels,
  emailChannels,
  type AlertConfig,
} from '../core/alerts/alert-config.js';
import { ALERT_ATTRIBUTES } from '../core/alerts/chat-delivery.js';
import { SEVERITIES, type Severity } from '../core/reconcile/discrepancy.js';
import { parseAlertConfigText } from '../adapters/alerts/alert-config-document.js';
import { CHAT_DELIVERY, DEFAULT_ALERT_CONFIG_PATH } from '../declarations/alerts.js';
import { BUCKET, ENV, HANDLERS } from '../declarations/tables.js';
import { RUN_FUNCTIONS } from '../declarations/runs.js';
import type { DeclaredTable } from './data.js';
import { StocktallyFunction } from './function.js';
import { wildcardResourceFinding } from './nag-finding.js';
import { dataRemovalPolicy, type Stage } from './stage.js';

/**
 * Alerts (issue 7): the SNS topic per severity (RED, YELLOW, GREEN; encrypted with a customer
 * managed KMS key, TLS only), the notify function the run state machine calls after SummarizeRun,
 * and the chat delivery behind the topics.
 *
 * The configuration document (config/alerts.yaml, or the `alertConfig` context) is read at synth
 * time: its email addresses become email subscriptions, filtered to their channel's messages, and
 * its chat channels' secrets are the only secrets the chat function may read. The same document is
 * deployed to s3://<data bucket>/config/alerts.yaml, where the notify function reads its routing.
 *
 * Chat delivery is SNS -> SQS -> Lambda rather than SNS -> Lambda: the queue keeps a message while a
 * chat service or the function is down (SNS gives a Lambda a few async retries), a failed message
 * comes back after the visibility timeout on its own, and past the receive count it lands in the
 * dead-letter queue; partial batch responses return only the messages that failed, so one broken
 * channel never holds back the others.
 */
export interface NotifyProps {
  readonly stage: Stage;
  readonly projectRoot: string;
  /** The runs table: the run and its discrepancies are read, the alert marks written. */
  readonly runs: DeclaredTable;
  /** The data bucket: the configuration document is deployed under config/ and read from there. */
  readonly bucket: IBucket;
  /** Base URL of the HTTP API, for the report links. */
  readonly apiUrl: string;
  readonly partitions: number;
  readonly timeZone: string;
  /** The configuration document, absolute or relative to projectRoot. @default config/alerts.yaml */
  readonly configPath?: string;
}

/** A message attribute filter: the values of `attribute` that a subscription takes. */
const takes = (attribute: string, values: readonly string[]) => ({
  [attribute]: SubscriptionFilter.stringFilter({ allowlist: [...values] }),
});

const TOPIC_ENV: Readonly<Record<Severity, string>> = {
  RED: ENV.alertTopicRed,
  YELLOW: ENV.alertTopicYellow,
  GREEN: ENV.alertTopicGreen,
};

/** The ARN (for a policy) of a secret named in the configuration: by name, any of its suffixes. */
export function secretPolicyArn(scope: Construct, secret: string): string {
  if (secret.startsWith('arn:')) return secret;
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secret}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export class Notify extends Construct {
  readonly config: AlertConfig;
  readonly key: Key;
  readonly topics: Readonly<Record<Severity, Topic>>;
  readonly notifyRun: StocktallyFunction;
  readonly deliverChat: StocktallyFunction;
  readonly chatQueue: Queue;
  readonly chatDeadLetters: Queue;
  /** Messages SNS could not hand to an email address or the chat queue. */
  readonly subscriptionDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: NotifyProps) {
    super(scope, id);
    const removalPolicy = dataRemovalPolicy(props.stage);
    const configPath = props.configPath ?? DEFAULT_ALERT_CONFIG_PATH;
    const file = isAbsolute(configPath) ? configPath : join(props.projectRoot, configPath);
    const text = readFileSync(file, 'utf8');
    this.config = parseAlertConfigText(text, configPath);

    this.key = new Key(this, 'Key', {
      description: 'Encrypts the Stocktally alert topics',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.topics = Object.fromEntries(
      SEVERITIES.map((severity) => [
        severity,
        new Topic(this, `${severity[0]}${severity.slice(1).toLowerCase()}Alerts`, {
          displayName: `Stocktally ${severity} alerts`,
          masterKey: this.key,
          enforceSSL: true,
        }),
      ]),
    ) as Record<Severity, Topic>;

    this.chatDeadLetters = this.deadLetterQueue(
      'ChatDeadLetters',
      'the chat alerts: messages no chat service accepted after every retry and receive',
      removalPolicy,
    );
    this.subscriptionDeadLetters = this.deadLetterQueue(
      'SubscriptionDeadLetters',
      'the email subscriptions: alerts SNS could not hand to an address',
      removalPolicy,
    );
    Validations.of(this.subscriptionDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is a dead-letter queue, of SNS email subscriptions (the subscription RedrivePolicy), which ' +
        'cdk-nag does not recognise as it does SQS redrive policies and Lambda dead-letter configs.',
    });

    for (const channel of emailChannels(this.config)) {
      for (const severity of channel.severities) {
        for (const address of channel.addresses) {
          this.topics[severity].addSubscription(
            new EmailSubscription(address, {
              filterPolicy: takes(ALERT_ATTRIBUTES.channel, [channel.name]),
              deadLetterQueue: this.subscriptionDeadLetters,
            }),
          );
        }
      }
    }

    this.chatQueue = new Queue(this, 'ChatQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(CHAT_DELIVERY.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.chatDeadLetters, maxReceiveCount: CHAT_DELIVERY.maxReceiveCount },
      removalPolicy,
    });
    for (const severity of SEVERITIES) {
      this.topics[severity].addSubscription(
        new SqsSubscription(this.chatQueue, {
          rawMessageDelivery: true,
          filterPolicy: takes(ALERT_ATTRIBUTES.channelType, CHAT_CHANNEL_TYPES),
          deadLetterQueue: this.chatDeadLetters,
        }),
      );
    }

    this.notifyRun = this.createNotifyRun(props);
    this.deliverChat = this.createDeliverChat(props);

    // The document the notify function routes with: the very one read above.
    new BucketDeployment(this, 'Config', {
      sources: [Source.data(BUCKET.alertConfigKey.slice(BUCKET.configPrefix.length), text)],
      destinationBucket: props.bucket,
      destinationKeyPrefix: BUCKET.configPrefix,
      prune: false,
      retainOnDelete: false,
    });
    acknowledgeBucketDeploymentHandler(Stack.of(this), props.bucket);
  }

  private deadLetterQueue(id: string, of: string, removalPolicy: RemovalPolicy): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        `This queue is itself the dead-letter queue of ${of}, kept 14 days for inspection and redrive. ` +
        'A queue behind it would only move them.',
    });
    return queue;
  }

  private createNotifyRun(props: NotifyProps): StocktallyFunction {
    const fn = new StocktallyFunction(this, 'NotifyRun', {
      stage: props.stage,
      projectRoot: props.projectRoot,
      entry: HANDLERS.notifyRun,
      description: 'Run step 4: alerts by severity to the SNS topics, de-duplicated across runs',
      invokedBy: 'stateMachine',
      timeout: Duration.seconds(RUN_FUNCTIONS.notifyRun.timeoutSeconds),
      environment: {
        [ENV.partitions]: String(props.partitions),
        [ENV.timeZone]: props.timeZone,
        [ENV.apiUrl]: props.apiUrl,
        ...Object.fromEntries(SEVERITIES.map((s) => [TOPIC_ENV[s], this.topics[s].topicArn])),
      },
      // The routing document the stack deploys there, and nothing else of the bucket.
    }).bindBucket(props.bucket, { objects: [BUCKET.alertConfigKey] });
    bindRunsForAlerts(fn, props.runs);
    // Publish to the three topics, and the two key actions an encrypted topic needs of a publisher
    // (Topic.grantPublish would grant kms:GenerateDataKey*).
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sns:Publish'],
        resources: SEVERITIES.map((s) => this.topics[s].topicArn),
      }),
    );
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
      }),
    );
    return fn;
  }

  private createDeliverChat(props: NotifyProps): StocktallyFunction {
    const fn = new StocktallyFunction(this, 'DeliverChat', {
      stage: props.stage,
      projectRoot: props.projectRoot,
      entry: HANDLERS.deliverChat,
      description: 'Posts chat alerts from the queue to DingTalk, WeCom and Slack webhooks',
      invokedBy: 'queue',
      timeout: Duration.seconds(CHAT_DELIVERY.timeoutSeconds),
      memorySize: 256,
    });
    fn.fn.addEventSource(
      new SqsEventSource(this.chatQueue, {
        batchSize: CHAT_DELIVERY.batchSize,
        reportBatchItemFailures: true,
      }),
    );
    const mapping = fn.fn.node.findAll().find((c) => c instanceof EventSourceMapping);
    if (mapping === undefined)
      throw new Error('the chat queue event source moved: review its cdk-nag findings');
    Validations.of(mapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'An SQS event source takes no on-failure destination (Lambda supports it for streams and Kafka only): ' +
        'failed messages go back to the chat queue and, past its receive count, to its dead-letter queue.',
    });
    // Exactly the secrets the configuration names, and only to read their value.
    const secrets = [...new Set(chatChannels(this.config).map((c) => c.secret))];
    if (secrets.length > 0) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: secrets.map((secret) => secretPolicyArn(this, secret)),
        }),
      );
    }
    return fn;
  }
}

/**
 * The runs table as the notify function needs it, and no more: it reads runs and their discrepancies
 * (items under `run#...`) and the alert marks, and writes only the alert items (`alert#...`).
 */
function bindRunsForAlerts(fn: StocktallyFunction, { declaration, table }: DeclaredTable): void {
  fn.withEnvironment({ [declaration.env]: table.tableName });
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['run#*', 'alert#*'] } },
    }),
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      // Marks are put one by one (conditional claims) and written or removed in batches.
      actions: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['alert#*'] } },
    }),
  );
}

/**
 * BucketDeployment's handler: a singleton function CDK provides, which CloudFormation runs at deploy
 * time only to copy the configuration document into the bucket; its code, runtime and role come with
 * aws-cdk-lib, and it never sees a request or a record.
 */
function acknowledgeBucketDeploymentHandler(stack: Stack, bucket: IBucket): void {
  const handler: IConstruct | undefined = stack.node.children.find((c) =>
    c.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (handler === undefined)
    throw new Error('the BucketDeployment handler moved: review its cdk-nag findings');
  const why =
    "CDK's deploy-time BucketDeployment handler, which copies config/alerts.yaml from the CDK asset bucket into " +
    'the data bucket when the stack deploys;';
  const findings: [string, string][] = [
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'its role comes with aws-cdk-lib and the managed policy only lets it write its own logs.',
    ],
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map(
      (action): [string, string] => [
        `AwsSolutions-IAM5[Action::${action}]`,
        'CDK grants it these read and write action groups on the asset bucket and the data bucket to copy objects.',
      ],
    ),
    [
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      'it reads the document from the CDK bootstrap asset bucket, whose object keys are asset hashes.',
    ],
    [
      wildcardResourceFinding(stack, bucket.arnForObjects('*')),
      'CDK grants it the objects of the destination bucket; it writes config/alerts.yaml only (prune is off).',
    ],
    [
      'AwsSolutions-L1',
      'its Python runtime is chosen by aws-cdk-lib with its code and moves with the library.',
    ],
    ['Serverless-LambdaLatestVersion', 'its Python runtime is chosen by aws-cdk-lib with its code.'],
    [
      'Serverless-LambdaDLQ',
      'CloudFormation invokes it synchronously and reports its failure as a failed deploy.',
    ],
    [
      'Serverless-LambdaTracing',
      'it runs once per deploy, outside any request, so there is no trace to follow.',
    ],
  ];
  for (const [id, reason] of findings)
    Validations.of(handler).acknowledge({ id, reason: `${why} ${reason}` });
}
