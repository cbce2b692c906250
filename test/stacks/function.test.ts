import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUCKET, RECORDS_TABLE } from '../../lib/declarations/tables.js';
import { Data } from '../../lib/stacks/data.js';
import { StocktallyFunction, type InvokedBy } from '../../lib/stacks/function.js';
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

function fixture(stack: Stack = testStack(), entry = ECHO, invokedBy: InvokedBy = 's3Event') {
  const fn = new StocktallyFunction(stack, 'Fn', {
    stage: stageOf('dev'),
    projectRoot: PROJECT_ROOT,
    entry,
    description: 'a test function',
    invokedBy,
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

  it('sends the asynchronous events that failed every retry to an encrypted, SSL-only dead-letter queue', () => {
    const { stack, fn } = fixture(testStack(), ECHO, 's3Event');
    const template = Template.fromStack(stack);

    const queueId = logicalIdOf(fn.deadLetterQueue!, stack);
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

  it.each(['api', 'stateMachine', 'queue'] as const)(
    'has no dead-letter queue when invoked synchronously (%s): it could never receive anything',
    (invokedBy) => {
      const { stack, fn } = fixture(testStack(), ECHO, invokedBy);
      const template = Template.fromStack(stack);

      expect(fn.deadLetterQueue).toBeUndefined();
      expect(functionProps(template).DeadLetterConfig).toBeUndefined();
      template.resourceCountIs('AWS::SQS::Queue', 0);
      expect(actionsOf(statementsOf(template, fn.role)).filter((a) => a.startsWith('sqs:'))).toEqual([]);
      // Serverless-LambdaDLQ is acknowledged with where the failures go instead.
      const acknowledged = JSON.stringify(fn.fn.node.metadata);
      expect(acknowledged).toContain('Serverless-LambdaDLQ');
      expect(acknowledged).toContain('synchronously');
    },
  );

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

  it('binds a table: its env var, exactly the item actions given, and Query on the indexes it names', () => {
    const stack = testStack();
    const records = new Data(stack, 'Data', { stage: stageOf('dev') }).table(RECORDS_TABLE);
    const { fn } = fixture(stack);

    fn.bindTable(records, { items: [{ actions: ['GetItem', 'Query'] }], indexes: ['by-partition'] });

    const template = Template.fromStack(stack);
    const tableId = logicalIdOf(records.table, stack);
    expect(functionProps(template)).toMatchObject({
      Environment: { Variables: { [RECORDS_TABLE.env]: { Ref: tableId } } },
    });
    expect(statementsFor(statementsOf(template, fn.role), 'dynamodb')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: arnJoin(tableId, `/index/${RECORDS_TABLE.indexes[0]?.name}`),
      },
    ]);
  });

  it('holds item actions to the partition keys given, and grants no index it does not name', () => {
    const stack = testStack();
    const records = new Data(stack, 'Data', { stage: stageOf('dev') }).table(RECORDS_TABLE);
    const { fn } = fixture(stack);

    fn.bindTable(records, { items: [{ actions: ['DeleteItem'], leadingKeys: ['dirty'] }] });

    const tableId = logicalIdOf(records.table, stack);
    expect(statementsFor(statementsOf(Template.fromStack(stack), fn.role), 'dynamodb')).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['dirty'] } },
      },
    ]);
    expect(() => fn.bindTable(records, { indexes: ['by-nothing'] })).toThrow(
      'table Records has no index by-nothing',
    );
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

  it('binds exact keys: read, written, and optional ones listed under exactly their keys', () => {
    const stack = testStack();
    const bucket = new Bucket(stack, 'Bucket');
    const { fn } = fixture(stack);

    fn.bindBucket(bucket, {
      objects: ['config/alerts.yaml'],
      writeObjects: ['tables/uom.csv'],
      optional: ['tables/costs.csv'],
    });

    const bucketId = logicalIdOf(bucket, stack);
    expect(statementsFor(statementsOf(Template.fromStack(stack), fn.role), 's3')).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [arnJoin(bucketId, '/config/alerts.yaml'), arnJoin(bucketId, '/tables/costs.csv')],
      },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: arnJoin(bucketId, '/tables/uom.csv'),
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
        Condition: { StringEquals: { 's3:prefix': ['tables/costs.csv'] } },
      },
    ]);
    for (const key of ['tables/', 'tables/*', '/x']) {
      expect(() => fn.bindBucket(bucket, { optional: [key] })).toThrow(/exact key/);
    }
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

  it('bundles the handler with esbuild into minified ESM with a source map, the AWS SDK inside at the tested version', () => {
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
    // Not left to the runtime's own (older) SDK: the one package-lock.json pins is in the bundle.
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
    const { version } = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'node_modules/@aws-sdk/client-dynamodb/package.json'), 'utf8'),
    ) as { version: string };
    expect(code).toContain(`"${version}"`);
    // Minified: long lines (the SDK keeps a few line breaks inside its template strings).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
  });
});
