import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUCKET } from '../../lib/declarations/tables.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { Storage } from '../../lib/stacks/storage.js';
import { testStack } from './cdk-context.js';
import { logicalIdOf } from './iam-statements.js';

function synth(stage = 'dev') {
  const stack = testStack();
  const storage = new Storage(stack, 'Storage', { stage: stageOf(stage) });
  const template = Template.fromStack(stack);
  const dataId = logicalIdOf(storage.bucket, stack);
  const logsId = logicalIdOf(storage.accessLogBucket, stack);
  const resource = (id: string) => template.toJSON().Resources[id] as { Properties: Record<string, unknown> };
  const policyOf = (id: string) =>
    Object.values(
      template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: id } } }),
    )[0] as {
      Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } };
    };
  return { template, data: resource(dataId), logs: resource(logsId), dataId, logsId, policyOf };
}

describe('Storage', () => {
  it('blocks every kind of public access on both buckets', () => {
    const { data, logs } = synth();

    for (const bucket of [data, logs]) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('refuses plain HTTP and old TLS on both buckets', () => {
    const { policyOf, dataId, logsId } = synth();

    for (const id of [dataId, logsId]) {
      const statements = policyOf(id).Properties.PolicyDocument.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        }),
      );
    }
  });

  it('encrypts both buckets at rest and versions the data bucket', () => {
    const { data, logs } = synth();

    for (const bucket of [data, logs]) {
      expect(bucket.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    }
    expect(data.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('moves old drops under incoming/ to Standard-IA, expires them and their replaced versions', () => {
    const { data } = synth();

    const rules = (data.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual({
      Id: 'incoming-drops',
      Prefix: BUCKET.incomingPrefix,
      Status: 'Enabled',
      Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
      ExpirationInDays: 365,
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
    });
    expect(rules).toContainEqual({
      Id: 'all-objects',
      Status: 'Enabled',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      ExpiredObjectDeleteMarker: true,
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
    });
  });

  it('keeps no rule that expires current objects outside incoming/', () => {
    const { data } = synth();

    const rules = (data.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    const expiring = rules.filter((rule) => rule.ExpirationInDays !== undefined || rule.ExpirationDate);
    expect(expiring.map((rule) => rule.Prefix)).toEqual([BUCKET.incomingPrefix]);
  });

  it('logs data bucket access to the log bucket, which only S3 log delivery may write', () => {
    const { data, dataId, logsId, policyOf } = synth();

    expect(data.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'data/',
    });
    expect(policyOf(logsId).Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: expect.objectContaining({
          ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [dataId, 'Arn'] } },
        }),
      }),
    );
  });

  it('retains both buckets in production and lets other stages delete them', () => {
    const prod = synth('prod');
    const dev = synth('dev');

    for (const bucket of Object.values(prod.template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
    for (const bucket of Object.values(dev.template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Delete');
    }
  });

  it('empties both buckets when a non-production stack is destroyed, so `cdk destroy` can delete them', () => {
    const dev = synth('dev');
    const prod = synth('prod');

    const emptied = (template: typeof dev.template) =>
      Object.values(template.findResources('Custom::S3AutoDeleteObjects')).map(
        (r) => (r as { Properties: { BucketName: { Ref: string } } }).Properties.BucketName.Ref,
      );
    expect(emptied(dev.template).sort()).toEqual([dev.dataId, dev.logsId].sort());
    expect(emptied(prod.template)).toEqual([]);
  });
});
