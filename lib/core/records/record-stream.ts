import { duplicateColumn, tokenizeCsv, type CsvHandler } from './csv.js';
import { readJson } from '../shared/json-text.js';
import { isRejection, parseEntry, parseMovement, type RawRow } from './record-parser.js';
import type { Entry, Movement, Rejection, Source } from './records.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/**
 * An incremental reader: text arrives in chunks of any size (as a streaming decoder yields them)
 * and complete rows come out validated by the same parser the CLI uses, each with its exact
 * physical line in the file, however the chunks cut it. Only the incomplete last row is carried.
 */
export interface RecordStreamOptions {
  source: Source;
  format: 'csv' | 'ndjson';
  file: string;
  zone: ZoneClock;
}

export interface StreamBatch {
  records: (Movement | Entry)[];
  rejected: Rejection[];
}

/** The columns a CSV header must name, per source (CONTRACT §1). */
export const REQUIRED_COLUMNS: Record<Source, readonly string[]> = {
  wms: ['eventId', 'warehouseId', 'sku', 'type', 'quantity', 'documentRef', 'occurredAt'],
  finance: ['entryId', 'warehouseId', 'sku', 'type', 'quantity', 'amount', 'documentRef', 'postedAt'],
};

export class RecordStream {
  private readonly options: RecordStreamOptions;
  private readonly parse: typeof parseMovement | typeof parseEntry;
  /** Text received but not yet consumed: the start of an incomplete row. */
  private carry = '';
  /** Physical line at the start of `carry`. */
  private line = 1;
  private started = false;
  private header: string[] | undefined;
  /** The header lacks required columns: the file is unusable and its rows are not read. */
  private unusable = false;
  private out: StreamBatch = { records: [], rejected: [] };
  private readonly csvHandler: CsvHandler;
  /** Data rows seen (records and rejections, the header excluded). */
  rows = 0;

  constructor(options: RecordStreamOptions) {
    this.options = options;
    this.parse = options.source === 'wms' ? parseMovement : parseEntry;
    this.csvHandler = {
      record: (fields, line) => this.csvRecord(fields, line),
      malformed: (line, reason, fields) => {
        if (this.header === undefined) this.takeHeader(fields, line);
        else this.rejectRow(line, undefined, `row ${reason}`);
      },
    };
  }

  /** The CSV header lacked a required column: none of the file's rows were read. */
  get unusableHeader(): boolean {
    return this.unusable;
  }

  push(chunk: string): StreamBatch {
    if (!this.started) {
      if (chunk === '') return this.drain();
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.carry = this.carry === '' ? chunk : this.carry + chunk;
    this.consume(false);
    return this.drain();
  }

  end(): StreamBatch {
    this.consume(true);
    this.carry = '';
    return this.drain();
  }

  private drain(): StreamBatch {
    const out = this.out;
    this.out = { records: [], rejected: [] };
    return out;
  }

  private consume(final: boolean): void {
    if (this.options.format === 'csv') {
      const progress = tokenizeCsv(this.carry, this.csvHandler, 0, this.line, final);
      this.carry = this.carry.slice(progress.next);
      this.line = progress.line;
    } else {
      this.consumeNdjson(final);
    }
  }

  private consumeNdjson(final: boolean): void {
    const text = this.carry;
    let start = 0;
    for (;;) {
      let end = text.indexOf('\n', start);
      if (end < 0) {
        if (!final || start >= text.length) break;
        end = text.length;
      }
      const raw = text.slice(start, end);
      const line = this.line++;
      start = end + 1;
      if (raw.trim() === '') continue;
      this.rows++;
      const read = readJson(raw);
      if (!read.ok) {
        this.rejectRow(line, undefined, `is not valid JSON (${read.reason})`, false);
        continue;
      }
      this.accept(read.value, line);
    }
    this.carry = start >= text.length ? '' : text.slice(start);
  }

  private takeHeader(fields: string[], line: number): void {
    this.header = fields.map((f) => f.trim());
    const missing = REQUIRED_COLUMNS[this.options.source].filter((c) => !this.header?.includes(c));
    const twice = duplicateColumn(this.header);
    if (missing.length === 0 && twice !== undefined) {
      this.unusable = true;
      this.out.rejected.push({
        source: this.options.source,
        file: this.options.file,
        line,
        field: twice,
        reason: `the header names ${twice} twice; which column is meant cannot be known, so the file is not read`,
      });
      return;
    }
    if (missing.length === 0) return;
    this.unusable = true;
    this.out.rejected.push({
      source: this.options.source,
      file: this.options.file,
      line,
      field: missing[0],
      reason: `the header lacks ${missing.join(', ')}; the file is not read (expected ${REQUIRED_COLUMNS[this.options.source].join(',')})`,
    });
  }

  private csvRecord(fields: string[], line: number): void {
    const header = this.header;
    if (header === undefined) return this.takeHeader(fields, line);
    if (this.unusable) return;
    this.rows++;
    if (fields.length !== header.length) {
      const hint = fields.length > header.length ? ' (an unquoted comma?)' : '';
      return this.rejectRow(
        line,
        undefined,
        `has ${fields.length} fields, the header has ${header.length}${hint}`,
        false,
      );
    }
    // No prototype: a header may name any column, `__proto__` included.
    const row = Object.create(null) as RawRow;
    for (let c = 0; c < fields.length; c++) {
      const value = fields[c];
      const name = header[c];
      if (value !== undefined && value !== '' && name !== undefined) row[name] = value;
    }
    this.accept(row, line);
  }

  private accept(value: unknown, line: number): void {
    const result = this.parse(value, { file: this.options.file, line }, this.options.zone);
    if (isRejection(result)) this.out.rejected.push(result);
    else this.out.records.push(result);
  }

  private rejectRow(line: number, field: string | undefined, reason: string, count = true): void {
    if (this.unusable) return;
    if (count) this.rows++;
    this.out.rejected.push({ source: this.options.source, file: this.options.file, line, field, reason });
  }
}
