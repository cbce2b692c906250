import { Template } from 'aws-cdk-lib/assertions';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAT_DELIVERY } from '../../lib/declarations/alerts.js';
import { BUCKET, ENV, RUN_STATES, RUNS_TABLE } from '../../lib/declarations/tables.js';
import { allStates, runDefinitionOf, type CfnTemplate } from '../../lib/local/standins/state-machine.js';
import { Api } from '../../lib/stacks/api.js';
import { createApp } from '../../lib/stacks/app.js';
import { Data } from '../../lib/stacks/data.js';
import { Notify, type NotifyProps } from '../../lib/stacks/notify.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { Storage } from '../../lib/stacks/storage.js';
import { PROJECT_ROOT, testContext, testStack } from './cdk-context.js';
import { actionsOf, logicalIdOf, resourcesOf, statementsFor, statementsOf } from './iam-statements.js';
import { tempDir } from '../support/temp.js';

function synth(extra: Partial<NotifyProps> = {}) {
  const stack = testStack();
  const stage = stageOf('dev');
  const data = new Data(stack, 'Data', { stage });
  const storage = new Storage(stack, 'Storage', { stage });
  const api = new Api(stack, 'Api', { stage });
  const notify = new Notify(stack, 'Notify', {
    stage,
    projectRoot: PROJECT_ROOT,
    runs: data.table(RUNS_TABLE),
    bucket: storage.bucket,
    apiUrl: api.url,
    partitions: 64,
    timeZone: 'Asia/Shanghai',
    ...extra,
  });
  const template = Template.fromStack(stack);
  const ids = {
    key: logicalIdOf(notify.key, stack),
    runsTable: logicalIdOf(data.table(RUNS_TABLE).table, stack),
    queue: logicalIdOf(notify.chatQueue, stack),
    deadLetters: logicalIdOf(notify.chatDeadLetters, stack),
    topics: Object.fromEntries(Object.entries(notify.topics).map(([s, t]) => [s, logicalIdOf(t, stack)])),
    deliverChat: logicalIdOf(notify.deliverChat.fn, stack),
    notifyRun: logicalIdOf(notify.notifyRun.fn, stack),
  };
  return { stack, notify, template, ids };
}

type Resource = { Properties: Record<string, unknown> };

function subscriptions(template: Template, protocol: string): Resource['Properties'][] {
  return Object.values(template.findResources('AWS::SNS::Subscription'))
    .map((r) => (r as Resource).Properties)
    .filter((p) => p.Protocol === protocol);
}

const topicOf = (ids: ReturnType<typeof synth>['ids'], ref: unknown): string | undefined =>
  Object.entries(ids.topics).find(([, id]) => JSON.stringify(ref) === JSON.stringify({ Ref: id }))?.[0];

function configFile(text: string): string {
  const path = join(tempDir('alerts-config-'), 'alerts.yaml');
  writeFileSync(path, text);
  return path;
}

const OTHER_CONFIG = `
channels:
  night-shift:
    type: dingtalk
    secret: ops/night-shift-robot
  cfo:
    type: email
    addresses: [cfo@example.com, deputy@example.com]
    severities: [RED]
default:
  channels: [night-shift, cfo]
`;

