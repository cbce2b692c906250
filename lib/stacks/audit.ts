import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Bucket, ObjectLockRetention, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_DIGEST_PREFIX, ENV } from '../declarations/tables.js';
import type { StocktallyFunction } from './function.js';
import type { Stage } from './stage.js';
import { PRIVATE_BUCKET } from './storage.js';

export interface AuditProps {
  readonly stage: Stage;
  readonly accessLogBucket: IBucket;
  /**
   * How long each digest cannot be changed or deleted by anyone, the root account included (S3
   * Object Lock, compliance mode). @default 10 years in production (会计档案), 1 day elsewhere
   */
  readonly retention?: Duration;
}

/**
 * The digest log of issue 16 in the cloud: a bucket with S3 Object Lock in compliance mode, where the
 * functions that append to a chain (a case event, an ingest journal link) write a digest of each
 * link under audit/digests/ and can never rewrite one. `stocktally audit verify --digests s3://...`
 * holds the tables to it. Kept whatever happens to the stack: locked objects outlive it by design.
 */
export class Audit extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: AuditProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Digests', {
      ...PRIVATE_BUCKET,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(
        props.retention ?? (props.stage.production ? Duration.days(3650) : Duration.days(1)),
      ),
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'audit-digests/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Lets a function add digests (PutObject under audit/digests/ only) and tells it where. */
  bindAppender(fn: StocktallyFunction): void {
    fn.bindBucket(this.bucket, { write: [AUDIT_DIGEST_PREFIX] }, ENV.auditBucket);
  }
}
