import { textProblem } from './record-limits.js';
import type { LedgerRecord, Rejection, Source } from './records.js';
import { readTableCsv } from './table-text.js';

/**
 * Unified codes (统一编码): the WMS and the ERP often name one item or warehouse differently (a WMS
 * SKU against an ERP material number). A code mapping table, CSV `kind,source,from,to` (kind `sku` or
 * `warehouse`, source `wms` or `finance`), rewrites a record's code of that kind from that source
 * before anything is grouped, so both sides meet under one code. A code without a row passes
 * unchanged; a mapping is applied once (`A->B` and `B->C` do not make `A->C`); a table that maps
 * one code two ways is refused whole, naming both rows, since either reading would be a guess.
 */
export const CODE_KINDS = ['sku', 'warehouse'] as const;
export type CodeKind = (typeof CODE_KINDS)[number];

const SOURCES: readonly Source[] = ['wms', 'finance'];

export interface CodeRow {
  kind: CodeKind;
  source: Source;
  from: string;
  to: string;
  /** The physical line of the row in its file (the header is line 1). */
  line: number;
}

/** One code mapped two ways: the two rows, by line. */
export interface CodeClash {
  kind: CodeKind;
  source: Source;
  from: string;
  first: { line: number; to: string };
  second: { line: number; to: string };
}

type Maps = Record<CodeKind, Map<string, string>>;

export class CodeMap {
  private readonly maps: Record<Source, Maps> = {
    wms: { sku: new Map(), warehouse: new Map() },
    finance: { sku: new Map(), warehouse: new Map() },
  };

  /** Rows that repeat a code's mapping exactly are one row; clashing rows are refused by loadCodesCsv. */
  constructor(rows: readonly Pick<CodeRow, 'kind' | 'source' | 'from' | 'to'>[] = []) {
    for (const row of rows) {
      const map = this.maps[row.source][row.kind];
      if (!map.has(row.from)) map.set(row.from, row.to);
    }
  }

  /** The unified code of a source's code of this kind: the mapped one, else the code itself. */
  code(source: Source, kind: CodeKind, code: string): string {
    return this.maps[source][kind].get(code) ?? code;
  }

  /** The sku mapping of one source, for routing raw rows to the partition of their unified sku. */
  skus(source: Source): ReadonlyMap<string, string> {
    return this.maps[source].sku;
  }

  /** Rows in effect. */
  get size(): number {
    let n = 0;
    for (const source of SOURCES) for (const kind of CODE_KINDS) n += this.maps[source][kind].size;
    return n;
  }

  /** The record under its unified codes: the very same object when no code of it is mapped. */
  apply<R extends LedgerRecord>(record: R): R {
    const maps = this.maps[record.source];
    const sku = maps.sku.get(record.sku);
    const warehouseId = maps.warehouse.get(record.warehouseId);
    if (sku === undefined && warehouseId === undefined) return record;
    return { ...record, sku: sku ?? record.sku, warehouseId: warehouseId ?? record.warehouseId };
  }
}

export type CodeLoad =
  | { ok: true; table: CodeMap; rows: CodeRow[]; rejected: Rejection[] }
  | { ok: false; reason: string; clashes: CodeClash[]; rejected: Rejection[] };

const isKind = (text: string): text is CodeKind => (CODE_KINDS as readonly string[]).includes(text);
const isSource = (text: string): text is Source => (SOURCES as readonly string[]).includes(text);

/** The reason of a clash, naming both rows: what the CLI prints and the drop's report lists. */
export function describeClash(file: string, c: CodeClash): string {
  return `${file}: ${c.source} ${c.kind} ${JSON.stringify(c.from)} is mapped two ways, to ${JSON.stringify(c.first.to)} at line ${c.first.line} and to ${JSON.stringify(c.second.to)} at line ${c.second.line}; the code table is refused (one code, one meaning)`;
}

/**
 * Reads a code mapping table. A malformed row (unknown kind or source, an empty or over-long code) is
 * rejected with its field and reason and the other rows stand, as in the unit and cost tables; a
 * code mapped to two different codes refuses the whole table, every clash named with both lines.
 */
export function loadCodesCsv(text: string, file: string): CodeLoad {
  const { rows, rejected } = readTableCsv(text, file, 'codes', ['kind', 'source', 'from', 'to']);
  const good: CodeRow[] = [];
  const seen = new Map<string, CodeRow>();
  const clashes: CodeClash[] = [];
  for (const { line, cells } of rows) {
    const reject = (field: string, reason: string) =>
      rejected.push({ source: 'codes', file, line, field, reason: `${field} ${reason}` });
    const kind = cells.kind ?? '';
    const source = cells.source ?? '';
    const from = cells.from ?? '';
    const to = cells.to ?? '';
    if (!isKind(kind)) {
      reject('kind', `must be sku or warehouse: ${JSON.stringify(kind)}`);
      continue;
    }
    if (!isSource(source)) {
      reject('source', `must be wms or finance: ${JSON.stringify(source)}`);
      continue;
    }
    const limit = kind === 'sku' ? 'sku' : 'warehouseId';
    const fromProblem = from === '' ? 'is empty' : textProblem(from, limit, true);
    const toProblem = to === '' ? 'is empty' : textProblem(to, limit, true);
    if (fromProblem !== undefined) {
      reject('from', fromProblem);
      continue;
    }
    if (toProblem !== undefined) {
      reject('to', toProblem);
      continue;
    }
    const row: CodeRow = { kind, source, from, to, line };
    const key = JSON.stringify([source, kind, from]);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, row);
      good.push(row);
    } else if (first.to !== to) {
      clashes.push({
        kind,
        source,
        from,
        first: { line: first.line, to: first.to },
        second: { line, to },
      });
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  const [clash] = clashes;
  if (clash !== undefined) {
    const more = clashes.length > 1 ? ` (and ${clashes.length - 1} more)` : '';
    return { ok: false, reason: describeClash(file, clash) + more, clashes, rejected };
  }
  return { ok: true, table: new CodeMap(good), rows: good, rejected };
}