describe('Notify: the alert topics', () => {
  it('are one per severity, encrypted with a customer managed key that rotates', () => {
    const { template, ids } = synth();

    template.resourceCountIs('AWS::SNS::Topic', 3);
    for (const id of Object.values(ids.topics)) {
      expect((template.toJSON().Resources[id] as Resource).Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [ids.key, 'Arn'],
      });
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('refuse a publish without TLS', () => {
    const { template } = synth();

    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).map(
      (r) => (r as Resource).Properties.PolicyDocument as { Statement: Record<string, unknown>[] },
    );
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });
});

describe('Notify: the email subscriptions', () => {
  it('come from config/alerts.yaml: each address on its channel’s severities, filtered to its channel', () => {
    const { template, ids } = synth();

    const email = subscriptions(template, 'email').map((p) => ({
      topic: topicOf(ids, p.TopicArn),
      endpoint: p.Endpoint,
      filter: p.FilterPolicy,
    }));
    expect(email).toEqual(
      expect.arrayContaining([
        { topic: 'RED', endpoint: 'inventory-control@example.com', filter: { channel: ['inventory-email'] } },
        {
          topic: 'YELLOW',
          endpoint: 'inventory-control@example.com',
          filter: { channel: ['inventory-email'] },
        },
        {
          topic: 'GREEN',
          endpoint: 'inventory-control@example.com',
          filter: { channel: ['inventory-email'] },
        },
        {
          topic: 'RED',
          endpoint: 'financial-controller@example.com',
          filter: { channel: ['controller-email'] },
        },
      ]),
    );
    // The controller takes RED only.
    expect(email).toHaveLength(4);
  });

  it('follow another document given as configPath, and nothing of the default one', () => {
    const { template, ids } = synth({ configPath: configFile(OTHER_CONFIG) });

    const email = subscriptions(template, 'email').map(
      (p) => `${topicOf(ids, p.TopicArn)} ${String(p.Endpoint)}`,
    );
    expect(email.sort()).toEqual(['RED cfo@example.com', 'RED deputy@example.com']);
  });

  it('come from the `alertConfig` context in the app', () => {
    const { stack } = createApp({
      context: testContext({ alertConfig: configFile(OTHER_CONFIG) }),
      builtinCloudFormationValidation: false,
    });

    const email = subscriptions(Template.fromStack(stack), 'email').map((p) => p.Endpoint);
    expect(email.sort()).toEqual(['cfo@example.com', 'deputy@example.com']);
  });

  it('refuse to synthesize from an invalid document, naming the field', () => {
    const path = configFile(
      'channels: { x: { type: email, addresses: [nobody] } }\ndefault: { channels: [y] }\n',
    );

    expect(() => synth({ configPath: path })).toThrow(/channels\.x\.addresses\.0: is not an email address/);
  });
});

describe('Notify: chat delivery', () => {
  it('is a queue subscribed to every topic for chat messages only, raw, with a dead-letter queue', () => {
    const { template, ids } = synth();

    const sqs = subscriptions(template, 'sqs');
    expect(sqs.map((p) => topicOf(ids, p.TopicArn)).sort()).toEqual(['GREEN', 'RED', 'YELLOW']);
    for (const p of sqs) {
      expect(p).toMatchObject({
        Endpoint: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        RawMessageDelivery: true,
        FilterPolicy: { channelType: ['dingtalk', 'wecom', 'slack'] },
      });
    }
    const queue = template.toJSON().Resources[ids.queue] as Resource;
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: CHAT_DELIVERY.visibilityTimeoutSeconds,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetters, 'Arn'] },
        maxReceiveCount: CHAT_DELIVERY.maxReceiveCount,
      },
    });
    const dlq = template.toJSON().Resources[ids.deadLetters] as Resource;
    expect(dlq.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('runs the chat function on the queue with partial batch responses', () => {
    const { template, ids } = synth();

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.deliverChat },
      EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      BatchSize: CHAT_DELIVERY.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the chat function read exactly the secrets the configuration names, and nothing else', () => {
    const { template, notify } = synth();

    const statements = statementsOf(template, notify.deliverChat.role);
    const secrets = statementsFor(statements, 'secretsmanager');
    expect(actionsOf(secrets)).toEqual(['secretsmanager:GetSecretValue']);
    const arns = resourcesOf(secrets).map((r) => JSON.stringify(r));
    expect(arns).toHaveLength(3);
    for (const name of ['ops-dingtalk', 'shanghai-wecom', 'finance-slack']) {
      expect(arns.some((a) => a.includes(`:secret:stocktally/alerts/${name}-??????`))).toBe(true);
    }
    // No wildcard secret, and no other service beyond its queue, logs and traces.
    expect(arns.some((a) => a.includes(':secret:*'))).toBe(false);
    expect(new Set(actionsOf(statements).map((a) => a.split(':')[0]))).toEqual(
      new Set(['secretsmanager', 'sqs', 'logs', 'xray']),
    );
  });

  it('grants the secrets of another document only', () => {
    const { template, notify } = synth({ configPath: configFile(OTHER_CONFIG) });

    const arns = resourcesOf(
      statementsFor(statementsOf(template, notify.deliverChat.role), 'secretsmanager'),
    );
    expect(arns).toHaveLength(1);
    expect(JSON.stringify(arns[0])).toContain(':secret:ops/night-shift-robot-??????');
  });

  it('keeps webhook URLs and secrets out of the template', () => {
    const { template } = synth();

    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/oapi\.dingtalk\.com|qyapi\.weixin\.qq\.com|hooks\.slack\.com/);
  });
});

