import { hasNonAscii, tokenizeCsv, utf8FromLatin1 } from './csv.js';
import { readJson } from '../shared/json-text.js';
import { isRejection, parseEntry, parseMovement, type RawRow } from './record-parser.js';
import type { Entry, Movement, Rejection, Source } from './records.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/**
 * CSV and NDJSON text -> validated records and rejections (file, physical line, field, reason).
 * The text is either a whole file or a partition's share of one; for a share, `lines` gives each
 * record's physical line in the original file.
 */
export interface ReadResult<R> {
  records: R[];
  rejected: Rejection[];
}

export type SourceRecord<S extends Source> = S extends 'wms' ? Movement : Entry;

export interface ReadOptions {
  source: Source;
  file: string;
  zone: ZoneClock;
  /** Physical line of the k-th record, when the text is a partition's share of a file. */
  lines?: ArrayLike<number> | undefined;
  /** The text holds the file's bytes decoded one per character (latin1); see csv.ts utf8FromLatin1. */
  latin1?: boolean | undefined;
}

function parser(source: Source) {
  return source === 'wms' ? parseMovement : parseEntry;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function cell(fields: readonly string[], index: number): string | undefined {
  const value = index < 0 ? undefined : fields[index];
  return value === '' ? undefined : value;
}

/**
 * A CSV row as the object the record parser reads: empty cells absent. Built as one object literal
 * per source so every row has the same shape (keyed stores per cell made rows slow dictionaries).
 */
function rowBuilder(source: Source, header: readonly string[]): (fields: readonly string[]) => RawRow {
  const at = (name: string) => header.indexOf(name);
  const [warehouseId, sku, type, quantity, uom, documentRef] = [
    'warehouseId',
    'sku',
    'type',
    'quantity',
    'uom',
    'documentRef',
  ].map(at) as [number, number, number, number, number, number];
  if (source === 'wms') {
    const [eventId, occurredAt, unitCost] = ['eventId', 'occurredAt', 'unitCost'].map(at) as [
      number,
      number,
      number,
    ];
    return (f) => ({
      eventId: cell(f, eventId),
      warehouseId: cell(f, warehouseId),
      sku: cell(f, sku),
      type: cell(f, type),
      quantity: cell(f, quantity),
      uom: cell(f, uom),
      documentRef: cell(f, documentRef),
      occurredAt: cell(f, occurredAt),
      unitCost: cell(f, unitCost),
    });
  }
  const [entryId, amount, currency, postedAt, account] = [
    'entryId',
    'amount',
    'currency',
    'postedAt',
    'account',
  ].map(at) as [number, number, number, number, number];
  return (f) => ({
    entryId: cell(f, entryId),
    warehouseId: cell(f, warehouseId),
    sku: cell(f, sku),
    type: cell(f, type),
    quantity: cell(f, quantity),
    uom: cell(f, uom),
    amount: cell(f, amount),
    currency: cell(f, currency),
    documentRef: cell(f, documentRef),
    postedAt: cell(f, postedAt),
    account: cell(f, account),
  });
}

/** Reads CSV records under a known header (the header line itself is not in `text`). */
export function readCsvRecords<R extends Movement | Entry>(
  text: string,
  header: readonly string[],
  options: ReadOptions,
): ReadResult<R> {
  const parse = parser(options.source);
  const { file, zone, lines, source, latin1 = false } = options;
  const records: R[] = [];
  const rejected: Rejection[] = [];
  const toRow = rowBuilder(source, header);
  let k = 0;
  const lineOf = (line: number): number => (lines === undefined ? line : (lines[k] ?? line));
  tokenizeCsv(
    text,
    {
      record(fields, physical) {
        const line = lineOf(physical);
        k++;
        if (fields.length !== header.length) {
          rejected.push({
            source,
            file,
            line,
            field: undefined,
            reason: `has ${fields.length} fields, the header has ${header.length}${fields.length > header.length ? ' (an unquoted comma?)' : ''}`,
          });
          return;
        }
        const result = parse(toRow(fields), { file, line }, zone);
        if (isRejection(result)) rejected.push(result);
        else records.push(result as R);
      },
      malformed(physical, reason) {
        const line = lineOf(physical);
        k++;
        rejected.push({ source, file, line, field: undefined, reason: `row ${reason}` });
      },
    },
    0,
    1,
    true,
    latin1,
  );
  return { records, rejected };
}

/** Reads a whole CSV file: BOM, header line, records. */
export function readCsvFile<R extends Movement | Entry>(
  text: string,
  options: ReadOptions,
): ReadResult<R> & { header: string[] } {
  const body = stripBom(text);
  let header: string[] | undefined;
  let headerEnd = 0;
  let headerLines = 1;
  tokenizeCsv(
    body,
    {
      record: (fields) => (header ??= fields.map((f) => f.trim())),
      malformed: (_line, _reason, fields) => (header ??= fields.map((f) => f.trim())),
    },
    0,
    1,
    true,
  );
  // Find where the header record ends: the first line feed outside quotes.
  let inQuotes = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === 10) {
      if (!inQuotes && body.slice(0, i).trim() !== '') {
        headerEnd = i + 1;
        break;
      }
      headerLines++;
    }
  }
  if (headerEnd === 0) headerEnd = body.length;
  const rest = body.slice(headerEnd);
  const result = readCsvRecords<R>(rest, header ?? [], { ...options, lines: undefined });
  for (const r of result.records) r.line += headerLines;
  for (const r of result.rejected) r.line += headerLines;
  return { ...result, header: header ?? [] };
}

/** Only JSON whitespace makes a blank line, exactly as the splitter decides (space, tab, CR). */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

export function readNdjsonRecords<R extends Movement | Entry>(
  text: string,
  options: ReadOptions,
): ReadResult<R> {
  const parse = parser(options.source);
  const { file, zone, lines, source, latin1 = false } = options;
  const records: R[] = [];
  const rejected: Rejection[] = [];
  let k = 0;
  let physical = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    physical++;
    let raw = text.slice(start, end);
    start = end + 1;
    if (isBlank(raw)) continue;
    if (latin1 && hasNonAscii(raw)) raw = utf8FromLatin1(raw);
    // A file may start with a BOM, as CSV exports do; it is not part of the first record.
    if (raw.charCodeAt(0) === 0xfeff && (lines === undefined ? physical : lines[k]) === 1) raw = raw.slice(1);
    const line = lines === undefined ? physical : (lines[k] ?? physical);
    k++;
    const read = readJson(raw);
    if (!read.ok) {
      rejected.push({ source, file, line, field: undefined, reason: `is not valid JSON (${read.reason})` });
      continue;
    }
    const result = parse(read.value, { file, line }, zone);
    if (isRejection(result)) rejected.push(result);
    else records.push(result as R);
  }
  return { records, rejected };
}
