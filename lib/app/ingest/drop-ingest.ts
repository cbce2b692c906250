import { createHash } from 'node:crypto';
import {
  dropKeyProblem,
  isTableKind,
  routeDrop,
  type TableKind,
  type IngestReport,
  type ReportConflict,
  type ReportRejection,
} from '../../core/ingest/drop.js';
import { RecordStream } from '../../core/records/record-stream.js';
import type { RecordSink } from '../../core/records/record-sink.js';
import type { LedgerRecord, Rejection, Source } from '../../core/records/records.js';
import { TableHeaderError } from '../../core/records/table-text.js';
import { checkTable, TABLE_NAMES } from '../../core/ingest/reference-table.js';
import { codesInForce } from './code-table.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';
import { BUCKET } from '../../declarations/tables.js';
import type {
  Checkpoint,
  CheckpointRepository,
  DropObjects,
  ObjectVersion,
} from '../../core/ingest/ports.js';
import { decodeText } from '../../core/shared/decode-text.js';
import { MAX_TABLE_BYTES } from '../../core/records/record-limits.js';
import { DropIncompleteError } from '../../errors/ingest.js';

/**
 * One S3 drop, start to report: ledger files stream through the incremental reader and are
 * written in waves; after each committed wave the checkpoint moves to its last line. When the
 * invocation's time runs low (or a write fails for good) the drop stops with the checkpoint saved
 * and the invocation fails, so Lambda retries it; the retry reads the file again from the top
 * (validation is cheap next to writing, and rejections are recomputed rather than stored) but
 * writes and counts only the rows after the checkpoint.
 */
export interface DropIngestDeps {
  objects: DropObjects;
  records: RecordSink;
  checkpoints: CheckpointRepository;
  zone: ZoneClock;
  /** Rows per wave: one checkpoint and one round of dirty marks per wave. */
  waveRows?: number;
  /** Stop when less than this is left (raised to three times the slowest wave seen). */
  marginMs?: number;
  now: () => Date;
}

/**
 * `ingest-reports/<the same key>.json`; a refused key (dropKeyProblem: a path, or too long) is
 * reported under `ingest-reports/refused/<sha256 of the key>.json`, the key inside it.
 */
export const reportKeyOf = (key: string): string =>
  dropKeyProblem(key) === undefined
    ? `${BUCKET.ingestReportPrefix}${key}.json`
    : `${BUCKET.ingestReportPrefix}refused/${createHash('sha256').update(key, 'utf8').digest('hex')}.json`;

const toReportRejection = (r: Rejection): ReportRejection => ({
  file: r.file,
  line: r.line,
  field: r.field ?? null,
  reason: r.reason,
});

/** Ingests one drop and writes its report; undefined when this version was already ingested or is gone. */
export async function ingestDrop(
  object: ObjectVersion,
  deps: DropIngestDeps,
  remainingMs: () => number,
): Promise<IngestReport | undefined> {
  const now = deps.now;
  const checkpoint = await deps.checkpoints.get(object);
  if (checkpoint?.done === true) return undefined;
  const started: Checkpoint = checkpoint ?? {
    line: 0,
    accepted: 0,
    duplicates: 0,
    conflicts: [],
    startedAt: now().toISOString(),
    invocations: 0,
    done: false,
  };
  started.invocations++;
  const route = routeDrop(object.key, BUCKET.incomingPrefix);
  let report: IngestReport | undefined;
  if (!route.ok) {
    report = emptyReport(object.key, null, started.startedAt);
    report.rejected.push({ file: object.key, line: 0, field: null, reason: `the file ${route.reason}` });
  } else if (isTableKind(route.kind)) {
    report = await ingestTable(object, route.kind, deps, started.startedAt);
  } else {
    report = await ingestLedger(object, route.kind, route.format, deps, started, remainingMs);
  }
  if (report === undefined) return undefined;
  report.finishedAt = now().toISOString();
  await deps.objects.putJson(object.bucket, reportKeyOf(object.key), report);
  await deps.checkpoints.save(object, {
    ...started,
    accepted: report.accepted,
    duplicates: report.duplicates,
    conflicts: report.conflicts,
    lateArrivals: report.lateArrivals,
    done: true,
  });
  return report;
}

function emptyReport(key: string, source: IngestReport['source'], startedAt: string): IngestReport {
  return {
    key,
    source,
    accepted: 0,
    duplicates: 0,
    conflicts: [],
    rejected: [],
    lateArrivals: 0,
    rows: 0,
    startedAt,
    finishedAt: startedAt,
  };
}

