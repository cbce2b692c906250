// The splitter is the first pass over a whole input file: it must find the same record boundaries
// and physical lines as the tokenizer the workers run later, whatever the chunking of the byte
// stream (chunks end anywhere: inside a UTF-8 character, between CR and LF, inside quotes), and it
// must route every record by the sku the worker will read, so that an item's records meet in one
// partition.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenizeCsv } from '../../../lib/core/records/csv.js';
import { partitionOf } from '../../../lib/core/records/partition.js';
import { readCsvRecords, readNdjsonRecords, stripBom } from '../../../lib/core/records/readers.js';
import { CsvSplitter, NdjsonSplitter, type SplitSink } from '../../../lib/core/records/splitter.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTC = new ZoneClock('UTC');

interface Routed {
  partition: number;
  bytes: Uint8Array;
  line: number;
}

interface SplitResult {
  routed: Routed[];
  malformed: { line: number; reason: string }[];
  header: string[] | undefined;
}

type Kind = 'csv' | 'ndjson';

/** Runs a splitter over `bytes` cut at the given byte positions (each chunk a view into `bytes`). */
function split(kind: Kind, bytes: Uint8Array, cuts: readonly number[], partitions: number): SplitResult {
  const routed: Routed[] = [];
  const malformed: SplitResult['malformed'] = [];
  const sink: SplitSink = {
    // Copy: the splitter may hand over a buffer it reuses.
    record: (partition, data, start, end, line) =>
      routed.push({ partition, bytes: data.slice(start, end), line }),
    malformed: (line, reason) => malformed.push({ line, reason }),
  };
  const splitter = kind === 'csv' ? new CsvSplitter(partitions, sink) : new NdjsonSplitter(partitions, sink);
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    splitter.push(bytes.subarray(previous, cut));
    previous = cut;
  }
  splitter.end();
  expect(splitter.records).toBe(routed.length);
  return { routed, malformed, header: splitter instanceof CsvSplitter ? splitter.header : undefined };
}

function everyByte(bytes: Uint8Array): number[] {
  return Array.from({ length: bytes.length }, (_, i) => i);
}

function cutsOf(raw: readonly number[], length: number): number[] {
  return [...new Set(raw.map((c) => c % (length + 1)))].sort((a, b) => a - b);
}

/** Comparable form: hex bytes, so a record cut inside a UTF-8 character cannot hide. */
function comparable(result: SplitResult) {
  return {
    routed: result.routed.map((r) => ({
      partition: r.partition,
      line: r.line,
      hex: Buffer.from(r.bytes).toString('hex'),
    })),
    malformed: result.malformed,
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Each partition's share: its records' bytes in order, with their physical lines (as the CLI stores them). */
function shares(result: SplitResult): Map<number, { text: string; lines: number[] }> {
  const byPartition = new Map<number, Routed[]>();
  for (const r of result.routed) {
    const list = byPartition.get(r.partition) ?? [];
    list.push(r);
    byPartition.set(r.partition, list);
  }
  const out = new Map<number, { text: string; lines: number[] }>();
  for (const [p, list] of byPartition) {
    out.set(p, { text: decoder.decode(concat(list.map((r) => r.bytes))), lines: list.map((r) => r.line) });
  }
  return out;
}

const chunkCuts = fc.array(fc.nat(), { maxLength: 12 });
const partitionCount = fc.integer({ min: 1, max: 16 });

// ---------------------------------------------------------------------------------------------
// CSV files.

/** Pieces of field text: every character that matters to CSV, plus 3- and 4-byte UTF-8 characters. */
const PIECES = [',', '"', '\n', '\r\n', '\r', ' ', 'a', 'b', 'Z', '7', '-', '上', '海', '仓', '😀'];
const fieldText = fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((pieces) => pieces.join(''));

interface Cell {
  value: string;
  quote: boolean;
}

interface CsvFile {
  names: string[];
  skuAt: number;
  bom: boolean;
  crlf: boolean;
  rows: { cells: Cell[]; blanksBefore: number }[];
  finalEol: boolean;
  blanksAfter: number;
}

const csvFile: fc.Arbitrary<CsvFile> = fc.record({
  names: fc
    .uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 5 })
    .map((n) => n.filter((x) => x !== 'sku')),
  skuAt: fc.nat(),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  rows: fc.array(
    fc.record({
      cells: fc.array(fc.record({ value: fieldText, quote: fc.boolean() }), { minLength: 1, maxLength: 8 }),
      blanksBefore: fc.oneof(fc.constant(0), fc.nat(2)),
    }),
    { maxLength: 10 },
  ),
  finalEol: fc.boolean(),
  blanksAfter: fc.nat(2),
});

