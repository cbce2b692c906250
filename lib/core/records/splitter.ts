import { MAX_QUOTED_LINES, tokenizeCsv } from './csv.js';
import { hashBytes } from './partition.js';

/**
 * The first pass over an input file: finds each record's bytes and physical line, reads only its
 * sku, and routes the raw record to its partition. It never decodes or splits the other fields,
 * so one thread can feed many: the worker that owns a partition parses its records in full.
 * Works on bytes: in UTF-8 a comma, quote or line feed byte is never part of another character.
 */
export interface SplitSink {
  record(partition: number, data: Uint8Array, start: number, end: number, line: number): void;
  /** A record whose boundaries cannot be trusted: rejected here, never sent to a partition. */
  malformed(line: number, reason: string): void;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const BACKSLASH = 92;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function concat(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  if (a === undefined || a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

abstract class Splitter {
  protected carry: Uint8Array | undefined;
  protected line = 1;
  records = 0;
  /** Hashes of the mapped skus (--codes): only a record whose hash is one of them is decoded. */
  private readonly mapped: ReadonlySet<number> | undefined;

  /**
   * `skuCodes` (a code mapping's sku rows of this file's source) routes a record by its unified
   * sku, so an item stays whole in its partition whichever code each side sent it under.
   */
  constructor(
    protected readonly partitions: number,
    protected readonly sink: SplitSink,
    private readonly skuCodes?: ReadonlyMap<string, string>,
  ) {
    if (skuCodes !== undefined && skuCodes.size > 0)
      this.mapped = new Set([...skuCodes.keys()].map((sku) => hashBytes(encoder.encode(sku))));
  }

  push(chunk: Uint8Array): void {
    const data = concat(this.carry, chunk);
    const next = this.scan(data, false);
    // Copy the tail so the big chunk it came from can be collected.
    this.carry = next < data.length ? data.slice(next) : undefined;
  }

  /**
   * The allocation-free form of push for a reader that reuses one buffer: `data` must begin with
   * `pending` (the incomplete record of the previous call) followed by the new bytes.
   */
  pushJoined(data: Uint8Array): void {
    const next = this.scan(data, false);
    this.carry = next < data.length ? data.slice(next) : undefined;
  }

  get pending(): Uint8Array | undefined {
    return this.carry;
  }

  end(): void {
    if (this.carry !== undefined) this.scan(this.carry, true);
    this.carry = undefined;
  }

  /**
   * Routes every record of `data` at once, a byte range of a file (see line-ranges.ts); positions
   * are relative to `data`. At the file's end (`last`) every record is complete; before it, only
   * whether the range ends exactly at a record boundary is known after the split: true when it does
   * (a quoted line feed or an unclosed quote may carry a record past the range's end).
   */
  splitRange(data: Uint8Array, last: boolean): boolean {
    return this.scan(data, last) === data.length;
  }

  /** Physical lines consumed so far (relative to the line the splitter started at). */
  get linesSeen(): number {
    return this.line;
  }

  protected route(hash: number, data: Uint8Array, start: number, end: number, line: number): void {
    this.records++;
    if (this.mapped?.has(hash) === true) hash = this.unifiedHash(hash, data, start, end);
    this.sink.record(hash % this.partitions, data, start, end, line);
  }

  /** The hash of the record's mapped sku; its own when the hash only collided with a mapped one. */
  private unifiedHash(hash: number, data: Uint8Array, start: number, end: number): number {
    const sku = this.skuText(data, start, end);
    const to = sku === undefined ? undefined : this.skuCodes?.get(sku);
    return to === undefined ? hash : hashBytes(encoder.encode(to));
  }

  /** The record's sku as the worker will read it, or undefined when it has none. */
  protected abstract skuText(data: Uint8Array, start: number, end: number): string | undefined;

  /** Routes every complete record from the start of `data`; returns where the incomplete rest begins. */
  protected abstract scan(data: Uint8Array, final: boolean): number;
}

/** Hash of a quoted CSV field's value: doubled quotes collapsed, as the worker will read it. */
function hashQuoted(data: Uint8Array, start: number, end: number): number {
  const value: number[] = [];
  for (let i = start; i < end; i++) {
    const b = data[i] ?? 0;
    value.push(b);
    if (b === QUOTE) i++;
  }
  return hashBytes(Uint8Array.from(value));
}

export class CsvSplitter extends Splitter {
  header: string[] | undefined;
  private skuColumn = -1;

  /**
   * Starts mid-file, past the header: at a record boundary that is physical line `line` (0 to
   * count lines from there). The header is the file's, as read from its first line.
   */
  resumeAt(header: string[], line: number): this {
    this.header = header;
    this.skuColumn = header.indexOf('sku');
    this.line = line;
    return this;
  }

  protected skuText(data: Uint8Array, start: number, end: number): string | undefined {
    let sku: string | undefined;
    tokenizeCsv(
      decoder.decode(data.subarray(start, end)),
      {
        record: (fields) => (sku ??= fields[this.skuColumn]),
        malformed: () => undefined,
      },
      0,
      1,
      true,
    );
    return sku;
  }

  protected scan(data: Uint8Array, final: boolean): number {
    let i = 0;
    const n = data.length;
    // Where the next quote is: searched once per quote, not once per record (quotes are rare).
    let q = -1;
    while (i < n) {
      const b0 = data[i];
      if (b0 === LF) {
        i++;
        this.line++;
        continue;
      }
      if (b0 === CR && data[i + 1] === LF) {
        i += 2;
        this.line++;
        continue;
      }
      if (this.header === undefined) {
        const nl = data.indexOf(LF, i);
        if (nl < 0 && !final) return i;
        const end = nl < 0 ? n : nl + 1;
        let text = decoder.decode(data.subarray(i, end));
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        tokenizeCsv(text, {
          record: (fields) => (this.header = fields.map((f) => f.trim())),
          malformed: (_line, _reason, fields) => (this.header = fields.map((f) => f.trim())),
        });
        this.header ??= [];
        this.skuColumn = this.header.indexOf('sku');
        this.line++;
        i = end;
        continue;
      }
      const nl = data.indexOf(LF, i);
      if (q !== n && q < i) {
        q = data.indexOf(QUOTE, i);
        if (q < 0) q = n;
      }
      if (q === n || (nl >= 0 && q > nl)) {
        // Fast path: a record without quotes ends at the line feed.
        if (nl < 0 && !final) return i;
        const end = nl < 0 ? n : nl + 1;
        let lineEnd = nl < 0 ? n : nl;
        if (lineEnd > i && data[lineEnd - 1] === CR) lineEnd--;
        let fieldStart = i;
        for (let k = 0; k < this.skuColumn && fieldStart >= 0; k++) {
          const c = data.indexOf(COMMA, fieldStart);
          fieldStart = c >= 0 && c < lineEnd ? c + 1 : -1;
        }
        let hash = hashBytes(data, 0, 0);
        if (fieldStart >= 0 && this.skuColumn >= 0) {
          const c = data.indexOf(COMMA, fieldStart);
          hash = hashBytes(data, fieldStart, c >= 0 && c < lineEnd ? c : lineEnd);
        }
        this.route(hash, data, i, end, this.line);
        this.line++;
        i = end;
        continue;
      }
      const next = this.scanQuoted(data, i, final);
      if (next < 0) return i;
      i = next;
    }
    return i;
  }

  /** The slow path: a record with quotes, possibly spanning lines. Returns -1 to wait for more data. */
  private scanQuoted(data: Uint8Array, start: number, final: boolean): number {
    const n = data.length;
    let i = start;
    let field = 0;
    let lines = 0;
    let skuStart = -1;
    let skuEnd = -1;
    let skuQuoted = false;
    for (;;) {
      const fieldStart = i;
      let quoted = false;
      let valueEnd: number;
      if (data[i] === QUOTE) {
        quoted = true;
        i++;
        for (;;) {
          if (i >= n) {
            if (!final && lines <= MAX_QUOTED_LINES) return -1;
            return this.unterminated(data, start);
          }
          const b = data[i];
          if (b === QUOTE) {
            if (data[i + 1] === QUOTE) {
              i += 2;
              continue;
            }
            break;
          }
          if (b === LF && ++lines > MAX_QUOTED_LINES) return this.unterminated(data, start);
          i++;
        }
        valueEnd = i;
        i++;
      } else valueEnd = -1;
      // Up to the separator or the line end (characters after a closing quote stay in the field).
      while (i < n && data[i] !== COMMA && data[i] !== LF) i++;
      if (valueEnd < 0) valueEnd = i > fieldStart && data[i - 1] === CR && data[i] === LF ? i - 1 : i;
      if (field === this.skuColumn) {
        skuStart = quoted ? fieldStart + 1 : fieldStart;
        skuEnd = valueEnd;
        skuQuoted = quoted;
      }
      if (i >= n && !final) return -1;
      if (i < n && data[i] === COMMA) {
        i++;
        field++;
        continue;
      }
      const end = i < n ? i + 1 : n;
      const hash =
        skuStart < 0
          ? hashBytes(data, 0, 0)
          : skuQuoted
            ? hashQuoted(data, skuStart, skuEnd)
            : hashBytes(data, skuStart, skuEnd);
      this.route(hash, data, start, end, this.line);
      this.line += lines + 1;
      return end;
    }
  }

  /** An opening quote that never closes: reject its first line and go on with the next one. */
  private unterminated(data: Uint8Array, start: number): number {
    this.sink.malformed(this.line, 'has a quoted field that is never closed');
    this.line++;
    const nl = data.indexOf(LF, start);
    return nl < 0 ? data.length : nl + 1;
  }
}

/** Reads the top-level "sku" string of a JSON line without parsing the rest of it. */
export class NdjsonSplitter extends Splitter {
  protected skuText(data: Uint8Array, start: number, end: number): string | undefined {
    try {
      const value: unknown = JSON.parse(decoder.decode(data.subarray(start, end)));
      const sku = (value as { sku?: unknown } | null)?.sku;
      return typeof sku === 'string' ? sku : undefined;
    } catch {
      return undefined;
    }
  }

  protected scan(data: Uint8Array, final: boolean): number {
    let i = 0;
    const n = data.length;
    while (i < n) {
      const nl = data.indexOf(LF, i);
      if (nl < 0 && !final) return i;
      const end = nl < 0 ? n : nl + 1;
      const lineEnd = nl < 0 ? n : nl;
      let k = i;
      while (k < lineEnd && (data[k] === 32 || data[k] === 9 || data[k] === CR)) k++;
      if (k < lineEnd) this.route(this.skuHash(data, k, lineEnd), data, i, end, this.line);
      this.line++;
      i = end;
    }
    return i;
  }

  /**
   * Walks the line's bytes tracking strings and nesting, and hashes the value of the first "sku"
   * key at the top level; a nested object's "sku" or the text "sku" inside a value never counts.
   */
  private skuHash(data: Uint8Array, start: number, end: number): number {
    let depth = 0;
    let i = start;
    while (i < end) {
      const b = data[i];
      if (b === QUOTE) {
        const s = i + 1;
        let e = s;
        let escaped = false;
        while (e < end && data[e] !== QUOTE) {
          if (data[e] === BACKSLASH) {
            escaped = true;
            e++;
          }
          e++;
        }
        i = e + 1;
        if (depth !== 1) continue;
        // A key is a string followed by a colon.
        let k = i;
        while (k < end && (data[k] === 32 || data[k] === 9)) k++;
        if (data[k] !== 58 /* : */) continue;
        if (escaped || e - s !== 3 || data[s] !== 115 || data[s + 1] !== 107 || data[s + 2] !== 117) continue;
        k++;
        while (k < end && (data[k] === 32 || data[k] === 9)) k++;
        if (data[k] !== QUOTE) return hashBytes(data, 0, 0);
        let v = k + 1;
        let valueEscaped = false;
        while (v < end && data[v] !== QUOTE) {
          if (data[v] === BACKSLASH) {
            valueEscaped = true;
            v++;
          }
          v++;
        }
        if (!valueEscaped) return hashBytes(data, k + 1, v);
        try {
          const sku: unknown = JSON.parse(decoder.decode(data.subarray(k, v + 1)));
          return typeof sku === 'string' ? hashBytes(encoder.encode(sku)) : hashBytes(data, 0, 0);
        } catch {
          return hashBytes(data, 0, 0);
        }
      }
      if (b === 123 /* { */ || b === 91 /* [ */) depth++;
      else if (b === 125 /* } */ || b === 93 /* ] */) depth--;
      i++;
    }
    return hashBytes(data, 0, 0);
  }
}
