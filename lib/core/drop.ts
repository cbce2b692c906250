import type { Source } from './records.js';

/**
 * S3 drops (CONTRACT §4): `incoming/<kind>/NAME.<ext>` says what a file holds and how to read it.
 * Ledger records (wms, finance) stream as CSV or NDJSON; unit and cost tables are small CSV files.
 */
export type DropKind = Source | 'uom' | 'costs';

export type DropRoute =
  | { ok: true; kind: Source; format: 'csv' | 'ndjson' }
  | { ok: true; kind: 'uom' | 'costs'; format: 'csv' }
  | { ok: false; reason: string };

const KINDS: readonly DropKind[] = ['wms', 'finance', 'uom', 'costs'];

export function routeDrop(key: string, incomingPrefix: string): DropRoute {
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
  if (kind === 'uom' || kind === 'costs') {
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

/** `ingest-reports/<the same key>.json`. */
export interface IngestReport {
  key: string;
  source: DropKind | null;
  accepted: number;
  duplicates: number;
  conflicts: ReportConflict[];
  rejected: ReportRejection[];
  /** Data rows read (accepted, duplicate, conflicting and rejected rows; the header excluded). */
  rows: number;
  startedAt: string;
  finishedAt: string;
}