interface BuiltCsv {
  text: string;
  header: string[];
  skuColumn: number;
  records: { fields: string[]; line: number; raw: string }[];
}

function physicalLine(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * RFC 4180 serialization, one record terminator per file (LF or CRLF). A record of one empty field
 * is written `""`, since an empty line is a blank line, not a record.
 */
function buildCsv(f: CsvFile, rawRows: readonly (string | undefined)[] = []): BuiltCsv {
  const eol = f.crlf ? '\r\n' : '\n';
  const skuColumn = f.skuAt % (f.names.length + 1);
  const header = [...f.names.slice(0, skuColumn), 'sku', ...f.names.slice(skuColumn)];
  let text = (f.bom ? '\ufeff' : '') + header.join(',') + eol;
  const records: BuiltCsv['records'] = [];
  f.rows.forEach((row, index) => {
    text += eol.repeat(row.blanksBefore);
    const last = index === f.rows.length - 1;
    const body =
      rawRows[index] ??
      row.cells
        .map((c) =>
          /[",\r\n]/.test(c.value) || c.quote || (row.cells.length === 1 && c.value === '')
            ? `"${c.value.replace(/"/g, '""')}"`
            : c.value,
        )
        .join(',');
    const raw = body + (last && !f.finalEol ? '' : eol);
    records.push({ fields: row.cells.map((c) => c.value), line: physicalLine(text, text.length), raw });
    text += raw;
  });
  if (f.rows.length === 0 || f.finalEol) text += eol.repeat(f.blanksAfter);
  return { text, header, skuColumn, records };
}

function tokenizeAll(text: string) {
  const records: { fields: string[]; line: number }[] = [];
  const malformed: number[] = [];
  tokenizeCsv(stripBom(text), {
    record: (fields, line) => records.push({ fields, line }),
    malformed: (line) => malformed.push(line),
  });
  return { records, malformed };
}

describe('CsvSplitter', () => {
  it('routes the same records, lines and partitions whatever the chunking, as tokenizeCsv reads them', () => {
    fc.assert(
      fc.property(csvFile, chunkCuts, partitionCount, (f, rawCuts, partitions) => {
        const built = buildCsv(f);
        const bytes = encoder.encode(built.text);

        const whole = split('csv', bytes, [], partitions);
        const chunked = split('csv', bytes, cutsOf(rawCuts, bytes.length), partitions);
        const tokenized = tokenizeAll(built.text);

        expect(comparable(chunked)).toEqual(comparable(whole));
        expect(whole.malformed).toEqual([]);
        expect(whole.header).toEqual(built.header);
        // tokenizeCsv sees the header as its first record.
        expect(tokenized.malformed).toEqual([]);
        expect(tokenized.records[0]?.fields).toEqual(built.header);
        const body = tokenized.records.slice(1);
        expect(whole.routed.map((r) => r.line)).toEqual(body.map((r) => r.line));
        expect(whole.routed.map((r) => r.partition)).toEqual(
          body.map((r) => partitionOf(r.fields[built.skuColumn] ?? '', partitions)),
        );
        // Each routed record is exactly the record's text with its line end.
        expect(whole.routed.map((r) => decoder.decode(r.bytes))).toEqual(built.records.map((r) => r.raw));
        expect(body.map((r) => r.fields)).toEqual(built.records.map((r) => r.fields));
      }),
      { numRuns: 300 },
    );
  });

  it('routes the same records when fed one byte at a time (every cut inside a character or a CRLF)', () => {
    fc.assert(
      fc.property(csvFile, (f) => {
        const bytes = encoder.encode(buildCsv(f).text);

        const byByte = split('csv', bytes, everyByte(bytes), 7);

        expect(comparable(byByte)).toEqual(comparable(split('csv', bytes, [], 7)));
      }),
      { numRuns: 100 },
    );
  });

  it('routes rows the worker will reject as malformed at their own lines, whatever the chunking', () => {
    // Rows whose boundaries are still clear (a stray quote in an unquoted field, text after a closing
    // quote) are routed; the worker's tokenizer rejects them. Read back from the partition shares with
    // their line maps, every rejection must carry the line the whole file gives it.
    const damaged = fc.constantFrom(undefined, undefined, 'E1,PO 1"2,x', '"PO-1"x,SKU"', 'a,"b\nc"d,e');
    fc.assert(
      fc.property(
        csvFile,
        fc.array(damaged, { maxLength: 10 }),
        chunkCuts,
        partitionCount,
        (f, rawRows, rawCuts, partitions) => {
          const built = buildCsv(f, rawRows);
          const bytes = encoder.encode(built.text);
          const whole = split('csv', bytes, [], partitions);
          const chunked = split('csv', bytes, cutsOf(rawCuts, bytes.length), partitions);
          const tokenized = tokenizeAll(built.text);
          const options = { source: 'wms', file: 'w.csv', zone: UTC } as const;

          const fromShares = new Map<number, string>();
          for (const share of shares(whole).values()) {
            const read = readCsvRecords(share.text, built.header, { ...options, lines: share.lines });
            for (const r of read.rejected) fromShares.set(r.line, r.reason);
          }

          expect(comparable(chunked)).toEqual(comparable(whole));
          expect(whole.malformed).toEqual([]);
          const expectedLines = [...tokenized.records.slice(1).map((r) => r.line), ...tokenized.malformed];
          expect(whole.routed.map((r) => r.line)).toEqual(expectedLines.sort((a, b) => a - b));
          // No row has the required fields, so every routed row comes back rejected, at its own line.
          expect([...fromShares.keys()].sort((a, b) => a - b)).toEqual(whole.routed.map((r) => r.line));
          for (const line of tokenized.malformed) expect(fromShares.get(line)).toMatch(/^row has/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports an unterminated quote at its line and still routes the records after it', () => {
    const text =
      '\ufeffeventId,sku,documentRef\r\nE1,SKU-1,"PO\n1"\r\nE2,"SKU-2,PO-2\r\nE3,SKU-3,PO-3\r\nE4,上海,PO-4\r\n';
    const bytes = encoder.encode(text);

    for (const cuts of [[], [text.indexOf('E3')], everyByte(bytes)]) {
      const result = split('csv', bytes, cuts, 5);

      expect(result.malformed).toEqual([{ line: 4, reason: 'has a quoted field that is never closed' }]);
      expect(result.routed.map((r) => [decoder.decode(r.bytes), r.line, r.partition])).toEqual([
        ['E1,SKU-1,"PO\n1"\r\n', 2, partitionOf('SKU-1', 5)],
        ['E3,SKU-3,PO-3\r\n', 5, partitionOf('SKU-3', 5)],
        ['E4,上海,PO-4\r\n', 6, partitionOf('上海', 5)],
      ]);
    }
  });

  it('hashes a quoted sku as its value, doubled quotes collapsed', () => {
    const bytes = encoder.encode('sku,x\n"A,""B""",1\nA,2\n');

    const result = split('csv', bytes, [], 1000);

    expect(result.routed.map((r) => r.partition)).toEqual([
      partitionOf('A,"B"', 1000),
      partitionOf('A', 1000),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// NDJSON files.

/** One character of a JSON string and whether to write it as a \uXXXX escape. */
const jsonChar = fc.record({
  ch: fc.constantFrom(
    'S',
    'K',
    'U',
    's',
    'k',
    'u',
    '-',
    '1',
    '上',
    '海',
    '"',
    '\\',
    '/',
    '\n',
    '\t',
    ' ',
    '😀',
    ':',
  ),
  escape: fc.boolean(),
});

function jsonString(chars: readonly { ch: string; escape: boolean }[]): string {
  let out = '"';
  for (const { ch, escape } of chars) {
    if (escape) {
      for (let i = 0; i < ch.length; i++) out += '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0');
    } else out += JSON.stringify(ch).slice(1, -1);
  }
  return out + '"';
}

/** Text that looks like a sku key, for values and other keys. */
const SKU_LOOKALIKES = [
  'sku',
  '"sku"',
  '"sku":',
  '"sku":"FAKE"',
  '\\',
  '\\"sku\\":',
  'x',
  '上海',
  ',',
  '{',
  '}',
];
const lookalikeString = fc
  .array(fc.constantFrom(...SKU_LOOKALIKES), { maxLength: 4 })
  .map((parts) => JSON.stringify(parts.join('')));
const flatValue: fc.Arbitrary<string> = fc.oneof(
  lookalikeString,
  fc.integer().map(String),
  fc.constantFrom('true', 'false', 'null', '12.50'),
  fc.array(lookalikeString, { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
  fc.record({ k: fc.constantFrom('"skus"', '"note"'), v: lookalikeString }).map(({ k, v }) => `{${k}:${v}}`),
);
/** Other keys, some close to "sku" (every one of them written with JSON.stringify). */
const OTHER_KEYS = [
  'eventId',
  'note',
  'documentRef',
  'skus',
  'SKU',
  'sku_name',
  'mysku',
  'sku ',
  ' sku',
  'x"sku',
  'a\\',
];

interface JsonObject {
  sku: string;
  text: string;
}

const space = fc.constantFrom('', '', ' ', '\t');

function jsonObject(value: fc.Arbitrary<string>): fc.Arbitrary<JsonObject> {
  return fc
    .record({
      sku: fc.array(jsonChar, { maxLength: 8 }),
      others: fc.uniqueArray(fc.record({ key: fc.constantFrom(...OTHER_KEYS), value }), {
        selector: (o) => o.key,
        maxLength: 5,
      }),
      skuAt: fc.nat(),
      ws: fc.record({ key: space, colon: space, comma: space }),
    })
    .map(({ sku, others, skuAt, ws }) => {
      const members = others.map((o) => `${JSON.stringify(o.key)}${ws.key}:${ws.colon}${o.value}`);
      members.splice(skuAt % (members.length + 1), 0, `"sku"${ws.key}:${ws.colon}${jsonString(sku)}`);
      const text = `{${ws.comma}${members.join(`,${ws.comma}`)}}`;
      return { sku: (JSON.parse(text) as { sku: string }).sku, text };
    });
}

type NdLine = { blank: string } | { object: JsonObject };

interface NdjsonFile {
  lines: { line: NdLine; crlf: boolean }[];
  finalEol: boolean;
}

function ndjsonFile(value: fc.Arbitrary<string>, blank: fc.Arbitrary<string>): fc.Arbitrary<NdjsonFile> {
  const line: fc.Arbitrary<NdLine> = fc.oneof(
    { weight: 1, arbitrary: blank.map((b) => ({ blank: b })) },
    { weight: 3, arbitrary: jsonObject(value).map((o) => ({ object: o })) },
  );
  return fc.record({
    lines: fc.array(fc.record({ line, crlf: fc.boolean() }), { maxLength: 10 }),
    finalEol: fc.boolean(),
  });
}

interface BuiltNdjson {
  text: string;
  records: { sku: string; line: number; raw: string }[];
}

function buildNdjson(f: NdjsonFile): BuiltNdjson {
  let text = '';
  const records: BuiltNdjson['records'] = [];
  f.lines.forEach(({ line, crlf }, index) => {
    const last = index === f.lines.length - 1;
    const body = 'blank' in line ? line.blank : line.object.text;
    const raw = body + (last && !f.finalEol ? '' : crlf ? '\r\n' : '\n');
    if ('object' in line) records.push({ sku: line.object.sku, line: index + 1, raw });
    text += raw;
  });
  return { text, records };
}

/** Lines the splitter must skip: JSON whitespace only (a CRLF blank line is "\r"). */
const asciiBlank = fc.constantFrom('', ' ', '\t', ' \t ', '\r');

describe('NdjsonSplitter', () => {
  it('routes the same lines and partitions whatever the chunking, by the sku JSON.parse reads', () => {
    fc.assert(
      fc.property(ndjsonFile(flatValue, asciiBlank), chunkCuts, partitionCount, (f, rawCuts, partitions) => {
        const built = buildNdjson(f);
        const bytes = encoder.encode(built.text);

        const whole = split('ndjson', bytes, [], partitions);
        const chunked = split('ndjson', bytes, cutsOf(rawCuts, bytes.length), partitions);

        expect(comparable(chunked)).toEqual(comparable(whole));
        expect(whole.malformed).toEqual([]);
        expect(whole.routed.map((r) => r.line)).toEqual(built.records.map((r) => r.line));
        expect(whole.routed.map((r) => decoder.decode(r.bytes))).toEqual(built.records.map((r) => r.raw));
        expect(whole.routed.map((r) => r.partition)).toEqual(
          built.records.map((r) => partitionOf(r.sku, partitions)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('routes the same lines when fed one byte at a time', () => {
    fc.assert(
      fc.property(ndjsonFile(flatValue, asciiBlank), (f) => {
        const bytes = encoder.encode(buildNdjson(f).text);

        const byByte = split('ndjson', bytes, everyByte(bytes), 7);

        expect(comparable(byByte)).toEqual(comparable(split('ndjson', bytes, [], 7)));
      }),
      { numRuns: 100 },
    );
  });

  it('skips blank lines but counts them', () => {
    const bytes = encoder.encode('\n  \r\n{"sku":"A"}\n\t\n{"sku":"B"}');

    const result = split('ndjson', bytes, [], 1000);

    expect(result.routed.map((r) => [decoder.decode(r.bytes), r.line, r.partition])).toEqual([
      ['{"sku":"A"}\n', 3, partitionOf('A', 1000)],
      ['{"sku":"B"}', 5, partitionOf('B', 1000)],
    ]);
  });

  it('reads an escaped sku the way JSON.parse does', () => {
    const bytes = encoder.encode('{"note":"\\"sku\\":\\"X\\"","sku":"\\u4e0a\\u6d77-\\"1\\"\\\\"}\n');

    const result = split('ndjson', bytes, [], 1000);

    expect(result.routed.map((r) => r.partition)).toEqual([partitionOf('上海-"1"\\', 1000)]);
  });

  it('routes by the top-level sku even when another field holds an object with a sku key', () => {
    // CONTRACT §1 records are flat, but extra fields are allowed (the wire schemas ignore them), and
    // the splitter promises the top-level "sku": a record routed by a nested one lands in another
    // partition than the rest of its item, splitting its groups.
    const nested = fc.oneof(
      flatValue,
      fc.array(jsonChar, { maxLength: 4 }).map((chars) => `{"sku":${jsonString(chars)}}`),
      fc.array(jsonChar, { maxLength: 4 }).map((chars) => `[{"qty":1,"sku":${jsonString(chars)}}]`),
    );
    fc.assert(
      fc.property(jsonObject(nested), (o) => {
        const result = split('ndjson', encoder.encode(o.text + '\n'), [], 1000);

        expect(result.routed.map((r) => r.partition)).toEqual([partitionOf(o.sku, 1000)]);
      }),
      { numRuns: 300 },
    );
  });

  it('routes only lines the reader reads, so partition shares keep their line numbers', () => {
    // A worker reads its share with readNdjsonRecords and the line map (k-th record -> physical
    // line). If the splitter routes a line the reader skips as blank, every later record of that
    // partition is reported at another record's line (CONTRACT §3 `rejected[].line`).
    const blank = fc.constantFrom('', ' ', '\t', '\r', '\u3000', '\u00a0', ' \u3000 ');
    fc.assert(
      fc.property(ndjsonFile(flatValue, blank), partitionCount, (f, partitions) => {
        const built = buildNdjson(f);
        const options = { source: 'wms', file: 'w.ndjson', zone: UTC } as const;
        const result = split('ndjson', encoder.encode(built.text), [], partitions);

        const fromShares: number[] = [];
        for (const share of shares(result).values()) {
          const read = readNdjsonRecords(share.text, { ...options, lines: share.lines });
          fromShares.push(...read.rejected.map((r) => r.line), ...read.records.map((r) => r.line));
        }
        const whole = readNdjsonRecords(built.text, options);

        const wholeLines = [...whole.rejected, ...whole.records].map((r) => r.line).sort((a, b) => a - b);

        expect(fromShares.sort((a, b) => a - b)).toEqual(wholeLines);
      }),
      { numRuns: 300 },
    );
  });
});
