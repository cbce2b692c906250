// tokenizeCsv is a hand-written RFC 4180 tokenizer that replaces csv-parse on the hot path, so it is
// held to csv-parse itself on random tables, and its physical line numbers (CONTRACT §3: `line` is
// the 1-based physical line of the file) are checked against an independent count of line breaks.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  csvLine,
  spreadsheetText,
  tokenizeCsv,
  type CsvHandler,
} from '../../../lib/core/records/csv.js';

interface Seen {
  records: { fields: string[]; line: number }[];
  malformed: { line: number; reason: string; fields: string[] }[];
}

function recorder(): Seen & { handler: CsvHandler } {
  const seen: Seen = { records: [], malformed: [] };
  return {
    ...seen,
    handler: {
      record: (fields, line) => seen.records.push({ fields, line }),
      malformed: (line, reason, fields) => seen.malformed.push({ line, reason, fields }),
    },
  };
}

function tokenize(text: string): Seen {
  const r = recorder();
  tokenizeCsv(text, r.handler);
  return { records: r.records, malformed: r.malformed };
}

/** Feeds `text` in pieces cut at `cuts`, carrying the incomplete rest the way a streaming caller does. */
function tokenizeChunked(text: string, cuts: readonly number[]): Seen {
  const r = recorder();
  let rest = '';
  let line = 1;
  let previous = 0;
  for (const cut of [...cuts, text.length]) {
    const buffer = rest + text.slice(previous, cut);
    previous = cut;
    const progress = tokenizeCsv(buffer, r.handler, 0, line, false);
    rest = buffer.slice(progress.next);
    line = progress.line;
  }
  tokenizeCsv(rest, r.handler, 0, line, true);
  return { records: r.records, malformed: r.malformed };
}

/** 1 + the number of line breaks (LF, alone or in CRLF) before `offset`: counted without the tokenizer. */
function physicalLine(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text[i] === '\n') line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Random tables.

/** Pieces of field text: every character that matters to CSV, plus multi-byte text. */
const PIECES = [',', '"', '\n', '\r\n', '\r', ' ', 'a', 'b', 'Z', '7', '-', '上', '海', '仓', '😀'];
const fieldText = fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((pieces) => pieces.join(''));

interface Cell {
  value: string;
  /** Quote the field even though it does not need it. */
  quote: boolean;
}

interface Row {
  cells: Cell[];
  /** Blank lines before the record. */
  blanksBefore: number;
}

interface Table {
  rows: Row[];
  crlf: boolean;
  /** Whether the last record ends with a line break. */
  finalEol: boolean;
  blanksAfter: number;
}

const cell: fc.Arbitrary<Cell> = fc.record({ value: fieldText, quote: fc.boolean() });
const row: fc.Arbitrary<Row> = fc.record({
  cells: fc.array(cell, { minLength: 1, maxLength: 8 }),
  blanksBefore: fc.oneof(fc.constant(0), fc.nat(2)),
});
const table: fc.Arbitrary<Table> = fc.record({
  rows: fc.array(row, { maxLength: 10 }),
  crlf: fc.boolean(),
  finalEol: fc.boolean(),
  blanksAfter: fc.nat(2),
});

/**
 * RFC 4180 serialization of one field: quoted when it holds `,` `"` CR or LF, or when asked to.
 * A record that is one empty field is always quoted (`""`): unquoted it would be an empty line,
 * which both tokenizeCsv and csv-parse (skip_empty_lines) skip, so the record would not exist.
 * Quoted, csv-parse yields [''] for it (it only skips lines that were not quoting) and so must we.
 */
