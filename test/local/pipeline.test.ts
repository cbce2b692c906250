import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signBody } from '../../lib/core/ingest/signature.js';
import { BUCKET } from '../../lib/declarations/tables.js';
import { DataDirInUseError } from '../../lib/local/wiring/data-dir.js';
import { startPipeline, type Pipeline } from '../../lib/local/wiring/pipeline.js';
import { loadRealHandlers } from '../../lib/local/wiring/real-handlers.js';
import { postSigned } from '../../lib/local/clients/webhook-client.js';
import { tempDir } from '../support/temp.js';
import { SUITE_NOW } from '../support/clock.js';

const SECRET = 'pipeline-test-secret';
const TOKEN = 'pipeline-test-token';

/** The real handlers, fresh for each pipeline: they keep their clients (and so the endpoints) per module. */
async function freshRealHandlers() {
  vi.resetModules();
  return loadRealHandlers();
}

function options(dataDir: string) {
  return {
    dataDir,
    port: 0,
    webhookSecret: SECRET,
    token: TOKEN,
    loadHandlers: freshRealHandlers,
    retryDelayMs: 10,
  };
}

const movement = (eventId: string) =>
  JSON.stringify({
    eventId,
    warehouseId: 'WH-上海-02',
    sku: 'SKU-1',
    type: 'RECEIPT',
    quantity: '5',
    documentRef: 'PO-1',
    occurredAt: SUITE_NOW,
  });

