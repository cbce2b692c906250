import { duplicateColumn, tokenizeCsv } from './csv.js';
import type { Rejection } from './records.js';

/** A small reference table (units, costs) read whole: rows as objects keyed by the header. */
export interface TableRow {
  line: number;
  cells: Record<string, string>;
}

export interface TableText {
  rows: TableRow[];
  rejected: Rejection[];
}

export function readTableCsv(
  text: string,
  file: string,
  source: 'uom' | 'costs' | 'rates',
  required: readonly string[],
): TableText {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: TableRow[] = [];
  const rejected: Rejection[] = [];
  let header: string[] | undefined;
  tokenizeCsv(body, {
    record(fields, line) {
      if (header === undefined) {
        header = fields.map((f) => f.trim());
        return;
      }
      if (fields.length !== header.length) {
        rejected.push({
          source,
          file,
          line,
          field: undefined,
          reason: `has ${fields.length} fields, the header has ${header.length}`,
        });
        return;
      }
      // No prototype: cells are keyed by the file's own header.
      const cells = Object.create(null) as Record<string, string>;
      header.forEach((name, k) => (cells[name] = (fields[k] ?? '').trim()));
      rows.push({ line, cells });
    },
    malformed(line, reason) {
      rejected.push({ source, file, line, field: undefined, reason: `row ${reason}` });
    },
  });
  const twice = duplicateColumn(header ?? []);
  if (twice !== undefined) {
    throw new TableHeaderError(
      `${file}: the header names ${twice} twice; which column is meant cannot be known`,
    );
  }
  const missing = required.filter((name) => !(header ?? []).includes(name));
  if (missing.length > 0) {
    throw new TableHeaderError(
      `${file}: the header lacks ${missing.join(', ')} (expected ${required.join(',')})`,
    );
  }
  return { rows, rejected };
}

/** An unusable reference file: the CLI turns it into exit status 2 with this one line. */
export class TableHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableHeaderError';
  }
}
