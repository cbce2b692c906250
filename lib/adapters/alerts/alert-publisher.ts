import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AlertPublisher, PublishedAlert } from '../../core/alerts/ports.js';
import { ALERT_ATTRIBUTES } from '../../core/alerts/chat-delivery.js';
import type { Severity } from '../../core/reconcile/discrepancy.js';
import { ENV } from '../../declarations/tables.js';
import { requiredEnv } from '../aws/env.js';

/**
 * The port the notify function publishes alerts through. In the cloud: the SNS topic of the
 * alert's severity (RED, YELLOW, GREEN; KMS-encrypted), with the channel, its type, the severity and
 * the kind as message attributes, on which the subscriptions filter: an email channel's addresses
 * take the messages whose `channel` is theirs, the chat delivery queue those whose `channelType` is
 * dingtalk, wecom or slack. Locally (`stocktally start`) there is no SNS: the local publisher hands
 * chat messages to the same chat delivery handler and keeps the emails (lib/local/wiring/local-alerts.ts).
 */
export type { AlertPublisher, PublishedAlert } from '../../core/alerts/ports.js';

const TOPIC_ENV: Readonly<Record<Severity, string>> = {
  RED: ENV.alertTopicRed,
  YELLOW: ENV.alertTopicYellow,
  GREEN: ENV.alertTopicGreen,
};

export function alertAttributes(alert: PublishedAlert): Record<string, string> {
  return {
    [ALERT_ATTRIBUTES.channel]: alert.channel,
    [ALERT_ATTRIBUTES.channelType]: alert.channelType,
    [ALERT_ATTRIBUTES.severity]: alert.severity,
    [ALERT_ATTRIBUTES.kind]: alert.kind,
  };
}

export class SnsAlertPublisher implements AlertPublisher {
  constructor(private readonly client: SNSClient) {}

  async publish(alert: PublishedAlert): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: requiredEnv(TOPIC_ENV[alert.severity]),
        Message: alert.message,
        ...(alert.subject === undefined ? {} : { Subject: alert.subject }),
        MessageAttributes: Object.fromEntries(
          Object.entries(alertAttributes(alert)).map(([name, value]) => [
            name,
            { DataType: 'String', StringValue: value },
          ]),
        ),
      }),
    );
  }
}

let publisher: AlertPublisher | undefined;

export function alertPublisher(): AlertPublisher {
  return (publisher ??= new SnsAlertPublisher(new SNSClient({})));
}

/** Replaces the publisher (the local one, a test's); undefined restores SNS. */
export function setAlertPublisher(next: AlertPublisher | undefined): void {
  publisher = next;
}