describe('the local pipeline on the real handlers', () => {
  const started: Pipeline[] = [];
  // The refused requests below are expected: keep their warnings out of the test output.
  const logLevel = process.env.POWERTOOLS_LOG_LEVEL;
  beforeAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  });
  afterAll(() => {
    if (logLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = logLevel;
  });
  afterEach(async () => {
    for (const p of started.splice(0)) await p.stop();
  });
  async function start(dataDir: string): Promise<Pipeline> {
    const pipeline = await startPipeline(options(dataDir));
    started.push(pipeline);
    return pipeline;
  }

  it('ingests a drop whose key has a space and Chinese, and writes its report under the same key', async () => {
    const pipeline = await start(tempDir('pipeline-'));
    const key = 'incoming/finance/十月 file.csv';
    const csv =
      '\ufeffentryId,warehouseId,sku,type,quantity,amount,documentRef,postedAt\r\n' +
      'F1,WH-上海-02,SKU-1,RECEIPT,5,62.50,"PO-1,""rush""",2026-10-05\r\n' +
      'F2,WH-01,SKU-2,RECEIPT,abc,1.00,PO-2,2026-10-05\r\n';

    const outcome = pipeline.trigger.nextOutcome(key, 20_000);
    await pipeline.s3Client.send(new PutObjectCommand({ Bucket: pipeline.bucket, Key: key, Body: csv }));
    expect(await outcome).toMatchObject({ ok: true });
    const report = await pipeline.s3Client.send(
      new GetObjectCommand({ Bucket: pipeline.bucket, Key: `${BUCKET.ingestReportPrefix}${key}.json` }),
    );

    const body = JSON.parse((await report.Body?.transformToString()) ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, conflicts: [] });
    expect(body.rejected).toEqual([expect.objectContaining({ line: 3, field: 'quantity' })]);
  });

  it('stays up on hostile drop keys: a 1,000-byte key, keys with .. segments, and reports each refusal', async () => {
    const root = tempDir('pipeline-keys-');
    const pipeline = await start(join(root, 'data'));
    const csv =
      'eventId,warehouseId,sku,type,quantity,documentRef,occurredAt\nE1,WH-01,SKU-1,RECEIPT,1,PO-1,2026-10-01T00:00:00Z\n';
    const keys = [
      `incoming/wms/${'a'.repeat(990)}.csv`,
      'incoming/wms/../../../../../escaped.csv',
      'incoming/wms/../finance/x.csv',
    ];

    for (const key of keys) {
      const outcome = pipeline.trigger.nextOutcome(key, 20_000);
      await pipeline.s3Client.send(new PutObjectCommand({ Bucket: pipeline.bucket, Key: key, Body: csv }));
      expect(await outcome, key).toMatchObject({ ok: true, attempts: 1 });
      const hash = createHash('sha256').update(key, 'utf8').digest('hex');
      const report = await pipeline.s3Client.send(
        new GetObjectCommand({
          Bucket: pipeline.bucket,
          Key: `${BUCKET.ingestReportPrefix}refused/${hash}.json`,
        }),
      );
      const body = JSON.parse((await report.Body?.transformToString()) ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ key, source: null, accepted: 0 });
      expect(body.rejected).toEqual([
        expect.objectContaining({ reason: expect.stringContaining('is refused') }),
      ]);
    }

    // Nothing was written outside the data directory, nothing was ingested, and the API still answers.
    expect(readdirSync(root)).toEqual(['data']);
    const stored = await pipeline.s3Client.send(
      new GetObjectCommand({ Bucket: pipeline.bucket, Key: keys[1] ?? '' }),
    );
    expect(await stored.Body?.transformToString()).toBe(csv);
    const answer = await postSigned({
      url: `${pipeline.api}/v1/movements`,
      secret: SECRET,
      body: movement('E-after'),
      contentType: 'application/json',
    });
    expect(answer.status).toBe(200);
    await expect(
      pipeline.s3Client.send(
        new PutObjectCommand({ Bucket: pipeline.bucket, Key: `incoming/wms/${'b'.repeat(1100)}`, Body: csv }),
      ),
    ).rejects.toMatchObject({ name: 'KeyTooLongError' });
  });

  it('answers a correctly signed body that is not UTF-8 with 400, not 401', async () => {
    const pipeline = await start(tempDir('pipeline-'));
    const body = Buffer.concat([
      Buffer.from('[{"eventId":"E'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}]'),
    ]);
    const timestamp = String(Math.floor(Date.now() / 1000));

    const response = await fetch(`${pipeline.api}/v1/movements`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-stocktally-timestamp': timestamp,
        'x-stocktally-signature': signBody(SECRET, timestamp, body),
      },
      body,
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'unreadable_body',
      message: 'the body is not UTF-8 text',
    });
  });

  it('answers the signed webhook without a bearer token, and refuses an unsigned one with 401', async () => {
    const pipeline = await start(tempDir('pipeline-'));
    const url = `${pipeline.api}/v1/movements`;

    const signed = await postSigned({
      url,
      secret: SECRET,
      body: movement('E-1'),
      contentType: 'application/json',
    });
    const unsigned = await fetch(url, { method: 'POST', body: movement('E-2') });
    const forged = await postSigned({
      url,
      secret: 'not-it',
      body: movement('E-3'),
      contentType: 'application/json',
    });

    expect(signed).toEqual({
      status: 200,
      answer: { accepted: 1, duplicates: 0, lateArrivals: 0, conflicts: [], rejected: [] },
    });
    expect(unsigned.status).toBe(401);
    expect(forged.status).toBe(401);
  });

  it('keeps the records in DIR across a restart, and refuses a second pipeline on the same DIR', async () => {
    const dataDir = tempDir('pipeline-');
    const first = await start(dataDir);
    const body = movement('E-persist');
    await postSigned({
      url: `${first.api}/v1/movements`,
      secret: SECRET,
      body,
      contentType: 'application/json',
    });

    await expect(startPipeline(options(dataDir))).rejects.toBeInstanceOf(DataDirInUseError);
    await first.stop();
    started.splice(0);
    const second = await start(dataDir);
    const again = await postSigned({
      url: `${second.api}/v1/movements`,
      secret: SECRET,
      body,
      contentType: 'application/json',
    });

    expect(again.answer).toMatchObject({ accepted: 0, duplicates: 1 });
  });
});