async function ingestTable(
  object: ObjectVersion,
  kind: TableKind,
  deps: DropIngestDeps,
  startedAt: string,
): Promise<IngestReport | undefined> {
  const bytes = await deps.objects.smallBytes(object, MAX_TABLE_BYTES);
  if (bytes === undefined) return undefined;
  const report = emptyReport(object.key, kind, startedAt);
  if (bytes === 'too-big') {
    const reason = `the file is larger than ${MAX_TABLE_BYTES / 1024 / 1024} MB; a ${kind} table is read whole`;
    report.rejected.push({ file: object.key, line: 0, field: null, reason });
    return report;
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  try {
    const check = checkTable(kind, text, object.key, deps.zone);
    report.rejected = check.rejected.map(toReportRejection);
    // A code table mapping one code two ways replaces nothing: the table in force stays.
    if (!check.usable) return report;
    report.accepted = check.rows;
    report.rows = check.rows + check.rejected.length;
  } catch (error) {
    if (!(error instanceof TableHeaderError)) throw error;
    report.rejected.push({ file: object.key, line: 1, field: null, reason: error.message });
    return report;
  }
  // The current table is the latest drop with a usable header: exactly the bytes validated above.
  // It replaces the whole table, which the report says, with what the table held before.
  const tableKey = `${BUCKET.tablesPrefix}${kind}.csv`;
  const previousRows = await tableRows(deps, object.bucket, tableKey, kind);
  await deps.objects.putBytes(object.bucket, tableKey, bytes, 'text/csv; charset=utf-8');
  report.table = {
    key: tableKey,
    replaced: previousRows !== null,
    previousRows,
    rows: report.accepted,
    note: `this file replaces the whole ${TABLE_NAMES[kind]} table (${tableKey}): rows of the table before that it does not repeat no longer apply; send the complete table every time${kind === 'codes' ? '; it applies to records ingested from now on, records stored before keep their codes' : ''}`,
  };
  return report;
}

/** The usable rows of the current table, or null when there is none yet. */
async function tableRows(
  deps: DropIngestDeps,
  bucket: string,
  key: string,
  kind: TableKind,
): Promise<number | null> {
  const etag = await deps.objects.etagOf(bucket, key);
  if (etag === undefined) return null;
  const bytes = await deps.objects.smallBytes({ bucket, key, etag }, MAX_TABLE_BYTES);
  if (bytes === undefined || bytes === 'too-big') return null;
  const text = new TextDecoder('utf-8').decode(bytes);
  try {
    const check = checkTable(kind, text, key, deps.zone);
    return check.usable ? check.rows : 0;
  } catch {
    return 0;
  }
}

async function ingestLedger(
  object: ObjectVersion,
  source: Source,
  format: 'csv' | 'ndjson',
  deps: DropIngestDeps,
  checkpoint: Checkpoint,
  remainingMs: () => number,
): Promise<IngestReport | undefined> {
  const body = await deps.objects.open(object);
  if (body === undefined) return undefined;
  const waveRows = deps.waveRows ?? 1_000;
  const delivery = `s3://${object.bucket}/${object.key}@${object.etag}`;
  const skipThrough = checkpoint.line;
  const progress = { ...checkpoint, conflicts: [...checkpoint.conflicts] };
  const rejected: ReportRejection[] = [];
  const wave: LedgerRecord[] = [];
  let margin = deps.marginMs ?? 10_000;

  // Stored under the unified codes (统一编码): the mapping in force when the drop is read.
  const codes = await codesInForce(deps.objects, object.bucket);
  const take = (batch: { records: LedgerRecord[]; rejected: Rejection[] }): void => {
    for (const r of batch.records) if (r.line > skipThrough) wave.push(codes.apply(r));
    for (const r of batch.rejected) rejected.push(toReportRejection(r));
  };
  const commit = async (rows: LedgerRecord[]): Promise<void> => {
    const left = remainingMs();
    if (left < margin) {
      throw new DropIncompleteError(
        `${object.key}: stopped after line ${progress.line} with ${left} ms left; the retry resumes there`,
      );
    }
    const began = performance.now();
    const outcome = await deps.records.write(rows, delivery);
    margin = Math.max(margin, 3 * (performance.now() - began));
    progress.accepted += outcome.accepted;
    progress.duplicates += outcome.duplicates;
    progress.lateArrivals = (progress.lateArrivals ?? 0) + (outcome.lateArrivals ?? 0);
    for (const c of outcome.conflicts) progress.conflicts.push({ id: c.id, line: c.line, reason: c.reason });
    progress.line = rows[rows.length - 1]?.line ?? progress.line;
    await deps.checkpoints.save(object, progress);
  };

  const stream = new RecordStream({ source, format, file: object.key, zone: deps.zone });
  for await (const text of decodeText(body)) {
    take(stream.push(text));
    while (wave.length >= waveRows) await commit(wave.splice(0, waveRows));
  }
  take(stream.end());
  if (wave.length > 0) await commit(wave.splice(0));
  return {
    ...emptyReport(object.key, source, checkpoint.startedAt),
    accepted: progress.accepted,
    duplicates: progress.duplicates,
    lateArrivals: progress.lateArrivals ?? 0,
    conflicts: progress.conflicts.sort((a: ReportConflict, b: ReportConflict) => a.line - b.line),
    rejected,
    rows: stream.rows,
  };
}
