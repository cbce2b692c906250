// The split-once CSV path (ranged-share.ts, line-ranges.ts, record-index.ts, fast-csv-records.ts)
// must read exactly what the one-pass path reads: the same records with the same values, the same
// rejections at the same lines with the same reasons, partition by partition, whatever the number
// of ranges and whatever the file holds (quotes, quoted line feeds, CRLF, a BOM, blank lines,
// broken UTF-8, bad numbers and dates, rows with too few or too many cells, unclosed quotes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../lib/core/records/readers.js';
import { CsvSplitter } from '../../lib/core/records/splitter.js';
import { FastCsvReader, readIndexedCsv } from '../../lib/core/records/fast-csv-records.js';
import { partitionRecords } from '../../lib/core/records/record-index.js';
import type { Entry, Movement, Rejection, Source } from '../../lib/core/records/records.js';
import { ZoneClock } from '../../lib/core/shared/zone-clock.js';
import type { CodeRow } from '../../lib/core/records/code-map.js';
import {
  checkedIndexes,
  fileRanges,
  indexRange,
  placeIndexes,
  type RangedInit,
} from '../../lib/cli/ranged-share.js';

const encoder = new TextEncoder();
const ZONE = new ZoneClock('Asia/Shanghai');

const HEADERS: Record<Source, string[]> = {
  wms: ['eventId', 'warehouseId', 'sku', 'type', 'quantity', 'uom', 'documentRef', 'occurredAt', 'unitCost'],
  finance: [
    'entryId',
    'warehouseId',
    'sku',
    'type',
    'quantity',
    'uom',
    'amount',
    'currency',
    'documentRef',
    'postedAt',
    'account',
  ],
};

/** Cell values: mostly what a clean export holds, and every kind of trouble the readers know. */
const TEXTS = [
  'E1',
  'E2',
  'WH-01',
  'WH-上海-02',
  'SKU-1',
  'SKU-2',
  'DOC-1',
  'PO-9',
  ' x',
  'a b',
  '\t',
  '',
  ' ',
];
const NUMBERS = [
  '12',
  '-3.5',
  '+4',
  '0.000001',
  '1.0000000',
  '12.1234567',
  '.5',
  '5.',
  '1,5',
  '1e3',
  '-0',
  '9007199254740993',
  '123456789012345.5',
  '',
];
const DATES = [
  '2026-10-05',
  '2026-10-05T10:00:00Z',
  '2026-10-05T10:00Z',
  '2026-10-05 10:00:00Z',
  '2026-02-30',
  '2026-10-05T24:00:00Z',
  '2026-10-05T10:00:00+08:00',
  '2026-10-05T10:00:00.5Z',
  'x',
  '',
];
const TYPES = ['RECEIPT', 'SHIPMENT', 'ADJUSTMENT', 'receipt', 'RECEIPTS', ''];
const UNITS = ['EA', 'BOX', '', 'K G'];
const TROUBLE = [
  '"PO-1,""rush"""',
  '"multi\nline"',
  '"never closed',
  'a"b',
  '\ufeffBOM',
  'bad\xff',
  '\u00e9',
];

const cellFor = (name: string): fc.Arbitrary<string> => {
  const plain = /quantity|amount|unitCost/.test(name)
    ? fc.constantFrom(...NUMBERS)
    : /At$/.test(name)
      ? fc.constantFrom(...DATES)
      : name === 'type'
        ? fc.constantFrom(...TYPES)
        : name === 'uom'
          ? fc.constantFrom(...UNITS)
          : fc.constantFrom(...TEXTS);
  return fc.oneof({ weight: 12, arbitrary: plain }, { weight: 1, arbitrary: fc.constantFrom(...TROUBLE) });
};

interface Row {
  cells: string[];
  /** Cells dropped (negative) or added at the end. */
  extra: number;
  blankBefore: boolean;
}

const rowFor = (source: Source): fc.Arbitrary<Row> =>
  fc.record({
    cells: fc.tuple(...HEADERS[source].map(cellFor)),
    extra: fc.oneof(
      { weight: 10, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) },
    ),
    blankBefore: fc.oneof(
      { weight: 10, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
  });

interface File {
  rows: Row[];
  crlf: boolean;
  bom: boolean;
  finalEol: boolean;
}

const fileFor = (source: Source): fc.Arbitrary<File> =>
  fc.record({
    rows: fc.array(rowFor(source), { maxLength: 40 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
  });

/** The file's bytes; `\xff` in a cell stands for a byte that is not UTF-8. */
function bytesOf(source: Source, file: File): Uint8Array {
  const eol = file.crlf ? '\r\n' : '\n';
  let text = (file.bom ? '\ufeff' : '') + HEADERS[source].join(',') + eol;
  file.rows.forEach((row, i) => {
    if (row.blankBefore) text += eol;
    const cells =
      row.extra < 0 ? row.cells.slice(0, row.extra) : [...row.cells, ...Array<string>(row.extra).fill('z')];
    text += cells.join(',') + (i === file.rows.length - 1 && !file.finalEol ? '' : eol);
  });
  const parts = text.split('\xff').map((p) => encoder.encode(p));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, -1));
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) out[at++] = 0xff;
    out.set(p, at);
    at += p.length;
  });
  return out;
}

type Read = { records: (Movement | Entry)[]; rejected: Rejection[] };

