import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  answerOf,
  byKind,
  drop,
  lambdaContext,
  readReport,
  scanAll,
  storedRecord,
  webhookEvent,
  type Aws,
  type WebhookOptions,
} from './ingest-harness.js';
import { apiEvent, resetTables, runAll, startRunsAws } from './runs-harness.js';
import { call as casesCall, casePath, CLERK } from './cases-harness.js';
import { groupKey } from '../../lib/core/records/group-key.js';
import type { RunDiscrepancy } from '../../lib/core/runs/run-events.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as s3Drop } from '../../functions/ingest/s3-drop.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';

// The probes of issue 16 a hostile client (or a careless integration) sends, through the real
// handlers on the embedded DynamoDB and S3: each must be answered as the contract says, and
// nothing it sends may poison the store for the runs after it.
const AS_OF = '2026-11-02T00:00:00.000Z';
const OLD = '2026-10-20T08:00:00Z';

let aws: Aws;
beforeAll(async () => {
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetTables(aws));

async function post(body: string, options: WebhookOptions = {}) {
  return answerOf(await webhook(webhookEvent(body, options), lambdaContext()));
}

const runs = async (path: string, query: Record<string, string> = {}) =>
  answerOf(await runsApi(apiEvent('GET', path, { query }), lambdaContext()));

function movement(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: `E${n}`,
    warehouseId: 'WH-01',
    sku: `SKU-${n % 7}`,
    type: 'RECEIPT',
    quantity: '10',
    documentRef: `PO-${n}`,
    occurredAt: OLD,
    unitCost: '12.5',
    ...overrides,
  };
}

async function everything(runId: string): Promise<RunDiscrepancy[]> {
  const answer = await runs(`/v1/runs/${runId}/discrepancies`, { limit: '1000' });
  expect(answer.statusCode).toBe(200);
  return answer.body.items as RunDiscrepancy[];
}

describe('poison records', () => {
  const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];

  it('takes ids named like object members as the ids they are: the run succeeds and each case has its owner', async () => {
    const records = [
      ...NAMES.map((name, i) => movement(i, { warehouseId: name })),
      ...NAMES.map((name, i) => movement(10 + i, { sku: name, documentRef: name })),
      ...Array.from({ length: 8 }, (_, i) => movement(20 + i)),
    ];
    expect((await post(JSON.stringify(records))).body).toMatchObject({
      accepted: records.length,
      rejected: [],
    });

    const { run } = await runAll({ runId: 'close-poison', mode: 'close', asOf: AS_OF });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.summary?.discrepancies).toBe(records.length);
    const found = await everything('close-poison');
    expect(found.map((d) => d.warehouseId)).toEqual(expect.arrayContaining(NAMES));
    for (const name of NAMES) {
      const key = groupKey({
        warehouseId: name,
        sku: 'SKU-' + String(NAMES.indexOf(name) % 7),
        documentRef: `PO-${NAMES.indexOf(name)}`,
      });
      const answer = await casesCall('GET', casePath(key), CLERK);
      expect(answer.statusCode).toBe(200);
      expect(answer.body.owner).toBe('li.finance');
    }
  });

  it('refuses a 100 KB sku or documentRef with the field and the limit, and stores the rows around it', async () => {
    const huge = 'X'.repeat(100 * 1024);
    const records = [
      movement(1),
      movement(2, { sku: huge }),
      movement(3, { documentRef: huge }),
      movement(4),
    ];

    const answer = await post(JSON.stringify(records));

    expect(answer.statusCode).toBe(200);
    expect(answer.body.accepted).toBe(2);
    expect(answer.body.rejected).toEqual([
      { line: 2, field: 'sku', reason: `sku is ${huge.length} characters long; at most 128` },
      { line: 3, field: 'documentRef', reason: `documentRef is ${huge.length} characters long; at most 256` },
    ]);
    const { run } = await runAll({ runId: 'close-huge', mode: 'close', asOf: AS_OF });
    expect(run.status).toBe('SUCCEEDED');
  });
});

