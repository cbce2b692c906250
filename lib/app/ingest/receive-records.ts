import type { BodyRow } from '../../core/ingest/webhook-body.js';
import { validateBodyRows } from '../../core/ingest/webhook-body.js';
import type { WebhookWork } from '../../core/ingest/ports.js';
import type { Source } from '../../core/records/records.js';
import { codesInForce } from './code-table.js';

export interface WebhookAnswer {
  accepted: number;
  duplicates: number;
  lateArrivals: number;
  conflicts: { id: string; reason: string }[];
  rejected: { line: number; field: string | null; reason: string }[];
}

/**
 * POST /v1/movements and POST /v1/entries (CONTRACT §4) once the signature holds: the rows checked,
 * the good ones stored under the unified codes, the answer kept, each outcome counted.
 */
export async function receiveRecords(
  work: WebhookWork,
  source: Source,
  rows: readonly BodyRow[],
  delivery: string,
): Promise<WebhookAnswer> {
  const { records, rejected } = validateBodyRows(rows, source, delivery, work.zone());
  // Stored under the unified codes (统一编码) in force, as the S3 drops store theirs.
  const codes = await codesInForce(work.objects, work.bucket());
  const outcome = await work.records.write(
    records.map((r) => codes.apply(r)),
    delivery,
  );
  await work.keep(source, delivery, outcome, rejected);
  const counts = { ...outcome, conflicts: outcome.conflicts.length, rejected: rejected.length };
  work.count(source, counts);
  work.telemetry.info('webhook ingested', { source, ...counts });
  return {
    accepted: outcome.accepted,
    duplicates: outcome.duplicates,
    lateArrivals: outcome.lateArrivals ?? 0,
    conflicts: outcome.conflicts.map(({ id, reason }) => ({ id, reason })),
    rejected: rejected.map(({ line, field, reason }) => ({ line, field: field ?? null, reason })),
  };
}