/** The one-pass path: split the whole file, copy each partition's records, read them the general way. */
function onePass(source: Source, bytes: Uint8Array, partitions: number, codeSkus?: Map<string, string>) {
  const shares = new Map<number, { parts: Uint8Array[]; lines: number[] }>();
  const malformed: number[] = [];
  const splitter = new CsvSplitter(
    partitions,
    {
      record: (p, data, start, end, line) => {
        const share = shares.get(p) ?? { parts: [], lines: [] };
        const record = data.slice(start, end);
        share.parts.push(record[record.length - 1] === 10 ? record : Uint8Array.from([...record, 10]));
        share.lines.push(line);
        shares.set(p, share);
      },
      malformed: (line) => malformed.push(line),
    },
    codeSkus,
  );
  splitter.push(bytes);
  splitter.end();
  const read = new Map<number, Read>();
  for (const [p, share] of shares) {
    const text = Buffer.concat(share.parts).toString('latin1');
    read.set(
      p,
      readCsvRecords(text, HEADERS[source], {
        source,
        file: 'f.csv',
        zone: ZONE,
        lines: share.lines,
        latin1: true,
      }),
    );
  }
  return { read, malformed };
}

/** The ranged path: the file cut into `ranges`, each split apart, read where the records lie. */
function ranged(source: Source, bytes: Uint8Array, partitions: number, ranges: number, codeRows: CodeRow[]) {
  const data = new SharedArrayBuffer(bytes.length);
  new Uint8Array(data).set(bytes);
  const other: Source = source === 'wms' ? 'finance' : 'wms';
  const empty = new SharedArrayBuffer(0);
  const { bounds, firstLine } = fileRanges(data, ranges);
  const init = {
    formats: {
      [source]: { kind: 'csv', header: HEADERS[source], file: 'f.csv' },
      [other]: { kind: 'csv', header: HEADERS[other], file: 'g.csv' },
    },
    data: { [source]: data, [other]: empty },
    bounds: { [source]: bounds, [other]: [0, 0] },
    partitions,
    codeRows,
  } as unknown as Omit<RangedInit, 'index' | 'workers'>;
  const found = Array.from({ length: ranges }, (_, r) => {
    const none = indexRange(other, init, [0, 0], 0);
    const index = indexRange(source, init, bounds, r);
    return source === 'wms' ? { wms: index, finance: none } : { wms: none, finance: index };
  });
  const { placed, malformed } = placeIndexes(
    { wms: firstLine, finance: firstLine },
    checkedIndexes(init, found, () => undefined),
  );
  const reader = new FastCsvReader(source, HEADERS[source], 'f.csv', ZONE);
  const read = new Map<number, Read>();
  const buffer = Buffer.from(data);
  for (let p = 0; p < partitions; p++) {
    const runs = placed[source].map((range) => ({
      records: partitionRecords(range.packed, partitions, p),
      firstLine: range.firstLine,
    }));
    const result = readIndexedCsv(buffer, runs, HEADERS[source], reader, {
      source,
      file: 'f.csv',
      zone: ZONE,
    });
    if (result.rows > 0) read.set(p, { records: result.records, rejected: result.rejected });
  }
  return { read, malformed: malformed.map((m) => m.line) };
}

describe('the split-once CSV path', () => {
  for (const source of ['wms', 'finance'] as const) {
    it(`reads every ${source} partition as the one-pass path does, however many ranges`, () => {
      fc.assert(
        fc.property(
          fileFor(source),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 9 }),
          (file, ranges, partitions) => {
            const bytes = bytesOf(source, file);
            const expected = onePass(source, bytes, partitions);
            const actual = ranged(source, bytes, partitions, ranges, []);
            expect(actual.malformed).toEqual(expected.malformed);
            expect([...actual.read.keys()].sort()).toEqual([...expected.read.keys()].sort());
            for (const [p, read] of expected.read) expect(actual.read.get(p)).toEqual(read);
          },
        ),
        { numRuns: 400 },
      );
    });
  }

  it('routes by the unified sku under a code mapping, as the one-pass path does', () => {
    const codeRows: CodeRow[] = [{ kind: 'sku', source: 'wms', from: 'SKU-1', to: 'SKU-2', line: 2 }];
    fc.assert(
      fc.property(fileFor('wms'), fc.integer({ min: 1, max: 4 }), (file, ranges) => {
        const bytes = bytesOf('wms', file);
        const expected = onePass('wms', bytes, 7, new Map([['SKU-1', 'SKU-2']]));
        const actual = ranged('wms', bytes, 7, ranges, codeRows);
        for (const [p, read] of expected.read) expect(actual.read.get(p)).toEqual(read);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a plain record by the fast path, and leaves a quoted one to the general path', () => {
    const reader = new FastCsvReader('wms', HEADERS.wms, 'w.csv', ZONE);
    const plain = Buffer.from('E1,WH-上海-02,SKU-1,RECEIPT,12.5,EA,DOC-1,2026-10-05T10:00:00Z,\n');
    expect(reader.read(plain, 0, plain.length, 7)).toEqual({
      source: 'wms',
      file: 'w.csv',
      line: 7,
      id: 'E1',
      warehouseId: 'WH-上海-02',
      sku: 'SKU-1',
      type: 'RECEIPT',
      quantity: 12_500_000n,
      uom: 'EA',
      documentRef: 'DOC-1',
      at: Date.parse('2026-10-05T10:00:00Z'),
      unitCost: undefined,
    });
    const quoted = Buffer.from('E1,WH-01,SKU-1,RECEIPT,1,EA,"PO-1,""rush""",2026-10-05,\r\n');
    expect(reader.read(quoted, 0, quoted.length, 8)).toBeUndefined();
  });
});
