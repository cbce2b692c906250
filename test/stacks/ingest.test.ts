import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { describe, expect, it } from 'vitest';
import { BUCKET, ENV, RECORDS_TABLE, WEBHOOK_ROUTES } from '../../lib/declarations/tables.js';
import { Api } from '../../lib/stacks/api.js';
import { Data } from '../../lib/stacks/data.js';
import { Ingest } from '../../lib/stacks/ingest.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { Storage } from '../../lib/stacks/storage.js';
import { PROJECT_ROOT, testStack } from './cdk-context.js';
import {
  actionsOf,
  arnJoin,
  logicalIdOf,
  resourcesOf,
  statementsFor,
  statementsOf,
} from './iam-statements.js';

function synth() {
  const stack = testStack();
  const stage = stageOf('dev');
  const data = new Data(stack, 'Data', { stage });
  const storage = new Storage(stack, 'Storage', { stage });
  const api = new Api(stack, 'Api', { stage });
  const ingest = new Ingest(stack, 'Ingest', {
    stage,
    projectRoot: PROJECT_ROOT,
    records: data.table(RECORDS_TABLE),
    bucket: storage.bucket,
    api,
    partitions: 64,
    timeZone: 'Asia/Shanghai',
  });
  const ids = {
    records: logicalIdOf(data.table(RECORDS_TABLE).table, stack),
    bucket: logicalIdOf(storage.bucket, stack),
    webhook: logicalIdOf(ingest.webhook.fn, stack),
    s3Drop: logicalIdOf(ingest.s3Drop.fn, stack),
    wmsSecret: logicalIdOf(ingest.secrets.wms, stack),
    financeSecret: logicalIdOf(ingest.secrets.finance, stack),
  };
  return { stack, api, ingest, ids, template: () => Template.fromStack(stack) };
}

type Resource = { Properties: Record<string, unknown> };

function routes(template: Template): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
    (r) => (r as Resource).Properties,
  );
}

function variables(template: Template, logicalId: string): Record<string, unknown> {
  const fn = template.toJSON().Resources[logicalId] as Resource;
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('Ingest: the webhook routes', () => {
  it('routes the two webhooks of the contract to the webhook function, without an authorizer', () => {
    const { ids, template } = synth();
    const t = template();

    const webhookRoutes = routes(t);
    expect(webhookRoutes.map((r) => r.RouteKey).sort()).toEqual(
      WEBHOOK_ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const route of webhookRoutes) expect(route.AuthorizationType).toBe('NONE');
    t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [ids.webhook, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });

  it('leaves every other route of the API to IAM authorization', () => {
    const { api, ingest, template } = synth();

    api.httpApi.addRoutes({
      path: '/v1/runs',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Runs', ingest.webhook.fn),
    });

    const byKey = Object.fromEntries(routes(template()).map((r) => [r.RouteKey, r.AuthorizationType]));
    expect(byKey).toEqual({
      'POST /v1/movements': 'NONE',
      'POST /v1/entries': 'NONE',
      'POST /v1/runs': 'AWS_IAM',
    });
  });
});

describe('Ingest: the functions', () => {
  it('runs both functions on Node.js 22, ARM64, with active tracing', () => {
    const { ids, template } = synth();
    const resources = template().toJSON().Resources;

    for (const id of [ids.webhook, ids.s3Drop]) {
      expect((resources[id] as Resource).Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('gives the webhook the records table, both secret ARNs, partitions, time zone, and the bucket of the code mapping', () => {
    const { ids, template } = synth();

    const env = variables(template(), ids.webhook);
    expect(env).toMatchObject({
      [RECORDS_TABLE.env]: { Ref: ids.records },
      [ENV.wmsSecretArn]: { Ref: ids.wmsSecret },
      [ENV.financeSecretArn]: { Ref: ids.financeSecret },
      [ENV.partitions]: '64',
      [ENV.timeZone]: 'Asia/Shanghai',
      // It stores records under the unified codes of tables/codes.csv (issue 18).
      [BUCKET.env]: { Ref: ids.bucket },
    });
  });

  it('gives the drop function the records table, the bucket, partitions and time zone, and no secret', () => {
    const { ids, template } = synth();

    const env = variables(template(), ids.s3Drop);
    expect(env).toMatchObject({
      [RECORDS_TABLE.env]: { Ref: ids.records },
      [BUCKET.env]: { Ref: ids.bucket },
      [ENV.partitions]: '64',
      [ENV.timeZone]: 'Asia/Shanghai',
    });
    expect(env).not.toHaveProperty(ENV.wmsSecretArn);
    expect(env).not.toHaveProperty(ENV.financeSecretArn);
  });

  it('answers webhooks before API Gateway gives up, and lets a drop run for 15 minutes', () => {
    const { ids, template } = synth();
    const resources = template().toJSON().Resources;

    expect((resources[ids.webhook] as Resource).Properties.Timeout).toBeLessThan(30);
    expect((resources[ids.s3Drop] as Resource).Properties.Timeout).toBe(900);
  });

  it('invokes the drop function for objects created under incoming/ and nothing else', () => {
    const { ids, template } = synth();

    template().hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: ids.bucket },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: BUCKET.incomingPrefix }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [ids.s3Drop, 'Arn'] },
          },
        ],
      },
    });
  });

  it('generates one webhook secret per source system', () => {
    const { template } = synth();

    const secrets = Object.values(template().findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(new Set(WEBHOOK_ROUTES.map((r) => r.source)).size);
    for (const secret of secrets) {
      expect((secret as Resource).Properties.GenerateSecretString).toEqual({
        PasswordLength: 64,
        ExcludePunctuation: true,
      });
    }
  });
});

