import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  answerOf,
  byKind,
  entry,
  lambdaContext,
  movement,
  resetRecords,
  scanAll,
  startAws,
  storedRecord,
  webhookEvent,
  type Aws,
  type WebhookOptions,
} from './ingest-harness.js';
import { partitionLabel } from '../../lib/adapters/ingest/record-store.js';
import { DEFAULT_PARTITIONS, partitionOf } from '../../lib/core/records/partition.js';
import { ENV } from '../../lib/declarations/tables.js';
import { handler } from '../../functions/ingest/webhook.js';

let aws: Aws;

beforeAll(async () => {
  aws = await startAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetRecords(aws));

async function post(body: unknown, options: WebhookOptions = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return answerOf(await handler(webhookEvent(text, options), lambdaContext()));
}

const ndjson = (rows: unknown[]): string =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

describe('POST /v1/movements and /v1/entries', () => {
  it('stores a signed batch: one version and one head per record, in the by-partition index, partitions marked dirty', async () => {
    const batch = [movement(1), movement(2), movement(3)];

    const answer = await post(batch);

    expect(answer).toEqual({
      statusCode: 200,
      body: { accepted: 3, duplicates: 0, lateArrivals: 0, conflicts: [], rejected: [] },
    });
    const { versions, heads, dirty } = byKind(await scanAll(aws));
    expect(versions).toHaveLength(3);
    expect(heads).toHaveLength(3);
    const first = versions.find((v) => v.pk?.S === 'wms#E000001');
    expect(first?.gpk?.S).toBe(partitionLabel(partitionOf('SKU-00001', DEFAULT_PARTITIONS)));
    expect(first?.gsk?.S).toMatch(/^wms#E000001#[0-9a-f]{64}$/);
    expect(storedRecord(first!)).toMatchObject({ eventId: 'E000001', quantity: '11', unitCost: '12.5' });
    const expectedDirty = new Set(
      batch.map((m) => partitionLabel(partitionOf(String(m.sku), DEFAULT_PARTITIONS))),
    );
    expect(new Set(dirty.map((d) => d.sk?.S))).toEqual(expectedDirty);
  });

  it('counts the same batch sent again as duplicates and writes nothing new', async () => {
    const batch = [movement(1), movement(2), movement(3)];
    await post(batch);
    const before = await scanAll(aws);

    const answer = await post(batch);

    expect(answer.body).toEqual({ accepted: 0, duplicates: 3, lateArrivals: 0, conflicts: [], rejected: [] });
    const after = byKind(await scanAll(aws));
    expect(after.versions).toEqual(byKind(before).versions);
    expect(after.heads).toEqual(byKind(before).heads);
  });

  it('treats other spellings of the same content as duplicates ("446.00" vs 446, an offset vs Z)', async () => {
    await post([movement(1, { quantity: '446.00', occurredAt: '2026-10-14T01:23:00+08:00' })]);

    const answer = await post([{ ...movement(1), quantity: 446, uom: undefined }]);

    expect(answer.body).toMatchObject({ accepted: 0, duplicates: 1, lateArrivals: 0, conflicts: [] });
  });

  it('reports one changed record as a conflict, keeps it for review, and leaves the stored record unchanged', async () => {
    await post([movement(1), movement(2)]);
    const stored = byKind(await scanAll(aws)).versions.find((v) => v.pk?.S === 'wms#E000002');

    const answer = await post([movement(1), movement(2, { quantity: '999' })]);

    expect(answer.statusCode).toBe(200);
    expect(answer.body.accepted).toBe(0);
    expect(answer.body.duplicates).toBe(1);
    expect(answer.body.conflicts).toEqual([{ id: 'E000002', reason: expect.stringContaining('quantity') }]);
    const after = byKind(await scanAll(aws));
    expect(after.versions.filter((v) => v.pk?.S === 'wms#E000002')).toEqual([stored]);
    expect(after.conflicts).toHaveLength(1);
    expect(storedRecord(after.conflicts[0]!)).toMatchObject({ eventId: 'E000002', quantity: '999' });
  });

  it('accepts finance entries on /v1/entries, a base64 body and canonical header names', async () => {
    const answer = await post([entry(1), entry(2)], {
      path: '/v1/entries',
      base64: true,
      headerCase: 'canonical',
    });

    expect(answer.body).toEqual({ accepted: 2, duplicates: 0, lateArrivals: 0, conflicts: [], rejected: [] });
    const { versions } = byKind(await scanAll(aws));
    expect(versions.map((v) => v.pk?.S).sort()).toEqual(['finance#F000001', 'finance#F000002']);
  });

  describe('refuses with 401 and writes nothing', () => {
    const body = JSON.stringify([movement(1)]);
    const cases: [string, WebhookOptions, string][] = [
      ['a signature under another secret', { secret: 'not-the-secret' }, 'signature_mismatch'],
      ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 301 }, 'timestamp_stale'],
      ['a timestamp from the future', { timestamp: Math.floor(Date.now() / 1000) + 400 }, 'timestamp_stale'],
      [
        'a tampered body',
        { sentBody: JSON.stringify([movement(1, { quantity: '1000' })]) },
        'signature_mismatch',
      ],
      ['no signature', { unsigned: true }, 'signature_missing'],
      ['a signature of the wrong length', { signature: 'v1=abcd' }, 'signature_malformed'],
    ];
    for (const [name, options, code] of cases) {
      it(name, async () => {
        const answer = await post(body, options);

        expect(answer.statusCode).toBe(401);
        expect(answer.body.code).toBe(code);
        expect(await scanAll(aws)).toEqual([]);
      });
    }

    it('but accepts a timestamp inside the 300 s window', async () => {
      const answer = await post(body, { timestamp: Math.floor(Date.now() / 1000) - 299 });

      expect(answer.statusCode).toBe(200);
    });
  });

  it('answers 413 over 5 MB and writes nothing', async () => {
    const big = JSON.stringify([movement(1, { documentRef: 'x'.repeat(5 * 1024 * 1024) })]);

    const answer = await post(big);

    expect(answer.statusCode).toBe(413);
    expect(answer.body.code).toBe('payload_too_large');
    expect(await scanAll(aws)).toEqual([]);
  });

  it('answers 413 over 10,000 records and writes nothing', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => movement(i));

    const answer = await post(many);

    expect(answer.statusCode).toBe(413);
    expect(await scanAll(aws)).toEqual([]);
  });

  it('answers 400 for a body that is neither JSON nor NDJSON, and writes nothing', async () => {
    for (const garbage of ['this is not json', '42', '', '{"eventId": "E1",']) {
      const answer = await post(garbage);

      expect(answer.statusCode, garbage).toBe(400);
      expect(answer.body.code).toBe('unreadable_body');
    }
    expect(await scanAll(aws)).toEqual([]);
  });

  it('stores the good rows of a JSON array and rejects the bad ones with element, field and reason', async () => {
    const rows = [
      movement(1),
      movement(2, { quantity: '12,5' }),
      movement(3),
      42,
      movement(4, { sku: undefined }),
    ];

    const answer = await post(rows);

    expect(answer.body).toEqual({
      accepted: 2,
      duplicates: 0,
      lateArrivals: 0,
      conflicts: [],
      rejected: [
        { line: 2, field: 'quantity', reason: expect.stringContaining('quantity') },
        { line: 4, field: null, reason: 'is not a JSON object' },
        { line: 5, field: 'sku', reason: 'missing sku' },
      ],
    });
    expect(
      byKind(await scanAll(aws))
        .versions.map((v) => v.pk?.S)
        .sort(),
    ).toEqual(['wms#E000001', 'wms#E000003']);
  });

  it('stores the good lines of NDJSON and rejects the bad ones with their physical line', async () => {
    const body = ndjson([
      movement(1),
      '{"eventId": "E9", broken',
      '',
      movement(2, { type: 'THEFT' }),
      movement(3),
    ]);

    const answer = await post(body, { contentType: 'application/x-ndjson' });

    expect(answer.body).toEqual({
      accepted: 2,
      duplicates: 0,
      lateArrivals: 0,
      conflicts: [],
      rejected: [
        { line: 2, field: null, reason: expect.stringContaining('is not valid JSON') },
        { line: 4, field: 'type', reason: expect.stringContaining('THEFT') },
      ],
    });
  });

  it('counts a repeat inside one body once, and a changed repeat as a conflict', async () => {
    const answer = await post([movement(1), movement(1), movement(1, { quantity: '77' })]);

    expect(answer.body).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(answer.body.conflicts).toHaveLength(1);
  });

  it('answers 404 for another path', async () => {
    const event = webhookEvent('[]');
    const answer = answerOf(
      await handler({ ...event, routeKey: 'POST /v1/other', rawPath: '/v1/other' }, lambdaContext()),
    );

    expect(answer.statusCode).toBe(404);
  });

  it('hides a configuration error behind 500 internal', async () => {
    const secret = process.env[ENV.webhookSecret];
    delete process.env[ENV.webhookSecret];
    try {
      const answer = await post([movement(1)]);

      expect(answer).toEqual({ statusCode: 500, body: { code: 'internal', message: 'internal error' } });
    } finally {
      process.env[ENV.webhookSecret] = secret;
    }
  });
});
