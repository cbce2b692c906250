import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET } from '../../lib/declarations/tables.js';
import {
  bootstrap,
  localDynamoClient,
  localS3Client,
  startDynamo,
  startS3,
  type Embedded,
  type EmbeddedS3,
} from '../../lib/local/standins/embedded-aws.js';
import type { LocalLog } from '../../lib/local/standins/lambda-runtime.js';
import { encodeS3EventKey, startS3Trigger, type S3Trigger } from '../../lib/local/standins/s3-trigger.js';
import { tempDir } from '../support/temp.js';

/** How a handler reads an S3 event key (AWS documents this decoding). */
const decodeAwsKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

const UNICODE_KEY = 'incoming/finance/十月 file.csv';

describe('encodeS3EventKey', () => {
  it('encodes a key the way S3 event records carry it', () => {
    expect(encodeS3EventKey(UNICODE_KEY)).toBe('incoming/finance/%E5%8D%81%E6%9C%88+file.csv');
    expect(encodeS3EventKey('incoming/wms/a+b (1)=%.csv')).toBe('incoming/wms/a%2Bb+%281%29%3D%25.csv');
  });

  it('round-trips through the AWS decoding for keys with plus signs, percents and spaces', () => {
    for (const key of [
      UNICODE_KEY,
      'incoming/wms/a+b.csv',
      'incoming/uom/100% sure.csv',
      'incoming/costs/x~y*z!.csv',
    ]) {
      expect(decodeAwsKey(encodeS3EventKey(key))).toBe(key);
    }
  });
});

describe('the local object-created trigger', () => {
  let s3: EmbeddedS3;
  let dynamo: Embedded;
  let client: S3Client;
  let trigger: S3Trigger | undefined;
  const bucket = BUCKET.localName;

  beforeAll(async () => {
    dynamo = await startDynamo();
    s3 = await startS3({ directory: tempDir('s3-trigger-') });
    client = localS3Client(s3.endpoint);
    await bootstrap(localDynamoClient(dynamo.endpoint), client);
  });
  afterEach(async () => {
    await trigger?.stop();
    trigger = undefined;
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
    await dynamo.stop();
  });

  function listen(handler: (event: S3Event) => Promise<void>, log?: LocalLog): S3Event[] {
    const seen: S3Event[] = [];
    trigger = startS3Trigger({
      events: s3.events,
      bucket,
      prefix: BUCKET.incomingPrefix,
      s3: client,
      retryDelayMs: 10,
      ...(log === undefined ? {} : { log }),
      fn: {
        name: 'test-drop',
        timeoutMs: 5_000,
        handler: async (event) => {
          seen.push(event);
          await handler(event);
        },
      },
    });
    return seen;
  }

  it('delivers an AWS-shaped ObjectCreated:Put with the key encoded, for a key with a space and Chinese', async () => {
    const seen = listen(async () => undefined);
    const body = 'entryId,amount\r\nF1,12.50\r\n';

    const outcome = trigger!.nextOutcome(UNICODE_KEY, 5_000);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: UNICODE_KEY, Body: body }));

    expect(await outcome).toEqual({
      key: UNICODE_KEY,
      eventName: 'ObjectCreated:Put',
      ok: true,
      attempts: 1,
    });
    expect(seen).toHaveLength(1);
    const [record] = seen[0]!.Records;
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: {
          key: 'incoming/finance/%E5%8D%81%E6%9C%88+file.csv',
          size: Buffer.byteLength(body),
          eTag: createHash('md5').update(body).digest('hex'),
        },
      },
    });
    expect(decodeAwsKey(record!.s3.object.key)).toBe(UNICODE_KEY);
    expect(Date.parse(record!.eventTime)).not.toBeNaN();
  });

  it('delivers a completed multipart upload as ObjectCreated:Post, with its encoded key', async () => {
    const seen = listen(async () => undefined);
    const key = 'incoming/wms/十月 multipart.ndjson';
    const parts = ['{"eventId":"E1"}\n', '{"eventId":"E2"}\n'];

    const outcome = trigger!.nextOutcome(key, 5_000);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const uploaded = [];
    for (const [i, part] of parts.entries()) {
      const { ETag } = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: part }),
      );
      uploaded.push({ ETag, PartNumber: i + 1 });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );

    expect((await outcome).eventName).toBe('ObjectCreated:Post');
    const record = seen[0]!.Records[0]!;
    expect(record.eventName).toBe('ObjectCreated:Post');
    expect(record.s3.object.key).toBe('incoming/wms/%E5%8D%81%E6%9C%88+multipart.ndjson');
    expect(record.s3.object.size).toBe(Buffer.byteLength(parts.join('')));
    expect(record.s3.object.eTag).not.toBe('');
  });

  it('fills in the ETag of a copy, and ignores objects outside incoming/', async () => {
    const seen = listen(async () => undefined);
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'tables/uom.csv', Body: 'sku,fromUom,toUom,factor\n' }),
    );
    const key = 'incoming/uom/copied uom.csv';

    const outcome = trigger!.nextOutcome(key, 5_000);
    await client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/tables/uom.csv` }),
    );

    expect((await outcome).eventName).toBe('ObjectCreated:Copy');
    await trigger!.idle();
    expect(seen.map((e) => decodeAwsKey(e.Records[0]!.s3.object.key))).toEqual([key]);
    expect(seen[0]!.Records[0]!.s3.object.eTag).toBe(
      createHash('md5').update('sku,fromUom,toUom,factor\n').digest('hex'),
    );
  });

  it('runs the deliveries of one key one after the other', async () => {
    const spans: [number, number][] = [];
    listen(async () => {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 60));
      spans.push([start, Date.now()]);
    });
    const key = 'incoming/finance/serial.csv';

    await Promise.all(
      ['a', 'b', 'c'].map((body) =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await trigger!.idle();

    expect(spans).toHaveLength(3);
    const sorted = [...spans].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![1]);
  });

  it('retries a failed invocation, logs a lasting failure, and keeps delivering', async () => {
    const lines: string[] = [];
    let calls = 0;
    listen(
      async (event) => {
        calls++;
        if (event.Records[0]!.s3.object.key.includes('always')) throw new Error('unreadable drop');
        if (calls === 1) throw new Error('throttled');
      },
      { info: (l) => lines.push(l), error: (l) => lines.push(`ERROR ${l}`) },
    );

    const flaky = trigger!.nextOutcome('incoming/finance/flaky.csv', 5_000);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/finance/flaky.csv', Body: 'x' }));
    const broken = trigger!.nextOutcome('incoming/finance/always.csv', 5_000);
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'incoming/finance/always.csv', Body: 'x' }),
    );
    const after = trigger!.nextOutcome('incoming/finance/after.csv', 5_000);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/finance/after.csv', Body: 'x' }));

    expect(await flaky).toMatchObject({ ok: true, attempts: 2 });
    expect(await broken).toMatchObject({ ok: false, attempts: 3, error: 'Error: unreadable drop' });
    expect(await after).toMatchObject({ ok: true, attempts: 1 });
    expect(lines.filter((l) => l.startsWith('ERROR') && l.includes('always.csv'))).toHaveLength(3);
  });
});
