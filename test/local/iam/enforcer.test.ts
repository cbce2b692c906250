import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  GetItemCommand,
  DeleteItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient, s3Client } from '../../../lib/adapters/aws/aws-clients.js';
import { ObjectStore } from '../../../lib/adapters/aws/object-store.js';
import { BUCKET, RECORDS_TABLE, RUNS_TABLE } from '../../../lib/declarations/tables.js';
import { WEBHOOK_FUNCTION } from '../../../lib/local/wiring/ingest-functions.js';
import { invoke } from '../../../lib/local/standins/lambda-runtime.js';
import { startPipeline, type Pipeline } from '../../../lib/local/wiring/pipeline.js';
import { RUN_FUNCTIONS } from '../../../lib/declarations/runs.js';

/**
 * The local pipeline checks each function's calls against that function's own policy in the stack
 * (dist/function-policies.json, extracted from the synthesized template). Code runs here as a named
 * function through the same invoke the pipeline uses for every handler, and calls through the same
 * clients the handlers use.
 */
let pipeline: Pipeline;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'iam-enforcer-'));
  pipeline = await startPipeline({
    dataDir,
    port: 0,
    webhookSecret: 'iam-test-secret',
    token: 'iam-test-token',
    loadHandlers: async () => ({ webhook: async () => ({ statusCode: 204 }), s3Drop: async () => undefined }),
  });
});

afterAll(async () => {
  await pipeline.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `work` as the local function `name`, as the pipeline invokes a handler. */
function as<T>(name: string, work: () => Promise<T>): Promise<T> {
  return invoke({ name, timeoutMs: 20_000, handler: work }, {});
}

const WEBHOOK = WEBHOOK_FUNCTION.name;
const RECONCILE = RUN_FUNCTIONS.reconcilePartition.localName;
const LIST = RUN_FUNCTIONS.listPartitions.localName;

const s = (value: string) => ({ S: value });

describe('the local IAM check', () => {
  it('lets a function make the calls its policy allows', async () => {
    // The webhook writes ledger records in batches and reads their heads by id.
    await as(WEBHOOK, () =>
      dynamoClient().send(
        new BatchWriteItemCommand({
          RequestItems: {
            [RECORDS_TABLE.localName]: [{ PutRequest: { Item: { pk: s('wms#E-1'), sk: s('head') } } }],
          },
        }),
      ),
    );

    const found = await as(WEBHOOK, () =>
      dynamoClient().send(
        new BatchGetItemCommand({
          RequestItems: { [RECORDS_TABLE.localName]: { Keys: [{ pk: s('wms#E-1'), sk: s('head') }] } },
        }),
      ),
    );
    expect(found.Responses?.[RECORDS_TABLE.localName]).toEqual([{ pk: s('wms#E-1'), sk: s('head') }]);
  });

  it('refuses an action the function’s policy does not grant, even on its own table', async () => {
    await expect(
      as(WEBHOOK, () =>
        dynamoClient().send(
          new DeleteItemCommand({
            TableName: RECORDS_TABLE.localName,
            Key: { pk: s('wms#E-2'), sk: s('head') },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses a call outside the function’s policy with DynamoDB’s own AccessDeniedException', async () => {
    const refused = as(WEBHOOK, () =>
      dynamoClient().send(
        new GetItemCommand({ TableName: RUNS_TABLE.localName, Key: { pk: s('run#r1'), sk: s('run') } }),
      ),
    );

    await expect(refused).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining(
        `${WEBHOOK} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${RUNS_TABLE.localName}`,
      ) as unknown,
    });
    expect(pipeline.iam.refusals).toContainEqual(
      expect.objectContaining({ functionName: WEBHOOK, action: 'dynamodb:GetItem' }),
    );
  });

  it('holds a grant to the partition keys its condition names', async () => {
    // ListPartitions may read the records table's dirty markers only, never a ledger record.
    const dirty = await as(LIST, () =>
      dynamoClient().send(
        new QueryCommand({
          TableName: RECORDS_TABLE.localName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': s('dirty') },
        }),
      ),
    );
    expect(dirty.Items).toEqual([]);

    await expect(
      as(LIST, () =>
        dynamoClient().send(
          new GetItemCommand({
            TableName: RECORDS_TABLE.localName,
            Key: { pk: s('wms#E-1'), sk: s('head') },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses S3 reads and writes outside the function’s keys with S3’s 403 AccessDenied', async () => {
    await expect(
      as(WEBHOOK, () =>
        s3Client().send(new PutObjectCommand({ Bucket: BUCKET.localName, Key: 'reports/x.pdf', Body: 'x' })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(
      as(RECONCILE, () =>
        s3Client().send(new GetObjectCommand({ Bucket: BUCKET.localName, Key: BUCKET.alertConfigKey })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it('answers a missing object with 403, not 404, to a role that may not list the bucket', async () => {
    await expect(
      as(RECONCILE, () =>
        s3Client().send(new GetObjectCommand({ Bucket: BUCKET.localName, Key: BUCKET.costsTableKey })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    // A HEAD has no body: the SDK sees only the status, as from AWS.
    await expect(
      as(RECONCILE, () =>
        s3Client().send(new HeadObjectCommand({ Bucket: BUCKET.localName, Key: BUCKET.costsTableKey })),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it('lets ObjectStore read an absent optional object as absent, listing exactly its key', async () => {
    const objects = new ObjectStore(s3Client());

    expect(await as(RECONCILE, () => objects.etagOf(BUCKET.localName, BUCKET.uomTableKey))).toBeUndefined();

    await pipeline.s3Client.send(
      new PutObjectCommand({
        Bucket: BUCKET.localName,
        Key: BUCKET.uomTableKey,
        Body: 'sku,fromUom,toUom,factor\n',
      }),
    );
    expect(await as(RECONCILE, () => objects.etagOf(BUCKET.localName, BUCKET.uomTableKey))).toMatch(/^\w+$/);
  });

  it('keeps a real refusal a refusal: a function that may not list gets the 403 back', async () => {
    const objects = new ObjectStore(s3Client());

    await expect(
      as(WEBHOOK, () => objects.etagOf(BUCKET.localName, BUCKET.uomTableKey)),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it('refuses a call made outside any function: deny by default', async () => {
    await expect(
      dynamoClient().send(
        new GetItemCommand({ TableName: RECORDS_TABLE.localName, Key: { pk: s('wms#E-1'), sk: s('head') } }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(pipeline.iam.refusals.at(-1)?.reason).toContain('outside any function');
  });

  it('counts every call it checked', () => {
    const { allowed, refused } = pipeline.iam.counts;

    expect(allowed).toBeGreaterThanOrEqual(6);
    expect(refused).toBe(pipeline.iam.refusals.length);
    expect(pipeline.iam.byFunction.get(WEBHOOK)).toMatchObject({ refused: expect.any(Number) as unknown });
  });
});
