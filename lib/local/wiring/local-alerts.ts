import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chatChannels,
  isChatChannelType,
  type AlertConfig,
  type ChatSecret,
} from '../../core/alerts/alert-config.js';
import { firstLine, type ChatBody } from '../../core/alerts/alert-render.js';
import { parseAlertConfigText } from '../../adapters/alerts/alert-config-document.js';
import {
  alertAttributes,
  type AlertPublisher,
  type PublishedAlert,
} from '../../adapters/alerts/alert-publisher.js';
import { CHAT_DELIVERY, DEFAULT_ALERT_CONFIG_PATH } from '../../declarations/alerts.js';
import { BUCKET, ENV } from '../../declarations/tables.js';
import { startChatSink, type ChatSink } from './chat-sink.js';
import {
  describeError,
  invoke,
  SILENT,
  type LambdaHandler,
  type LocalLog,
} from '../standins/lambda-runtime.js';
import { LOCAL_REGION } from '../standins/embedded-aws.js';
import { currentTime } from '../../adapters/aws/clock.js';

/**
 * Alerts without SNS: the local AlertPublisher. A chat message goes to the real chat delivery
 * handler as the SQS queue would hand it over (an SQS event of one record, its attributes as
 * message attributes); a message the handler reports in batchItemFailures is delivered again, up to
 * the queue's receive count (CHAT_DELIVERY.maxReceiveCount), and then kept as a dead letter. An email
 * is kept as SNS would send it (subject and text), for `stocktally start` to show. Deliveries run
 * in the background, as they do behind SNS; `idle()` waits for them.
 */
export interface LocalAlertsOptions {
  deliverChat: LambdaHandler<SQSEvent, SQSBatchResponse>;
  maxReceiveCount?: number;
  /** Wait before a message is delivered again (the queue's visibility timeout; locally short). */
  redeliveryDelayMs?: number;
  /** Checks the publisher's sns:Publish on the alert's topic (the local IAM check); throws if refused. */
  authorize?: (alert: PublishedAlert) => void;
  log?: LocalLog;
}

export interface LocalDeadLetter {
  alert: PublishedAlert;
  receives: number;
}

const QUEUE_ARN = `arn:aws:sqs:${LOCAL_REGION}:000000000000:stocktally-chat-alerts`;

export class LocalAlerts implements AlertPublisher {
  readonly published: PublishedAlert[] = [];
  /** Chat messages the chat delivery handler reported delivered. */
  readonly delivered: PublishedAlert[] = [];
  readonly emails: PublishedAlert[] = [];
  readonly deadLetters: LocalDeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: LocalLog;

  constructor(private readonly options: LocalAlertsOptions) {
    this.log = options.log ?? SILENT;
  }

