import { Duration } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKET } from '../declarations/tables.js';
import { dataRemovalPolicy, emptiedOnDestroy, type Stage } from './stage.js';

export interface StorageProps {
  readonly stage: Stage;
  /** When a drop under incoming/ moves to Standard-IA (S3 allows 30 days at the earliest). @default 30 days */
  readonly incomingToInfrequentAccessAfter?: Duration;
  /**
   * When a drop under incoming/ expires. Its rows live on in DynamoDB and its outcome in
   * ingest-reports/; the file is kept for a year of audit questions. @default 365 days
   */
  readonly incomingExpiration?: Duration;
  /** Replaced or deleted drops stay recoverable this long. @default 30 days */
  readonly incomingNoncurrentExpiration?: Duration;
  /** Replaced or deleted reports and tables stay recoverable this long. @default 90 days */
  readonly noncurrentExpiration?: Duration;
  /** @default 365 days */
  readonly accessLogExpiration?: Duration;
}

/**
 * The data bucket (drops, ingest reports, unit and cost tables, reports) and the bucket its server
 * access logs go to. Both block public access, refuse plain HTTP and encrypt at rest.
 *
 * Encryption is SSE-S3: the access-log bucket cannot use anything else (S3 log delivery does not
 * support SSE-KMS targets), and for the data bucket it keeps S3 event notifications, presigned report
 * links and the ingest functions free of KMS grants while still encrypting every object.
 */
/**
 * What every bucket of the stack is: encrypted at rest, never public, owned by the bucket owner (no
 * ACLs), reachable over TLS 1.2 or later only.
 */
export const PRIVATE_BUCKET = {
  encryption: BucketEncryption.S3_MANAGED,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
} as const;

export class Storage extends Construct {
  readonly bucket: Bucket;
  readonly accessLogBucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = dataRemovalPolicy(props.stage);

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET,
      removalPolicy,
      autoDeleteObjects: emptiedOnDestroy(props.stage),
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: props.accessLogExpiration ?? Duration.days(365) },
      ],
    });

    this.bucket = new Bucket(this, BUCKET.id, {
      ...PRIVATE_BUCKET,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: `${BUCKET.id.toLowerCase()}/`,
      removalPolicy,
      autoDeleteObjects: emptiedOnDestroy(props.stage),
      lifecycleRules: [
        {
          id: 'incoming-drops',
          prefix: BUCKET.incomingPrefix,
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: props.incomingToInfrequentAccessAfter ?? Duration.days(30),
            },
          ],
          expiration: props.incomingExpiration ?? Duration.days(365),
          noncurrentVersionExpiration: props.incomingNoncurrentExpiration ?? Duration.days(30),
        },
        {
          // Overlaps incoming-drops for noncurrent versions on purpose: S3 applies the shorter expiry.
          id: 'all-objects',
          noncurrentVersionExpiration: props.noncurrentExpiration ?? Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
  }
}
