import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnsAlertPublisher, type PublishedAlert } from '../../lib/adapters/alerts/alert-publisher.js';
import { ConfigurationError } from '../../lib/errors/common.js';
import { ENV } from '../../lib/declarations/tables.js';

// SNS has no stand-in here: what the publisher sends is checked on a mocked client.
const sns = mockClient(SNSClient);

const alert = (over: Partial<PublishedAlert>): PublishedAlert => ({
  id: 'red#ops#WH-1|SKU|DOC',
  runId: 'close-1',
  severity: 'RED',
  channel: 'ops',
  channelType: 'dingtalk',
  kind: 'red',
  message: '{"v":1}',
  ...over,
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  vi.stubEnv(ENV.alertTopicRed, 'arn:aws:sns:us-east-1:1:red');
  vi.stubEnv(ENV.alertTopicYellow, 'arn:aws:sns:us-east-1:1:yellow');
  vi.stubEnv(ENV.alertTopicGreen, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the SNS alert publisher', () => {
  it('publishes to the topic of the alert’s severity, with the attributes the subscriptions filter on', async () => {
    const publisher = new SnsAlertPublisher(new SNSClient({ region: 'us-east-1' }));

    await publisher.publish(alert({}));
    await publisher.publish(
      alert({
        severity: 'YELLOW',
        channel: 'mail',
        channelType: 'email',
        kind: 'yellow-digest',
        subject: '🟡 digest',
        message: 'text',
      }),
    );

    const [red, yellow] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(red).toEqual({
      TopicArn: 'arn:aws:sns:us-east-1:1:red',
      Message: '{"v":1}',
      MessageAttributes: {
        channel: { DataType: 'String', StringValue: 'ops' },
        channelType: { DataType: 'String', StringValue: 'dingtalk' },
        severity: { DataType: 'String', StringValue: 'RED' },
        kind: { DataType: 'String', StringValue: 'red' },
      },
    });
    expect(yellow).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:1:yellow',
      Subject: '🟡 digest',
      Message: 'text',
      MessageAttributes: { channel: { StringValue: 'mail' }, channelType: { StringValue: 'email' } },
    });
  });

  it('fails naming the variable when the topic of a severity is not configured', async () => {
    const publisher = new SnsAlertPublisher(new SNSClient({ region: 'us-east-1' }));

    await expect(publisher.publish(alert({ severity: 'GREEN' }))).rejects.toBeInstanceOf(ConfigurationError);
    await expect(publisher.publish(alert({ severity: 'GREEN' }))).rejects.toThrow(ENV.alertTopicGreen);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