describe('Notify: the notify function', () => {
  it('may publish to the three topics with the key, and nothing else of SNS or KMS', () => {
    const { template, notify, ids } = synth();

    const statements = statementsOf(template, notify.notifyRun.role);
    const sns = statementsFor(statements, 'sns');
    expect(actionsOf(sns)).toEqual(['sns:Publish']);
    expect(resourcesOf(sns)).toHaveLength(3);
    expect(resourcesOf(sns)).toEqual(
      expect.arrayContaining(Object.values(ids.topics).map((id) => ({ Ref: id }))),
    );
    const kms = statementsFor(statements, 'kms');
    expect(actionsOf(kms)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resourcesOf(kms)).toEqual([{ 'Fn::GetAtt': [ids.key, 'Arn'] }]);
    expect(statementsFor(statements, 'secretsmanager')).toEqual([]);
  });

  it('reads runs and writes only alert items of the runs table', () => {
    const { template, notify, ids } = synth();

    const dynamo = statementsFor(statementsOf(template, notify.notifyRun.role), 'dynamodb') as unknown as {
      Action: string[];
      Resource: unknown;
      Condition: unknown;
    }[];
    const sorted = dynamo.map((st) => ({ ...st, Action: [...st.Action].sort() }));
    expect(sorted).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [ids.runsTable, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['run#*', 'alert#*'] } },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [ids.runsTable, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['alert#*'] } },
      },
    ]);
  });

  it('knows its topics, the API and the runs table from its environment', () => {
    const { template, ids } = synth();

    const fn = template.toJSON().Resources[ids.notifyRun] as Resource;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      [ENV.alertTopicRed]: { Ref: ids.topics.RED },
      [ENV.alertTopicYellow]: { Ref: ids.topics.YELLOW },
      [ENV.alertTopicGreen]: { Ref: ids.topics.GREEN },
      [RUNS_TABLE.env]: { Ref: ids.runsTable },
      [ENV.timeZone]: 'Asia/Shanghai',
    });
    expect(variables[ENV.apiUrl]).toBeDefined();
  });

  it('finds its routing where the stack deploys the document, and reads nothing else of the bucket', () => {
    const { template, notify } = synth();

    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: BUCKET.configPrefix,
      Prune: false,
    });
    const s3 = statementsFor(statementsOf(template, notify.notifyRun.role), 's3');
    expect(s3).toHaveLength(1);
    expect(s3[0]?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(s3[0]?.Resource)).toContain(`"/${BUCKET.alertConfigKey}"`);
  });
});

describe('the run state machine with alerts', () => {
  it('runs Notify after SummarizeRun with the run id, and a failure of it is caught', () => {
    const { stack } = createApp({ context: testContext(), builtinCloudFormationValidation: false });
    const { definition } = runDefinitionOf(Template.fromStack(stack).toJSON() as CfnTemplate);
    const states = allStates(definition);

    expect(states.get(RUN_STATES.summarizeRun)?.Next).toBe(RUN_STATES.notify);
    expect(states.get(RUN_STATES.notify)).toMatchObject({
      Parameters: { 'runId.$': '$.runId' },
      ResultPath: null,
      End: true,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyFailure', Next: RUN_STATES.notifyFailed }],
    });
    expect(states.get(RUN_STATES.notifyFailed)).toMatchObject({ Type: 'Pass', End: true });
  });
});