function serializeField(c: Cell, alone: boolean): string {
  const needs = /[",\r\n]/.test(c.value) || c.quote || (alone && c.value === '');
  return needs ? `"${c.value.replace(/"/g, '""')}"` : c.value;
}

interface Serialized {
  text: string;
  /** Each record as it should be read, with its physical start line and its exact text (with its line end). */
  records: { fields: string[]; line: number; offset: number; raw: string }[];
  eol: string;
}

/**
 * One record terminator for the whole table (LF or CRLF), as a real file has: csv-parse detects
 * the record delimiter from the first line break it meets outside quotes and sticks to it, so a
 * mixed file would be a disagreement about the input, not a tokenizer bug. Inside quotes
 * anything goes (LF, CRLF, a lone CR).
 */
function serializeTable(t: Table, prefix = ''): Serialized {
  const eol = t.crlf ? '\r\n' : '\n';
  let text = prefix;
  const records: Serialized['records'] = [];
  t.rows.forEach((r, index) => {
    text += eol.repeat(r.blanksBefore);
    const last = index === t.rows.length - 1;
    const raw =
      r.cells.map((c) => serializeField(c, r.cells.length === 1)).join(',') +
      (last && !t.finalEol ? '' : eol);
    records.push({
      fields: r.cells.map((c) => c.value),
      line: physicalLine(text, text.length),
      offset: text.length,
      raw,
    });
    text += raw;
  });
  if (t.rows.length === 0 || t.finalEol) text += eol.repeat(t.blanksAfter);
  return { text, records, eol };
}

const CSV_PARSE_OPTIONS = { relax_column_count: true, skip_empty_lines: true, bom: true } as const;

describe('tokenizeCsv: focused cases', () => {
  it('keeps a comma inside a quoted document ref', () => {
    const { records, malformed } = tokenize('E1,"PO-0000102,rush",SKU-1\n');

    expect(malformed).toEqual([]);
    expect(records).toEqual([{ fields: ['E1', 'PO-0000102,rush', 'SKU-1'], line: 1 }]);
  });

  it('collapses doubled quotes inside a quoted field', () => {
    const { records } = tokenize('"PO-1,""rush""",""""\n');

    expect(records).toEqual([{ fields: ['PO-1,"rush"', '"'], line: 1 }]);
  });

  it('keeps an embedded LF and an embedded CRLF inside quotes verbatim', () => {
    const { records } = tokenize('"a\nb","c\r\nd",e\n');

    expect(records).toEqual([{ fields: ['a\nb', 'c\r\nd', 'e'], line: 1 }]);
  });

  it('ends records at CRLF without leaving a CR in the last field', () => {
    const { records } = tokenize('a,b\r\nc,d\r\ne,f');

    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c', 'd'], line: 2 },
      { fields: ['e', 'f'], line: 3 },
    ]);
  });

  it('skips blank LF and CRLF lines but counts them in the line numbers', () => {
    const { records } = tokenize('\na\n\n\r\nb\r\n\n');

    expect(records).toEqual([
      { fields: ['a'], line: 2 },
      { fields: ['b'], line: 5 },
    ]);
  });

  it('keeps a whitespace-only line as a record (only empty lines are blank)', () => {
    const { records } = tokenize('a\n  \nb\n');

    expect(records.map((r) => r.fields)).toEqual([['a'], ['  '], ['b']]);
  });

  it('reports the start line of a record spanning 3 physical lines and the right line for the next one', () => {
    const { records } = tokenize('header\n"one\ntwo\nthree",x\nnext\n');

    expect(records).toEqual([
      { fields: ['header'], line: 1 },
      { fields: ['one\ntwo\nthree', 'x'], line: 2 },
      { fields: ['next'], line: 5 },
    ]);
  });

  it('reads a trailing comma as a last empty field, with or without a line end', () => {
    expect(tokenize('a,\n').records).toEqual([{ fields: ['a', ''], line: 1 }]);
    expect(tokenize('a,').records).toEqual([{ fields: ['a', ''], line: 1 }]);
  });

  it('reads a lone quoted empty field as a record of one empty field', () => {
    expect(tokenize('""\nb\n').records).toEqual([
      { fields: [''], line: 1 },
      { fields: ['b'], line: 2 },
    ]);
  });

  it('reports a stray quote inside an unquoted field as malformed and still yields the following records', () => {
    const { records, malformed } = tokenize('h1,h2\nE1,PO 12"x\nE2,PO-2\nE3,PO-3\n');

    expect(malformed).toHaveLength(1);
    expect(malformed[0]?.line).toBe(2);
    expect(malformed[0]?.reason).toMatch(/quote/);
    expect(records).toEqual([
      { fields: ['h1', 'h2'], line: 1 },
      { fields: ['E2', 'PO-2'], line: 3 },
      { fields: ['E3', 'PO-3'], line: 4 },
    ]);
  });

  it('reports characters after a closing quote as malformed and goes on', () => {
    const { records, malformed } = tokenize('"ab"cd,e\nf,g\n');

    expect(malformed.map((m) => m.line)).toEqual([1]);
    expect(malformed[0]?.reason).toMatch(/closing quote/);
    expect(records).toEqual([{ fields: ['f', 'g'], line: 2 }]);
  });

  it('rejects only the first line of an unterminated quote (final) and resumes on the next line', () => {
    const { records, malformed } = tokenize('h\nE1,"PO-1\nE2,PO-2\r\nE3,PO-3\n');

    expect(malformed).toHaveLength(1);
    expect(malformed[0]?.line).toBe(2);
    expect(malformed[0]?.reason).toMatch(/never closed/);
    expect(records).toEqual([
      { fields: ['h'], line: 1 },
      { fields: ['E2', 'PO-2'], line: 3 },
      { fields: ['E3', 'PO-3'], line: 4 },
    ]);
  });

  it('rejects an unterminated quote on the last line without losing the records before it', () => {
    const { records, malformed } = tokenize('a,b\nc,"d');

    expect(records).toEqual([{ fields: ['a', 'b'], line: 1 }]);
    expect(malformed.map((m) => m.line)).toEqual([2]);
  });

  it('returns `next` at the start of an incomplete record when not final', () => {
    const text = 'a,b\n"c\nd",e\nf\n';
    const firstChunk = text.slice(0, text.indexOf('d'));
    const r = recorder();

    const progress = tokenizeCsv(firstChunk, r.handler, 0, 1, false);

    expect(r.records).toEqual([{ fields: ['a', 'b'], line: 1 }]);
    expect(progress).toEqual({ next: text.indexOf('"'), line: 2 });
  });

  it('gives the same records when the carried rest is fed with the next chunk as in one call', () => {
    const text = 'a,b\n"c\nd",e\nf\n';
    const cut = text.indexOf('d');
    const r = recorder();

    const progress = tokenizeCsv(text.slice(0, cut), r.handler, 0, 1, false);
    const rest = text.slice(0, cut).slice(progress.next) + text.slice(cut);
    tokenizeCsv(rest, r.handler, 0, progress.line, true);

    expect(r.records).toEqual(tokenize(text).records);
    expect(r.records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c\nd', 'e'], line: 2 },
      { fields: ['f'], line: 4 },
    ]);
  });

  it('waits for the LF when a chunk ends between CR and LF', () => {
    const r = recorder();

    const progress = tokenizeCsv('a,b\r', r.handler, 0, 1, false);
    tokenizeCsv('a,b\r' + '\nc', r.handler, progress.next, progress.line, true);

    expect(progress).toEqual({ next: 0, line: 1 });
    expect(r.records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c'], line: 2 },
    ]);
  });

  it('starts from `from` with the given start line', () => {
    const r = recorder();

    tokenizeCsv('skip me\nx,y\n', r.handler, 'skip me\n'.length, 7, true);

    expect(r.records).toEqual([{ fields: ['x', 'y'], line: 7 }]);
  });
});

