import { csvLine } from '../../lib/core/records/csv.js';
import { formatDecimal, parseDecimal, type Decimal } from '../../lib/core/shared/decimal.js';

/**
 * The filtered set of the list (issue 19): every row the filters select, read through the API's
 * cursor, then narrowed by the search text; its totals summed exactly (the core's decimals, never
 * a binary float); and its CSV, exactly the rows and columns the list shows, with the BOM Excel
 * needs for Chinese and formula-like text neutralised as every CSV of the project is
 * (lib/core/records/csv.ts).
 */

/** Rows read at most to make the set: past this the totals and the export say they are partial. */
export const MAX_SET_ROWS = 50_000;
/** Rows one request asks for while reading the set: the runs API's largest page; the cases API's is 500. */
export const SET_PAGE = 1000;
export const CASE_SET_PAGE = 500;

export interface SetPage<T> {
  items: T[];
  cursor: string | null;
}

export interface FilteredSet<T> {
  rows: T[];
  /** False when MAX_SET_ROWS stopped the reading before the list ended. */
  complete: boolean;
}

/** Every row through the cursor (up to `max`), keeping those `keep` accepts. */
export async function readSet<T>(
  fetchPage: (limit: number, cursor: string | undefined) => Promise<SetPage<T>>,
  keep: (row: T) => boolean = () => true,
  max = MAX_SET_ROWS,
  pageSize = SET_PAGE,
): Promise<FilteredSet<T>> {
  const rows: T[] = [];
  let cursor: string | undefined;
  let read = 0;
  for (;;) {
    const page = await fetchPage(pageSize, cursor);
    read += page.items.length;
    for (const row of page.items) if (keep(row)) rows.push(row);
    cursor = page.cursor ?? undefined;
    if (cursor === undefined) return { rows, complete: true };
    if (read >= max) return { rows, complete: false };
  }
}

/** Search by document or sku: every word of the text appears in one of them (case ignored). */
export function matchesSearch(q: string | undefined, row: { documentRef: string; sku: string }): boolean {
  const words = (q ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return true;
  const hay = `${row.documentRef}\u0000${row.sku}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** The exact sum of a decimal column ('' and unreadable cells count as nothing). */
export function sumOf<T>(rows: readonly T[], value: (row: T) => string | null | undefined): string {
  let sum: Decimal = 0n;
  for (const row of rows) {
    const text = value(row);
    if (text === null || text === undefined || text === '') continue;
    const parsed = parseDecimal(text);
    if (parsed.ok) sum += parsed.value;
  }
  return formatDecimal(sum);
}

export interface ExportColumn<T> {
  header: string;
  value: (row: T) => string;
}

/** The CSV of the rows: BOM, a header, one line per row, CRLF, formula text neutralised. */
export function csvOf<T>(columns: readonly ExportColumn<T>[], rows: readonly T[]): string {
  let text = '\uFEFF' + csvLine(columns.map((c) => c.header));
  for (const row of rows) text += csvLine(columns.map((c) => c.value(row)));
  return text;
}