  async publish(alert: PublishedAlert): Promise<void> {
    this.options.authorize?.(alert);
    this.published.push(alert);
    if (!isChatChannelType(alert.channelType)) {
      this.emails.push(alert);
      this.log.info(`email ${alert.channel}: ${alert.subject ?? ''}`);
      return;
    }
    const delivery = this.deliver(alert).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Waits until every message published so far is delivered or dead-lettered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  clear(): void {
    this.published.length = 0;
    this.delivered.length = 0;
    this.emails.length = 0;
    this.deadLetters.length = 0;
  }

  private async deliver(alert: PublishedAlert): Promise<void> {
    const maxReceives = this.options.maxReceiveCount ?? CHAT_DELIVERY.maxReceiveCount;
    const messageId = randomUUID();
    const fn = {
      name: CHAT_DELIVERY.localName,
      handler: this.options.deliverChat,
      timeoutMs: CHAT_DELIVERY.timeoutSeconds * 1000,
    };
    for (let receive = 1; receive <= maxReceives; receive++) {
      if (receive > 1) await new Promise((r) => setTimeout(r, this.options.redeliveryDelayMs ?? 0));
      try {
        const answer = await invoke(fn, { Records: [sqsRecord(alert, messageId, receive)] });
        if (!answer.batchItemFailures.some((f) => f.itemIdentifier === messageId)) {
          this.delivered.push(alert);
          return;
        }
      } catch (error) {
        // A thrown handler fails the whole batch: SQS delivers it again, as here.
        this.log.error(`${fn.name} failed: ${describeError(error)}`);
      }
    }
    this.deadLetters.push({ alert, receives: maxReceives });
    this.log.error(
      `alert ${alert.id} to ${alert.channel}: not delivered after ${maxReceives} receives, dead-lettered`,
    );
  }
}

function sqsRecord(alert: PublishedAlert, messageId: string, receive: number): SQSRecord {
  const now = String(currentTime().getTime());
  return {
    messageId,
    receiptHandle: `${messageId}#${receive}`,
    body: alert.message,
    attributes: {
      ApproximateReceiveCount: String(receive),
      SentTimestamp: now,
      SenderId: 'sns.amazonaws.com',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(alertAttributes(alert)).map(([name, value]) => [
        name,
        { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: createHash('md5').update(alert.message).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: LOCAL_REGION,
  };
}

/** config/alerts.yaml beside the package: two levels above lib/local/, one above dist/. */
export function findAlertConfig(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, DEFAULT_ALERT_CONFIG_PATH);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`the alert configuration (${DEFAULT_ALERT_CONFIG_PATH}) is not found above ${from}`);
}

export interface LocalAlertsWiringOptions {
  s3: S3Client;
  bucket: string;
  /** The chat delivery handler and the port Notify publishes through (the real ones, from RunHandlers). */
  deliverChat: LambdaHandler<SQSEvent, SQSBatchResponse>;
  setAlertPublisher(publisher: AlertPublisher | undefined): void;
  /** The configuration document; by default the repository's config/alerts.yaml. */
  configPath?: string;
  redeliveryDelayMs?: number;
  /** The local IAM check of each publish (see LocalAlertsOptions). */
  authorize?: (alert: PublishedAlert) => void;
  log?: LocalLog;
  env?: NodeJS.ProcessEnv;
}

/** What `stocktally start` shows of an alert: where it went, its format, its kind, its first line. */
export interface ShownAlert {
  channel: string;
  format: string;
  kind: string;
  firstLine: string;
}

export interface LocalAlertsWiring {
  sink: ChatSink;
  publisher: LocalAlerts;
  config: AlertConfig;
  configPath: string;
  /** Sets the API's base URL for the report links (known once the HTTP front listens). */
  useApi(url: string): void;
  /** What each channel got so far: chat messages delivered to the sink, then the emails. */
  shown(): ShownAlert[];
  stop(): Promise<void>;
}

/**
 * Alerts on this machine, as the stack wires them in the cloud: the configuration document put in
 * the bucket where Notify reads it (s3://<bucket>/config/alerts.yaml), the chat sink standing in for
 * DingTalk, WeCom and Slack with one robot per chat channel of the document, each channel's secret
 * pointed at its robot (STOCKTALLY_CHAT_SECRETS), and the local publisher in place of SNS.
 */
export async function startLocalAlerts(options: LocalAlertsWiringOptions): Promise<LocalAlertsWiring> {
  const env = options.env ?? process.env;
  const log = options.log ?? SILENT;
  const configPath = options.configPath ?? findAlertConfig();
  const text = readFileSync(configPath, 'utf8');
  const config = parseAlertConfigText(text, configPath);
  const sink = await startChatSink({
    onMessage: (m) => log.info(`chat ${m.channel} (${m.type}): ${firstLine(m.body as unknown as ChatBody)}`),
  });
  const secrets: Record<string, ChatSecret> = {};
  for (const channel of chatChannels(config))
    secrets[channel.secret] = sink.addChannel(channel.name, channel.type).secret;
  const saved = { chatSecrets: env[ENV.chatSecrets], apiUrl: env[ENV.apiUrl] };
  env[ENV.chatSecrets] = JSON.stringify(secrets);
  await options.s3.send(
    new PutObjectCommand({
      Bucket: options.bucket,
      Key: BUCKET.alertConfigKey,
      Body: text,
      ContentType: 'application/yaml; charset=utf-8',
    }),
  );
  const publisher = new LocalAlerts({
    deliverChat: options.deliverChat,
    log,
    ...(options.redeliveryDelayMs === undefined ? {} : { redeliveryDelayMs: options.redeliveryDelayMs }),
    ...(options.authorize === undefined ? {} : { authorize: options.authorize }),
  });
  options.setAlertPublisher(publisher);
  const restore = (name: string, value: string | undefined): void => {
    if (value === undefined) delete env[name];
    else env[name] = value;
  };
  return {
    sink,
    publisher,
    config,
    configPath,
    useApi(url) {
      env[ENV.apiUrl] = url;
    },
    shown() {
      const chats = publisher.delivered.map((a) => ({
        channel: a.channel,
        format: a.channelType,
        kind: a.kind,
        firstLine: firstLine((JSON.parse(a.message) as { body: ChatBody }).body),
      }));
      const emails = publisher.emails.map((e) => ({
        channel: e.channel,
        format: 'email',
        kind: e.kind,
        firstLine: e.subject ?? '',
      }));
      return [...chats, ...emails];
    },
    async stop() {
      await publisher.idle();
      options.setAlertPublisher(undefined);
      restore(ENV.chatSecrets, saved.chatSecrets);
      restore(ENV.apiUrl, saved.apiUrl);
      await sink.close();
    },
  };
}