describe('tokenizeCsv: properties', () => {
  it('yields exactly the records csv-parse yields, field for field', () => {
    fc.assert(
      fc.property(table, (t) => {
        const { text } = serializeTable(t);

        const ours = tokenize(text);
        const theirs = parse(text, CSV_PARSE_OPTIONS) as string[][];

        expect(ours.malformed).toEqual([]);
        expect(ours.records.map((r) => r.fields)).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it('reads back the fields that were serialized', () => {
    fc.assert(
      fc.property(table, (t) => {
        const { text, records } = serializeTable(t);

        expect(tokenize(text).records.map((r) => r.fields)).toEqual(records.map((r) => r.fields));
      }),
      { numRuns: 200 },
    );
  });

  it('reports as start line 1 + the number of line breaks before the record', () => {
    fc.assert(
      fc.property(table, (t) => {
        const { text, records } = serializeTable(t);

        const lines = tokenize(text).records.map((r) => r.line);

        expect(lines).toEqual(records.map((r) => physicalLine(text, r.offset)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same records and lines when fed in chunks cut anywhere', () => {
    fc.assert(
      fc.property(table, fc.array(fc.nat(), { maxLength: 8 }), (t, rawCuts) => {
        const { text } = serializeTable(t);
        const cuts = [...new Set(rawCuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);

        expect(tokenizeChunked(text, cuts)).toEqual(tokenize(text));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips csvLine output through tokenizeCsv', () => {
    // A record of one empty field is excluded: csvLine([""]) is "\r\n", a blank line that every
    // reader with skip_empty_lines (ours included) skips. Output rows always have many columns.
    const record = fc
      .array(fieldText, { minLength: 1, maxLength: 8 })
      .filter((fields) => !(fields.length === 1 && fields[0] === ''));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), (records) => {
        const text = records.map(csvLine).join('');

        const read = tokenize(text);

        expect(read.malformed).toEqual([]);
        // What comes back is the text as written for spreadsheets: formula-like text quoted with '.
        expect(read.records.map((r) => r.fields)).toEqual(records.map((r) => r.map(spreadsheetText)));
        let offset = 0;
        const lines = records.map((r) => {
          const line = physicalLine(text, offset);
          offset += csvLine(r).length;
          return line;
        });
        expect(read.records.map((r) => r.line)).toEqual(lines);
      }),
      { numRuns: 300 },
    );
  });

  it('quotes a field exactly when it holds a separator, a quote or a line break', () => {
    fc.assert(
      fc.property(fieldText, (value) => {
        const out = csvField(value);
        const written = spreadsheetText(value);

        expect(out.startsWith('"')).toBe(/[",\r\n]/.test(value));
        expect(tokenize(out + '\n').records.map((r) => r.fields)).toEqual(value === '' ? [] : [[written]]);
      }),
      { numRuns: 300 },
    );
  });
});
