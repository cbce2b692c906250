/**
 * RFC 4180 CSV over a string: quoted fields may hold commas, doubled quotes and line breaks; LF or
 * CRLF line ends; blank lines skipped. Hand-written because csv-parse costs more than the whole
 * rest of a reconciliation (FIELD-NOTES); a property test proves it equal to csv-parse.
 * Records carry their 1-based physical start line. A record that breaks the quoting rules is
 * reported as malformed, and tokenizing goes on with the next record: nothing around it is lost.
 */
export interface CsvHandler {
  record(fields: string[], line: number): void;
  malformed(line: number, reason: string, fields: string[]): void;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

const NON_ASCII = /[\u0080-\u00ff]/;
const utf8 = new TextDecoder();

/**
 * Text decoded byte-for-byte (latin1) is four times faster to make than UTF-8 and stays a compact
 * one-byte string; the few records with multi-byte characters are decoded properly here. Every
 * delimiter is ASCII, so record and field boundaries are the same either way.
 */
export function utf8FromLatin1(text: string): string {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return utf8.decode(bytes);
}

export function hasNonAscii(text: string): boolean {
  return NON_ASCII.test(text);
}

/** A record spanning more lines than this inside quotes is an unterminated quote, not a field. */
export const MAX_QUOTED_LINES = 1000;

export interface CsvProgress {
  /** Index of the first character not yet consumed (the start of an incomplete record). */
  next: number;
  /** Physical line number at `next`. */
  line: number;
}

/**
 * Tokenizes the complete records of `text` from `from`. Unless `final`, an incomplete last record
 * is left for the caller to carry into the next chunk.
 */
export function tokenizeCsv(
  text: string,
  handler: CsvHandler,
  from = 0,
  startLine = 1,
  final = true,
  latin1 = false,
): CsvProgress {
  const n = text.length;
  let i = from;
  let line = startLine;
  // Where the next quote is: searched once per quote, not per record, since quotes are rare.
  let nextQuote = -1;
  records: while (i < n) {
    const recordStart = i;
    const recordLine = line;
    if (nextQuote !== n && nextQuote < i) {
      nextQuote = text.indexOf('"', i);
      if (nextQuote < 0) nextQuote = n;
    }
    const lineFeed = text.indexOf('\n', i);
    if (lineFeed > i && nextQuote > lineFeed) {
      // Fast path: a record without quotes is its line, split at the commas natively.
      const end = text.charCodeAt(lineFeed - 1) === CR ? lineFeed - 1 : lineFeed;
      if (end > i) {
        let record = text.slice(i, end);
        if (latin1 && NON_ASCII.test(record)) record = utf8FromLatin1(record);
        handler.record(record.split(','), recordLine);
      }
      i = lineFeed + 1;
      line++;
      continue;
    }
    // Blank line: skip it (csv-parse's skip_empty_lines).
    const c0 = text.charCodeAt(i);
    if (c0 === LF) {
      i++;
      line++;
      continue;
    }
    if (c0 === CR && text.charCodeAt(i + 1) === LF) {
      i += 2;
      line++;
      continue;
    }
    const fields: string[] = [];
    let problem: string | undefined;
    let done = false;
    while (!done) {
      if (i < n && text.charCodeAt(i) === QUOTE) {
        // Quoted field.
        let value = '';
        let segment = i + 1;
        let j = i + 1;
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            for (let k = text.indexOf('\n', j); k >= 0; k = text.indexOf('\n', k + 1)) line++;
            break;
          }
          // Count line breaks inside the quotes for physical line numbers.
          for (let k = text.indexOf('\n', j); k >= 0 && k < q; k = text.indexOf('\n', k + 1)) line++;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(segment, q + 1);
            j = q + 2;
            segment = j;
            continue;
          }
          value += text.slice(segment, q);
          j = q + 1;
          closed = true;
          break;
        }
        if (!closed || line - recordLine > MAX_QUOTED_LINES) {
          if (!final && line - recordLine <= MAX_QUOTED_LINES) return { next: recordStart, line: recordLine };
          // Unterminated quote: reject the record's first line and resume on the next one.
          const nl = text.indexOf('\n', recordStart);
          handler.malformed(recordLine, 'has a quoted field that is never closed', fields);
          i = nl < 0 ? n : nl + 1;
          line = recordLine + 1;
          continue records;
        }
        i = j;
        // After the closing quote: a separator, a line end, or the end of the text.
        let tailStart = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(i + 1) === LF)) break;
          i++;
        }
        if (i > tailStart) {
          problem ??= 'has characters after a closing quote';
          value += text.slice(tailStart, i);
          tailStart = i;
        }
        fields.push(value);
      } else {
        const start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(i + 1) === LF)) break;
          if (c === QUOTE) problem ??= 'has a quote inside an unquoted field';
          i++;
        }
        fields.push(text.slice(start, i));
      }
      if (i >= n) {
        if (!final) return { next: recordStart, line: recordLine };
        done = true;
      } else {
        const c = text.charCodeAt(i);
        if (c === COMMA) {
          i++;
          if (i >= n && final) {
            fields.push('');
            done = true;
          }
          continue;
        }
        i += c === CR ? 2 : 1;
        line++;
        done = true;
      }
    }
    if (fields.length === 0) continue;
    if (latin1) {
      for (let f = 0; f < fields.length; f++) {
        const field = fields[f] ?? '';
        if (NON_ASCII.test(field)) fields[f] = utf8FromLatin1(field);
      }
    }
    if (problem !== undefined) handler.malformed(recordLine, problem, fields);
    else handler.record(fields, recordLine);
  }
  return { next: i, line };
}

/** A decimal number: a spreadsheet reads it as the number, never as a formula. */
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
/**
 * What a spreadsheet would run as a formula (OWASP, CSV injection): a cell starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return, also after leading blanks, and the full-width signs that
 * WPS and Excel with a Chinese input method take for them.
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;

/**
 * A text cell as OWASP advises for CSV files opened in spreadsheets: formula-like text gets a
 * leading `'`, so Excel shows it as text and never runs it; numbers (`-12.5`) stay numbers.
 */
export function spreadsheetText(value: string): string {
  if (value === '') return value;
  const c = value.charCodeAt(0);
  // Fast path: a first character that is an ASCII letter or CJK (most ids, all labels).
  if ((c > 64 && c < 127) || (c > 0x3000 && c < 0xff00)) return value;
  if (PLAIN_NUMBER.test(value) || !FORMULA_START.test(value)) return value;
  return `'${value}`;
}

/** A field for output: formula-like text neutralised, quoted when it holds a separator, a quote or a line break. */
export function csvField(value: string): string {
  const safe = spreadsheetText(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

/**
 * The first column a CSV header names twice (blank names aside), or undefined: which of the two
 * cells a row means cannot be known, so such a file is refused rather than read last-wins.
 */
export function duplicateColumn(header: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}
