import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { Audit } from '../../lib/stacks/audit.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { testStack } from './cdk-context.js';
import { logicalIdOf } from './iam-statements.js';

function synth(stage: string) {
  const stack = testStack();
  const audit = new Audit(stack, 'Audit', {
    stage: stageOf(stage),
    accessLogBucket: new Bucket(stack, 'Logs'),
  });
  const template = Template.fromStack(stack);
  return template.toJSON().Resources[logicalIdOf(audit.bucket, stack)] as {
    Properties: Record<string, unknown>;
    DeletionPolicy: string;
  };
}

describe('Audit: the digest log in the cloud', () => {
  it('is a private, versioned bucket with Object Lock in compliance mode, kept whatever happens to the stack', () => {
    const bucket = synth('prod');

    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3650 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('locks a dev stage’s digests for a day only', () => {
    expect(synth('dev').Properties).toMatchObject({
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
    });
  });
});
