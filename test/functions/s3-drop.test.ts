import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BUCKET_NAME,
  byKind,
  drop,
  lambdaContext,
  movement,
  movementCsvRow,
  readObject,
  readReport,
  resetRecords,
  scanAll,
  startAws,
  storedRecord,
  WMS_CSV_HEADER,
  type Aws,
} from './ingest-harness.js';
import { handler } from '../../functions/ingest/s3-drop.js';

let aws: Aws;

beforeAll(async () => {
  aws = await startAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetRecords(aws));

const FINANCE_HEADER =
  'entryId,warehouseId,sku,type,quantity,uom,amount,currency,documentRef,postedAt,account';

describe('S3 drops under incoming/', () => {
  it('lands a CSV with a BOM, CRLF and quoted fields completely, and writes its ingest report', async () => {
    const key = 'incoming/wms/2026-10-13.csv';
    const csv =
      '\uFEFF' +
      [
        WMS_CSV_HEADER,
        'E1,WH-上海-02,SKU-1,RECEIPT,12.5,EA,"PO-1,""rush""",2026-10-13T17:23:00Z,3.20',
        'E2,"WH-01",SKU-2,SHIPMENT,-4,,"SO-7, line 2",2026-10-13T18:00:00+08:00,',
        '"E3",WH-01,"SKU, with comma",ADJUSTMENT,1,BOX,CNT-9,2026-10-13T19:00:00Z,1',
      ].join('\r\n') +
      '\r\n';

    await handler(await drop(aws, key, csv), lambdaContext());

    const { versions } = byKind(await scanAll(aws));
    const records = Object.fromEntries(versions.map((v) => [v.pk?.S, storedRecord(v)]));
    expect(records).toEqual({
      'wms#E1': {
        eventId: 'E1',
        warehouseId: 'WH-上海-02',
        sku: 'SKU-1',
        type: 'RECEIPT',
        quantity: '12.5',
        uom: 'EA',
        documentRef: 'PO-1,"rush"',
        occurredAt: '2026-10-13T17:23:00.000Z',
        unitCost: '3.2',
      },
      'wms#E2': expect.objectContaining({
        documentRef: 'SO-7, line 2',
        uom: 'EA',
        occurredAt: '2026-10-13T10:00:00.000Z',
      }),
      'wms#E3': expect.objectContaining({ sku: 'SKU, with comma', uom: 'BOX' }),
    });
    expect(versions.find((v) => v.pk?.S === 'wms#E3')?.line?.N).toBe('4');
    expect(await readReport(aws, key)).toEqual({
      key,
      source: 'wms',
      accepted: 3,
      duplicates: 0,
      conflicts: [],
      rejected: [],
      lateArrivals: 0,
      rows: 3,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
  });

  it('stores the good rows around malformed ones and reports each bad row with file, line, field and reason', async () => {
    const key = 'incoming/wms/with-bad-rows.csv';
    const csv = [
      WMS_CSV_HEADER,
      movementCsvRow(1),
      'E2,WH-01,SKU-2,RECEIPT,ten,EA,PO-2,2026-10-13T17:23:00Z,',
      movementCsvRow(3),
      'E4,WH-01,SKU-4,RECEIPT,1,EA,PO-4,2026-10-13T17:23:00Z,1,extra',
      'E5,WH-01,SKU-5,RECEIPT,1,EA,"PO-5",2026-02-30,',
      movementCsvRow(6),
    ].join('\n');

    await handler(await drop(aws, key, csv), lambdaContext());

    const report = await readReport(aws, key);
    expect(report).toMatchObject({ accepted: 3, rows: 6 });
    expect(report.rejected).toEqual([
      { file: key, line: 3, field: 'quantity', reason: expect.stringContaining('quantity') },
      { file: key, line: 5, field: null, reason: 'has 10 fields, the header has 9 (an unquoted comma?)' },
      { file: key, line: 6, field: 'occurredAt', reason: expect.stringContaining('impossible date') },
    ]);
    expect(byKind(await scanAll(aws)).versions).toHaveLength(3);
  });

  it('finds a key with spaces, a plus and Chinese text sent URL-encoded the AWS way', async () => {
    const key = 'incoming/finance/上海 entries+October.csv';
    const csv = [FINANCE_HEADER, 'F1,WH-01,SKU-1,RECEIPT,10,EA,125.00,CNY,PO-1,2026-10-14,1405'].join('\n');
    const event = await drop(aws, key, csv);
    expect(event.Records[0]?.s3.object.key).toBe('incoming/finance/%E4%B8%8A%E6%B5%B7+entries%2BOctober.csv');

    await handler(event, lambdaContext());

    expect(await readReport(aws, key)).toMatchObject({ key, source: 'finance', accepted: 1 });
    expect(byKind(await scanAll(aws)).versions[0]?.file?.S).toBe(key);
  });

  it('reads NDJSON drops (.jsonl) with physical line numbers', async () => {
    const key = 'incoming/wms/events.jsonl';
    const text = [JSON.stringify(movement(1)), '', 'WARN export resumed', JSON.stringify(movement(2))].join(
      '\n',
    );

    await handler(await drop(aws, key, text), lambdaContext());

    const report = await readReport(aws, key);
    expect(report).toMatchObject({ accepted: 2, rows: 3 });
    expect(report.rejected).toEqual([
      { file: key, line: 3, field: null, reason: expect.stringContaining('is not valid JSON') },
    ]);
  });

  it('counts rows already stored as duplicates and changed ones as conflicts', async () => {
    await handler(
      await drop(aws, 'incoming/wms/a.csv', [WMS_CSV_HEADER, movementCsvRow(1)].join('\n')),
      lambdaContext(),
    );
    const changed = movementCsvRow(1).replace(',12.5', ',99');
    const key = 'incoming/wms/b.csv';

    await handler(
      await drop(aws, key, [WMS_CSV_HEADER, movementCsvRow(1), changed].join('\n')),
      lambdaContext(),
    );

    const report = await readReport(aws, key);
    expect(report).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(report.conflicts).toEqual([
      { id: 'E000001', line: 3, reason: expect.stringContaining('unitCost') },
    ]);
  });

  it('ignores a repeated event for a drop already ingested, leaving its report alone', async () => {
    const key = 'incoming/wms/once.csv';
    const event = await drop(aws, key, [WMS_CSV_HEADER, movementCsvRow(1)].join('\n'));
    await handler(event, lambdaContext());
    const first = await readReport(aws, key);

    await handler(event, lambdaContext());

    expect(await readReport(aws, key)).toEqual(first);
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('rejects a CSV whose header lacks required columns without reading its rows', async () => {
    const key = 'incoming/wms/no-sku.csv';
    await handler(
      await drop(
        aws,
        key,
        ['eventId,warehouseId,type,quantity,documentRef,occurredAt', 'E1,WH,RECEIPT,1,PO,2026-10-01'].join(
          '\n',
        ),
      ),
      lambdaContext(),
    );

    const report = await readReport(aws, key);
    expect(report).toMatchObject({ accepted: 0 });
    expect(report.rejected).toEqual([
      { file: key, line: 1, field: 'sku', reason: expect.stringContaining('lacks sku') },
    ]);
    expect(byKind(await scanAll(aws)).versions).toEqual([]);
  });

  it('reports a file it cannot route instead of guessing', async () => {
    const key = 'incoming/wms/notes.txt';

    await handler(await drop(aws, key, 'hello'), lambdaContext());

    expect(await readReport(aws, key)).toMatchObject({
      source: null,
      accepted: 0,
      rejected: [{ file: key, line: 0, field: null, reason: expect.stringContaining('.csv') }],
    });
  });

  it('copies an accepted unit table to tables/uom.csv and reports its bad rows', async () => {
    const key = 'incoming/uom/units.csv';
    const csv = '\uFEFFsku,fromUom,toUom,factor\r\nSKU-1,BOX,EA,12\r\n*,CASE,EA,0\r\n';

    await handler(await drop(aws, key, csv), lambdaContext());

    expect(await readObject(aws, 'tables/uom.csv')).toBe(csv);
    expect(await readReport(aws, key)).toMatchObject({
      source: 'uom',
      accepted: 1,
      rows: 2,
      rejected: [
        { file: key, line: 3, field: 'factor', reason: expect.stringContaining('greater than zero') },
      ],
    });
  });

  it('says in its report that a unit drop replaces the whole table, and what the table held before', async () => {
    const first = '\uFEFFsku,fromUom,toUom,factor\r\nSKU-1,BOX,EA,12\r\nSKU-2,BOX,EA,6\r\n*,CASE,EA,24\r\n';
    const second = 'sku,fromUom,toUom,factor\nSKU-3,BOX,EA,10\n';
    await aws.s3.send(new DeleteObjectCommand({ Bucket: BUCKET_NAME, Key: 'tables/uom.csv' }));

    await handler(await drop(aws, 'incoming/uom/first.csv', first), lambdaContext());
    await handler(await drop(aws, 'incoming/uom/second.csv', second), lambdaContext());

    expect(await readReport(aws, 'incoming/uom/first.csv')).toMatchObject({
      table: { key: 'tables/uom.csv', replaced: false, previousRows: null, rows: 3 },
    });
    const report = await readReport(aws, 'incoming/uom/second.csv');
    expect(report).toMatchObject({
      accepted: 1,
      table: { key: 'tables/uom.csv', replaced: true, previousRows: 3, rows: 1 },
    });
    expect((report.table as { note: string }).note).toContain('replaces the whole unit table');
    expect(await readObject(aws, 'tables/uom.csv')).toBe(second);
  });

  it('copies an accepted cost table to tables/costs.csv, and keeps the current one when a header is unusable', async () => {
    const good = 'warehouseId,sku,standardCost,effectiveFrom\n*,SKU-1,12.50,2026-10-01\n';
    await handler(await drop(aws, 'incoming/costs/costs.csv', good), lambdaContext());

    await handler(await drop(aws, 'incoming/costs/broken.csv', 'sku,cost\nSKU-1,3\n'), lambdaContext());

    expect(await readObject(aws, 'tables/costs.csv')).toBe(good);
    expect(await readReport(aws, 'incoming/costs/broken.csv')).toMatchObject({
      accepted: 0,
      rejected: [{ line: 1, field: null, reason: expect.stringContaining('header lacks') }],
    });
  });

  it('resumes a drop cut short by time from its checkpoint, counting nothing twice', async () => {
    const key = 'incoming/wms/big.csv';
    const rows = Array.from({ length: 2_500 }, (_, i) => movementCsvRow(i + 1));
    const event = await drop(aws, key, [WMS_CSV_HEADER, ...rows].join('\n'));
    let calls = 0;
    // Plenty of time for middy's own look and the first wave, then too little for the next one.
    const shortOfTime = lambdaContext(() => (++calls <= 2 ? 900_000 : 2_000));

    await expect(handler(event, shortOfTime)).rejects.toMatchObject({ name: 'DropIncompleteError' });

    const midway = byKind(await scanAll(aws));
    expect(midway.versions).toHaveLength(1_000);
    expect(midway.checkpoints[0]).toMatchObject({
      line: { N: '1001' },
      accepted: { N: '1000' },
      done: { BOOL: false },
    });

    await handler(event, lambdaContext());

    const report = await readReport(aws, key);
    expect(report).toMatchObject({
      accepted: 2_500,
      duplicates: 0,
      conflicts: [],
      rejected: [],
      rows: 2_500,
    });
    const done = byKind(await scanAll(aws));
    expect(done.versions).toHaveLength(2_500);
    expect(done.heads).toHaveLength(2_500);
    expect(done.checkpoints[0]?.done?.BOOL).toBe(true);
  });
});