describe('one long id in a delivery', () => {
  const rows = (): Record<string, unknown>[] =>
    Array.from({ length: 300 }, (_, n) => movement(n, n === 150 ? { eventId: `E${'9'.repeat(2048)}` } : {}));

  it('is one rejected row of a webhook body: 200, the 299 others stored', async () => {
    const answer = await post(JSON.stringify(rows()));

    expect(answer.statusCode).toBe(200);
    expect(answer.body.accepted).toBe(299);
    expect(answer.body.rejected).toEqual([
      { line: 151, field: 'eventId', reason: 'eventId is 2049 characters long; at most 256' },
    ]);
    expect(byKind(await scanAll(aws)).heads).toHaveLength(299);
  });

  it('is one rejected row of an S3 drop: the report names it, the 299 others stored', async () => {
    const key = 'incoming/wms/long-id.ndjson';
    await s3Drop(
      await drop(
        aws,
        key,
        rows()
          .map((r) => JSON.stringify(r))
          .join('\n'),
      ),
      lambdaContext(),
    );

    const report = await readReport(aws, key);
    expect(report).toMatchObject({ accepted: 299, rows: 300 });
    expect(report.rejected).toEqual([
      { file: key, line: 151, field: 'eventId', reason: 'eventId is 2049 characters long; at most 256' },
    ]);
  });
});

describe('concurrent senders', () => {
  it('report every conflicting id to a sender and never replace the first stored version', async () => {
    // Sixteen posts of the same 40 ids at once; 20 of the ids carry other content in every post.
    const posts = Array.from({ length: 16 }, (_, p) =>
      Array.from({ length: 40 }, (_, n) => movement(n, n < 20 ? { quantity: String(100 + p) } : {})),
    );

    const answers = await Promise.all(posts.map((body) => post(JSON.stringify(body))));

    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    const accepted = answers.reduce((n, a) => n + (a.body.accepted as number), 0);
    const duplicates = answers.reduce((n, a) => n + (a.body.duplicates as number), 0);
    expect(accepted).toBe(40);
    expect(duplicates).toBe(20 * 15);
    const conflictsOf = answers.map((a) => new Set((a.body.conflicts as { id: string }[]).map((c) => c.id)));
    expect(conflictsOf.reduce((n, c) => n + c.size, 0)).toBe(20 * 15);
    const { heads, versions } = byKind(await scanAll(aws));
    expect(heads).toHaveLength(40);
    expect(versions).toHaveLength(40);
    for (let n = 0; n < 20; n++) {
      const id = `E${n}`;
      const winners = conflictsOf.flatMap((c, p) => (c.has(id) ? [] : [p]));
      expect(winners, id).toHaveLength(1);
      const stored = versions.map(storedRecord).find((r) => r.eventId === id);
      expect(stored?.quantity).toBe(String(100 + (winners[0] ?? -1)));
    }
  });
});

describe('group keys', () => {
  it('keeps WH|1 + SKU and WH + 1|SKU apart: two discrepancies, two detail pages, two cases', async () => {
    const one = movement(1, { warehouseId: 'WH|1', sku: 'SKU', documentRef: 'DOC' });
    const two = movement(2, { warehouseId: 'WH', sku: '1|SKU', documentRef: 'DOC', quantity: '20' });
    await post(JSON.stringify([one, two]));

    await runAll({ runId: 'close-pipes', mode: 'close', asOf: AS_OF });

    const found = await everything('close-pipes');
    expect(found).toHaveLength(2);
    for (const [record, d] of [
      [one, found.find((x) => x.warehouseId === 'WH|1')],
      [two, found.find((x) => x.warehouseId === 'WH')],
    ] as const) {
      expect(d?.wmsEventIds).toEqual([record.eventId]);
      const detail = await runs(
        `/v1/runs/close-pipes/discrepancies/${encodeURIComponent(d?.groupKey ?? '')}`,
      );
      expect(detail.statusCode).toBe(200);
      expect((detail.body.records as { wms: { eventId: string }[] }).wms.map((r) => r.eventId)).toEqual([
        record.eventId,
      ]);
      const kase = await casesCall('GET', casePath(d?.groupKey ?? ''), CLERK);
      expect(kase.body.facts).toMatchObject({ warehouseId: record.warehouseId, sku: record.sku });
    }
  });
});

describe('text that is not well-formed', () => {
  it('rejects ids holding lone UTF-16 surrogates, both in one body, with a reason: no 500, no collision', async () => {
    const body = `[${JSON.stringify(movement(1))},${JSON.stringify(movement(2)).replace('"E2"', '"E\\ud800"')},${JSON.stringify(movement(3)).replace('"E3"', '"E\\udfff"')}]`;

    const answer = await post(body);

    expect(answer.statusCode).toBe(200);
    expect(answer.body.accepted).toBe(1);
    expect(answer.body.rejected).toEqual([
      { line: 2, field: 'eventId', reason: expect.stringContaining('lone UTF-16 surrogate') },
      { line: 3, field: 'eventId', reason: expect.stringContaining('lone UTF-16 surrogate') },
    ]);
  });
});