/** Ledger records read by id and written in batches, dirty marks updated; no index, no delete. */
function ledgerWrites(records: string) {
  const table = { 'Fn::GetAtt': [records, 'Arn'] };
  return [
    {
      Effect: 'Allow',
      Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['wms#*', 'finance#*'] } },
    },
    {
      Effect: 'Allow',
      Action: 'dynamodb:UpdateItem',
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['dirty'] } },
    },
    // The ingest journal (issue 16): the last link read, the next one put.
    {
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:Query'],
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['journal#*'] } },
    },
    // The periods its records are dated in, and the late arrivals of locked ones (CONTRACT §7).
    {
      Effect: 'Allow',
      Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['period'] } },
    },
    {
      Effect: 'Allow',
      Action: 'dynamodb:BatchWriteItem',
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['late#*'] } },
    },
  ];
}

describe('Ingest: least privilege', () => {
  it('lets the webhook write ledger records and dirty marks, read the two secrets, and in S3 only the code mapping', () => {
    const { ingest, ids, template } = synth();

    const statements = statementsOf(template(), ingest.webhook.role);
    // The code mapping is absent until its first drop: read it, and list exactly its key.
    expect(statementsFor(statements, 's3')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: arnJoin(ids.bucket, `/${BUCKET.codesTableKey}`) },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
        Condition: { StringEquals: { 's3:prefix': [BUCKET.codesTableKey] } },
      },
    ]);
    expect(statementsFor(statements, 'dynamodb')).toEqual(ledgerWrites(ids.records));
    const secrets = statementsFor(statements, 'secretsmanager');
    expect(actionsOf(secrets)).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(resourcesOf(secrets)).toEqual(
      expect.arrayContaining([{ Ref: ids.wmsSecret }, { Ref: ids.financeSecret }]),
    );
    expect(resourcesOf(secrets)).toHaveLength(2);
  });

  it('lets the drop function read incoming/, write ingest-reports/ and the four reference tables, and write the ledger and its checkpoints', () => {
    const { ingest, ids, template } = synth();

    const statements = statementsOf(template(), ingest.s3Drop.role);
    expect(statementsFor(statements, 's3')).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        // The tables it replaces are read first, so its report can say what they held (issue 16);
        // the code mapping, to store a ledger drop's records under the unified codes (issue 18).
        Resource: [
          arnJoin(ids.bucket, `/${BUCKET.incomingPrefix}*`),
          arnJoin(ids.bucket, `/${BUCKET.codesTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.costsTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.ratesTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.uomTableKey}`),
        ],
      },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: [
          arnJoin(ids.bucket, `/${BUCKET.ingestReportPrefix}*`),
          arnJoin(ids.bucket, `/${BUCKET.codesTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.costsTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.ratesTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.uomTableKey}`),
        ],
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
        Condition: {
          StringEquals: {
            's3:prefix': [
              BUCKET.uomTableKey,
              BUCKET.costsTableKey,
              BUCKET.ratesTableKey,
              BUCKET.codesTableKey,
            ],
          },
        },
      },
    ]);
    expect(statementsFor(statements, 'dynamodb')).toEqual([
      ...ledgerWrites(ids.records),
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [ids.records, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['checkpoint#*'] } },
      },
    ]);
    expect(statementsFor(statements, 'secretsmanager')).toEqual([]);
  });

  it('grants neither function a wildcard action nor a wildcard resource beyond X-Ray', () => {
    const { ingest, template } = synth();
    const t = template();

    for (const fn of [ingest.webhook, ingest.s3Drop]) {
      const statements = statementsOf(t, fn.role);
      expect(actionsOf(statements).filter((a) => a.includes('*'))).toEqual([]);
      const starred = statements.filter((s) => s.Resource === '*');
      expect(actionsOf(starred)).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });
});
