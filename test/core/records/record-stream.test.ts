import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvFile, readNdjsonRecords } from '../../../lib/core/records/readers.js';
import { RecordStream, type StreamBatch } from '../../../lib/core/records/record-stream.js';
import type { Source } from '../../../lib/core/records/records.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

const zone = new ZoneClock('UTC');
const WMS_HEADER = 'eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost';

function read(
  text: string,
  chunks: number[],
  format: 'csv' | 'ndjson',
  source: Source = 'wms',
): StreamBatch & { rows: number } {
  const stream = new RecordStream({ source, format, file: 'f', zone });
  const out: StreamBatch = { records: [], rejected: [] };
  const take = (b: StreamBatch) => {
    out.records.push(...b.records);
    out.rejected.push(...b.rejected);
  };
  let from = 0;
  for (const cut of [...chunks].sort((a, b) => a - b)) {
    take(stream.push(text.slice(from, Math.max(from, cut))));
    from = Math.max(from, cut);
  }
  take(stream.push(text.slice(from)));
  take(stream.end());
  return { ...out, rows: stream.rows };
}

const cell = (value: string, quote: boolean): string =>
  quote || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

const validRow = fc
  .record({
    id: fc.constantFrom('E1', 'E2', 'E3', 'E 4'),
    warehouse: fc.constantFrom('WH-01', 'WH-上海-02', 'WH, east'),
    sku: fc.constantFrom('SKU-1', 'SKU-2', '物料-9'),
    type: fc.constantFrom('RECEIPT', 'SHIPMENT', 'ADJUSTMENT'),
    quantity: fc.constantFrom('12.5', '-4', '0.000001', '446.00'),
    uom: fc.constantFrom('', 'EA', 'BOX'),
    ref: fc.constantFrom('PO-1', 'PO-1,"rush"', 'multi\nline', 'SO-7\r\n2'),
    at: fc.constantFrom('2026-10-13T17:23:00Z', '2026-10-13T18:00:00+08:00', '2026-10-13'),
    cost: fc.constantFrom('', '3.20', '0'),
  })
  .map((r) => [r.id, r.warehouse, r.sku, r.type, r.quantity, r.uom, r.ref, r.at, r.cost]);
const noiseRow = fc.array(
  fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('ten', '2026-02-30', 'THEFT')),
  {
    minLength: 7,
    maxLength: 10,
  },
);
const csvRow = fc
  .tuple(fc.oneof(validRow, validRow, noiseRow), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }))
  .map(([fields, quotes]) => fields.map((f, i) => cell(f, quotes[i] ?? false)).join(','));
const brokenRow = fc.constantFrom(
  'E9,WH,"SKU unterminated,1',
  'E8,W"H,SKU,RECEIPT,1,EA,PO,2026-10-13,',
  '"E7"x,WH',
);
const csvText = fc
  .record({
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n'),
    rows: fc.array(fc.oneof(csvRow, csvRow, csvRow, brokenRow, fc.constant('')), { maxLength: 25 }),
    trailing: fc.boolean(),
  })
  .map(
    ({ bom, eol, rows, trailing }) =>
      (bom ? '\uFEFF' : '') + [WMS_HEADER, ...rows].join(eol) + (trailing ? eol : ''),
  );

const ndjsonLine = fc.oneof(
  validRow.map(([eventId, warehouseId, sku, type, quantity, uom, documentRef, occurredAt, unitCost]) =>
    JSON.stringify({ eventId, warehouseId, sku, type, quantity, uom, documentRef, occurredAt, unitCost }),
  ),
  fc.constantFrom(
    '{"eventId": "E1", broken',
    'WARN export resumed',
    '',
    '  ',
    '[1,2]',
    '{}',
    '{"quantity": 446}',
  ),
);
const ndjsonText = fc
  .record({ eol: fc.constantFrom('\n', '\r\n'), lines: fc.array(ndjsonLine, { maxLength: 25 }) })
  .map(({ eol, lines }) => lines.join(eol));

const cuts = (text: string) => fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 });

describe('RecordStream', () => {
  it('reads CSV the same however the text is cut into chunks', () => {
    fc.assert(
      fc.property(
        csvText.chain((text) => fc.tuple(fc.constant(text), cuts(text))),
        ([text, chunks]) => {
          expect(read(text, chunks, 'csv')).toEqual(read(text, [], 'csv'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads CSV exactly as the CLI reader does (records, rejections and physical lines)', () => {
    fc.assert(
      fc.property(csvText, (text) => {
        const whole = readCsvFile(text, { source: 'wms', file: 'f', zone });
        const streamed = read(text, [], 'csv');
        expect(streamed.records).toEqual(whole.records);
        expect(streamed.rejected).toEqual(whole.rejected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads NDJSON the same however it is cut, and as the CLI reader does', () => {
    fc.assert(
      fc.property(
        ndjsonText.chain((text) => fc.tuple(fc.constant(text), cuts(text))),
        ([text, chunks]) => {
          const streamed = read(text, chunks, 'ndjson');
          const whole = readNdjsonRecords(text, { source: 'wms', file: 'f', zone });
          expect(streamed.records).toEqual(whole.records);
          expect(streamed.rejected).toEqual(whole.rejected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps physical lines exact when a quoted line break and a CRLF fall on chunk boundaries', () => {
    const text = `${WMS_HEADER}\r\nE1,WH,SKU,RECEIPT,1,EA,"PO\r\n1",2026-10-13,\r\nE2,WH,SKU,RECEIPT,x,EA,PO,2026-10-13,\r\n`;
    const cr = text.indexOf('\r\nE2');

    const out = read(text, [text.indexOf('PO\r') + 3, cr + 1], 'csv');

    expect(out.records.map((r) => [r.id, r.line, r.documentRef])).toEqual([['E1', 2, 'PO\r\n1']]);
    expect(out.rejected).toMatchObject([{ line: 4, field: 'quantity' }]);
    expect(out.rows).toBe(2);
  });

  it('rejects a header lacking required columns once, and reads none of its rows', () => {
    const out = read('eventId,sku,quantity\nE1,SKU,1\nE2,SKU,2\n', [5], 'csv');

    expect(out.records).toEqual([]);
    expect(out.rejected).toEqual([
      {
        source: 'wms',
        file: 'f',
        line: 1,
        field: 'warehouseId',
        reason: expect.stringContaining('the header lacks warehouseId, type, documentRef, occurredAt'),
      },
    ]);
  });

  it('requires the finance columns for finance files', () => {
    const out = read(`${WMS_HEADER}\n`, [], 'csv', 'finance');

    expect(out.rejected[0]?.reason).toContain('entryId');
  });
});