describe('JSON numbers', () => {
  it('reads numbers from their text: 9007199254740993 stays itself, 123456789012345.678 keeps its places', async () => {
    const body = `[${JSON.stringify(movement(1)).replace('"quantity":"10"', '"quantity":9007199254740993')},${JSON.stringify(movement(2)).replace('"unitCost":"12.5"', '"unitCost":123456789012345.678')}]`;

    const answer = await post(body);

    expect(answer.body).toMatchObject({ accepted: 2, rejected: [] });
    const versions = byKind(await scanAll(aws)).versions.map(storedRecord);
    expect(versions.find((r) => r.eventId === 'E1')?.quantity).toBe('9007199254740993');
    expect(versions.find((r) => r.eventId === 'E2')?.unitCost).toBe('123456789012345.678');
  });

  it('refuses 1.0000000000000001 as it refuses the same text in a string, never rounding it to 1', async () => {
    const body = `[${JSON.stringify(movement(1)).replace('"quantity":"10"', '"quantity":1.0000000000000001')},${JSON.stringify(movement(2, { quantity: '1.0000000000000001' }))}]`;

    const answer = await post(body);

    expect(answer.body.accepted).toBe(0);
    expect(answer.body.rejected).toEqual([
      { line: 1, field: 'quantity', reason: 'quantity has more than 6 decimal places: "1.0000000000000001"' },
      { line: 2, field: 'quantity', reason: 'quantity has more than 6 decimal places: "1.0000000000000001"' },
    ]);
  });
});

describe('the smaller refusals', () => {
  it('refuses a row naming a key twice, and keeps the rows around it', async () => {
    const body = `[${JSON.stringify(movement(1))},${JSON.stringify(movement(2)).replace('{', '{"eventId":"E-other",')},${JSON.stringify(movement(3))}]`;

    const answer = await post(body);

    expect(answer.body.accepted).toBe(2);
    expect(answer.body.rejected).toEqual([
      { line: 2, field: 'eventId', reason: expect.stringContaining('names eventId twice') },
    ]);
  });

  it('refuses a whitespace-only id and a negative unit cost, naming the field', async () => {
    const answer = await post(
      JSON.stringify([movement(1, { eventId: '   ' }), movement(2, { unitCost: '-12.5' }), movement(3)]),
    );

    expect(answer.body.accepted).toBe(1);
    expect(answer.body.rejected).toEqual([
      { line: 1, field: 'eventId', reason: 'eventId is blank (only whitespace)' },
      { line: 2, field: 'unitCost', reason: expect.stringContaining('must not be negative') },
    ]);
  });

  it('refuses a CSV drop whose header names a column twice, with an ingest report, reading none of it', async () => {
    const key = 'incoming/wms/twice.csv';
    const text = [
      'eventId,warehouseId,sku,type,quantity,documentRef,occurredAt,sku',
      `E1,WH-01,SKU-1,RECEIPT,10,PO-1,${OLD},SKU-2`,
    ].join('\n');

    await s3Drop(await drop(aws, key, text), lambdaContext());

    const report = await readReport(aws, key);
    expect(report).toMatchObject({ accepted: 0 });
    expect(report.rejected).toEqual([
      { file: key, line: 1, field: 'sku', reason: expect.stringContaining('names sku twice') },
    ]);
    expect(byKind(await scanAll(aws)).heads).toHaveLength(0);
  });
});

describe('JSON answers', () => {
  it('carry nosniff and cache-control no-store, whatever the route and status', async () => {
    const answers = [
      await webhook(webhookEvent(JSON.stringify([movement(1)])), lambdaContext()),
      await webhook(webhookEvent('{not json'), lambdaContext()),
      await runsApi(apiEvent('GET', '/v1/runs/close-nope'), lambdaContext()),
      await runsApi(apiEvent('GET', '/v1/runs'), lambdaContext()),
    ] as { statusCode: number; headers?: Record<string, string> }[];

    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 404, 200]);
    for (const answer of answers) {
      expect(answer.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
    }
    expect((await casesCall('GET', '/v1/cases', CLERK)).headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
  });
});
