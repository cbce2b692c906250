import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUCKET, RECORDS_TABLE } from '../../lib/declarations.js';
import { Data } from '../../lib/stacks/data.js';
import { StocktallyFunction } from '../../lib/stacks/function.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { PROJECT_ROOT, testContext, testStack } from './cdk-context.js';
import { tempDir } from '../support/temp.js';
import {
  actionsOf,
  arnJoin,
  logicalIdOf,
  resourcesOf,
  statementsFor,
  statementsOf,
} from './iam-statements.js';

const ECHO = 'test/stacks/fixtures/echo-handler.ts';

function fixture(stack: Stack = testStack(), entry = ECHO) {
  const fn = new StocktallyFunction(stack, 'Fn', {
    stage: stageOf('dev'),
    projectRoot: PROJECT_ROOT,
    entry,
    description: 'a test function',
  });
  return { stack, fn };
}

function functionProps(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return (functions[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('StocktallyFunction', () => {
  it('runs Node.js 22 on ARM64 with active tracing, an explicit timeout and memory size', () => {
    const { stack } = fixture();

    expect(functionProps(Template.fromStack(stack))).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 30,
      MemorySize: 1024,
      Handler: 'index.handler',
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('writes to its own log group, kept for a bounded time', () => {
    const { stack, fn } = fixture();
    const template = Template.fromStack(stack);

    const logGroupId = logicalIdOf(fn.logGroup, stack);
    expect(functionProps(template).LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('sends events that failed every retry to an encrypted, SSL-only dead-letter queue', () => {
    const { stack, fn } = fixture();
    const template = Template.fromStack(stack);

    const queueId = logicalIdOf(fn.deadLetterQueue, stack);
    expect(functionProps(template).DeadLetterConfig).toEqual({
      TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
          },
        ],
      },
    });
  });

  it('starts from a role with no managed policy that may only write its logs, trace and dead-letter', () => {
    const { stack, fn } = fixture();
    const template = Template.fromStack(stack);

    const role = template.toJSON().Resources[logicalIdOf(fn.role, stack)];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(actionsOf(statementsOf(template, fn.role))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('binds a table for reading: its env var, read actions on it and Query on its declared indexes', () => {
    const stack = testStack();
    const records = new Data(stack, 'Data', { stage: stageOf('dev') }).table(RECORDS_TABLE);
    const { fn } = fixture(stack);

    fn.bindTable(records, 'read');

    const template = Template.fromStack(stack);
    const tableId = logicalIdOf(records.table, stack);
    expect(functionProps(template)).toMatchObject({
      Environment: { Variables: { [RECORDS_TABLE.env]: { Ref: tableId } } },
    });
    const dynamo = statementsFor(statementsOf(template, fn.role), 'dynamodb');
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:BatchGetItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:GetItem',
          'dynamodb:Query',
        ],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: arnJoin(tableId, `/index/${RECORDS_TABLE.indexes[0]?.name}`),
      },
    ]);
  });

  it('binds a table for reading and writing with item writes but no table administration', () => {
    const stack = testStack();
    const records = new Data(stack, 'Data', { stage: stageOf('dev') }).table(RECORDS_TABLE);
    const { fn } = fixture(stack);

    fn.bindTable(records, 'readWrite');

    const actions = actionsOf(statementsFor(statementsOf(Template.fromStack(stack), fn.role), 'dynamodb'));
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem']),
    );
    expect(actions.filter((a) => /Scan|Table|Stream|\*/.test(a))).toEqual([]);
  });

  it('binds a bucket with object reads and writes under the given prefixes only', () => {
    const stack = testStack();
    const bucket = new Bucket(stack, 'Bucket');
    const { fn } = fixture(stack);

    fn.bindBucket(bucket, { read: ['incoming/'], write: ['reports/'] });

    const template = Template.fromStack(stack);
    const bucketId = logicalIdOf(bucket, stack);
    expect(functionProps(template)).toMatchObject({
      Environment: { Variables: { [BUCKET.env]: { Ref: bucketId } } },
    });
    expect(statementsFor(statementsOf(template, fn.role), 's3')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: arnJoin(bucketId, '/incoming/*') },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: arnJoin(bucketId, '/reports/*'),
      },
    ]);
  });

  it('refuses a bucket grant that is not a key prefix', () => {
    const stack = testStack();
    const bucket = new Bucket(stack, 'Bucket');
    const { fn } = fixture(stack);

    for (const prefix of ['', 'incoming', '*', 'incoming/*/']) {
      expect(() => fn.bindBucket(bucket, { read: [prefix] })).toThrow(/key prefix/);
    }
  });

  it('binds a secret: its ARN in the env var and reading that one secret', () => {
    const stack = testStack();
    const secret = new Secret(stack, 'Secret');
    new Secret(stack, 'Other');
    const { fn } = fixture(stack);

    fn.bindSecret(secret, 'THE_SECRET_ARN');

    const template = Template.fromStack(stack);
    const secretId = logicalIdOf(secret, stack);
    expect(functionProps(template)).toMatchObject({
      Environment: { Variables: { THE_SECRET_ARN: { Ref: secretId } } },
    });
    const secrets = statementsFor(statementsOf(template, fn.role), 'secretsmanager');
    expect(resourcesOf(secrets)).toEqual([{ Ref: secretId }]);
    expect(actionsOf(secrets)).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  });

  it('bundles the handler with esbuild into minified ESM with a source map, leaving the AWS SDK out', () => {
    // The only test that really bundles: one stack, a two-line handler.
    const app = new App({
      context: testContext({ 'aws:cdk:bundling-stacks': ['**'] }),
      builtinCloudFormationValidation: false,
      outdir: tempDir('cdk.out-bundled-'),
    });
    fixture(new Stack(app, 'Bundled'), 'test/stacks/fixtures/sdk-handler.ts');

    const assembly = app.synth();

    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(assembly.directory, assets[0]!);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
    expect(code.split('\n').length).toBeLessThan(5);
  });
});
