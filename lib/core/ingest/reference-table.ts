import { loadCostsCsv } from '../records/costs.js';
import { describeClash, loadCodesCsv } from '../records/code-map.js';
import { loadRatesCsv } from '../records/rates.js';
import type { Rejection } from '../records/records.js';
import { loadUomCsv } from '../records/uom.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import type { TableKind } from './drop.js';

/**
 * A reference table as a drop brings it (units, standard costs, exchange rates, the code
 * mapping), validated as the CLI validates its flag: its usable rows and its rejected rows. A
 * code table that maps one code two ways is not usable at all (the table in force stays), each
 * clash rejected at the line of its second row and naming the first. A header that lacks a column
 * throws TableHeaderError, as the table readers do.
 */
export type TableCheck =
  { usable: true; rows: number; rejected: Rejection[] } | { usable: false; rejected: Rejection[] };

/** What each table is called in words, for the reports. */
export const TABLE_NAMES: Readonly<Record<TableKind, string>> = {
  uom: 'unit',
  costs: 'cost',
  rates: 'exchange rate',
  codes: 'code mapping',
};

export function checkTable(kind: TableKind, text: string, file: string, zone: ZoneClock): TableCheck {
  if (kind === 'uom') return usable(loadUomCsv(text, file));
  if (kind === 'costs') return usable(loadCostsCsv(text, file, zone));
  if (kind === 'rates') return usable(loadRatesCsv(text, file, zone));
  const codes = loadCodesCsv(text, file);
  if (codes.ok) return usable(codes);
  const clashes: Rejection[] = codes.clashes.map((c) => ({
    source: 'codes',
    file,
    line: c.second.line,
    field: 'from',
    reason: describeClash(file, c),
  }));
  return {
    usable: false,
    rejected: [...codes.rejected, ...clashes].sort((a, b) => a.line - b.line),
  };
}

function usable(load: { rows: readonly unknown[]; rejected: Rejection[] }): TableCheck {
  return { usable: true, rows: load.rows.length, rejected: load.rejected };
}
