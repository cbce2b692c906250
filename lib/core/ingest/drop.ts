import type { Source } from '../records/records.js';
import type { Result } from '../shared/result.js';

/**
 * S3 drops (CONTRACT §4): `incoming/<kind>/NAME.<ext>` says what a file holds and how to read it.
 * Ledger records (wms, finance) stream as CSV or NDJSON; the reference tables are small CSV files.
 */
export type DropKind = Source | TableKind;

/** The reference tables: units, standard costs, exchange rates (CONTRACT §10), the code mapping. */
export type TableKind = 'uom' | 'costs' | 'rates' | 'codes';
export const TABLE_KINDS: readonly TableKind[] = ['uom', 'costs', 'rates', 'codes'];

export type DropRoute = Result<
  { kind: Source; format: 'csv' | 'ndjson' } | { kind: TableKind; format: 'csv' }
>;

const KINDS: readonly DropKind[] = ['wms', 'finance', ...TABLE_KINDS];

export function isTableKind(kind: DropKind): kind is TableKind {
  return (TABLE_KINDS as readonly string[]).includes(kind);
}

/** The longest drop key taken (S3 allows 1,024 bytes; its report's key adds a prefix and `.json`). */
export const MAX_DROP_KEY_BYTES = 512;

/**
 * Why a key cannot name a drop, or undefined. S3 takes `..` and `.` as plain characters, but a
 * drop's key says what it holds: `incoming/wms/../finance/x.csv` must not pass as a WMS file
 * (nor, on a disk, reach outside its folder), and an over-long key could not carry its report.
 */
export function dropKeyProblem(key: string): string | undefined {
  const bytes = new TextEncoder().encode(key).length;
  if (bytes > MAX_DROP_KEY_BYTES)
    return `key is ${bytes} bytes long; a drop's key is at most ${MAX_DROP_KEY_BYTES}`;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'key holds a control character';
  if (key.includes('\\')) return 'key holds a backslash';
  const segments = key.split('/');
  if (segments.some((s) => s === '.' || s === '..')) return 'key has a . or .. segment (a path, not a name)';
  if (segments.slice(0, -1).some((s) => s === '')) return 'key has an empty segment (//)';
  return undefined;
}

export function routeDrop(key: string, incomingPrefix: string): DropRoute {
  const problem = dropKeyProblem(key);
  if (problem !== undefined) return { ok: false, reason: `is refused: its ${problem}` };
  if (!key.startsWith(incomingPrefix)) return { ok: false, reason: `is not under ${incomingPrefix}` };
  const rest = key.slice(incomingPrefix.length);
  const slash = rest.indexOf('/');
  const kind = KINDS.find((k) => k === rest.slice(0, slash));
  if (slash < 0 || kind === undefined) {
    return { ok: false, reason: `is not under ${KINDS.map((k) => `${incomingPrefix}${k}/`).join(', ')}` };
  }
  const name = rest.slice(slash + 1).toLowerCase();
  const format = name.endsWith('.csv')
    ? 'csv'
    : name.endsWith('.ndjson') || name.endsWith('.jsonl')
      ? 'ndjson'
      : undefined;
  if (format === undefined) return { ok: false, reason: 'is not a .csv, .ndjson or .jsonl file' };
  if (isTableKind(kind)) {
    return format === 'csv'
      ? { ok: true, kind, format }
      : { ok: false, reason: `a ${kind} table must be .csv` };
  }
  return { ok: true, kind, format };
}

/** A rejected row in an ingest report (CONTRACT §4); `field` is null when no one field is to blame. */
export interface ReportRejection {
  file: string;
  line: number;
  field: string | null;
  reason: string;
}

export interface ReportConflict {
  id: string;
  line: number;
  reason: string;
}

/** A reference table replaced by a drop (each drop is the complete table). */
export interface TableReplacement {
  key: string;
  /** There was a table before, now gone. */
  replaced: boolean;
  /** Its usable rows, or null when there was none. */
  previousRows: number | null;
  rows: number;
  note: string;
}

/** `ingest-reports/<the same key>.json`. */
export interface IngestReport {
  key: string;
  source: DropKind | null;
  accepted: number;
  duplicates: number;
  conflicts: ReportConflict[];
  rejected: ReportRejection[];
  /** Accepted records dated inside a locked period (CONTRACT §7): stored, and flagged where they land. */
  lateArrivals: number;
  /** Data rows read (accepted, duplicate, conflicting and rejected rows; the header excluded). */
  rows: number;
  /** A reference table drop: the table it became, whole, and what that table held before. */
  table?: TableReplacement;
  startedAt: string;
  finishedAt: string;
}
