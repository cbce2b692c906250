import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from './env.js';

/**
 * One client of each kind per container, reused by every invocation. Each is made on first use,
 * not at import, so the local pipeline can set the stand-ins' endpoints before the first request.
 * With an endpoint override (local stand-ins) the clients use a fixed region and dummy credentials,
 * and S3 gets the path-style addressing and checksum settings s3rver needs (FIELD-NOTES).
 */
const LOCAL = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
};

let dynamo: DynamoDBClient | undefined;
let s3: S3Client | undefined;
let secrets: SecretsManagerClient | undefined;

function localOptions(endpoint: string | undefined) {
  if (endpoint === undefined) return {};
  return {
    endpoint,
    region: process.env.AWS_REGION ?? LOCAL.region,
    ...(process.env.AWS_ACCESS_KEY_ID === undefined ? { credentials: LOCAL.credentials } : {}),
  };
}

export function dynamoClient(): DynamoDBClient {
  // The store retries with its own backoff (record-store.ts); the SDK's retries stay as a first line.
  return (dynamo ??= new DynamoDBClient({ ...localOptions(config.dynamodbEndpoint()) }));
}

export function s3Client(): S3Client {
  const endpoint = config.s3Endpoint();
  return (s3 ??= new S3Client({
    ...localOptions(endpoint),
    ...(endpoint === undefined
      ? {}
      : {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
  }));
}

export function secretsClient(): SecretsManagerClient {
  return (secrets ??= new SecretsManagerClient({}));
}
