import type { IngestReport } from './drop.js';
import type { Rejection, Source } from '../records/records.js';
import type { WriteOutcome } from '../records/record-sink.js';

/**
 * A webhook delivery's answer, kept as an S3 drop's report is (`<reports>/webhook/<source>/
 * <time>-<request id>.json`, the shape of `ingest-reports/<key>.json`): the sender got its rejected
 * rows in the answer, and the report of the run that reads the delivery's records counts them too.
 */
export function webhookReportKey(prefix: string, source: Source, at: Date, requestId: string): string {
  const moment = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const id = requestId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  return `${prefix}${source}/${moment}-${id}.json`;
}

export function webhookReport(
  delivery: { source: Source; id: string; at: Date },
  outcome: WriteOutcome,
  rejected: readonly Rejection[],
): IngestReport {
  const at = delivery.at.toISOString();
  const file = `webhook/${delivery.id}`;
  return {
    key: file,
    source: delivery.source,
    accepted: outcome.accepted,
    duplicates: outcome.duplicates,
    lateArrivals: outcome.lateArrivals ?? 0,
    conflicts: outcome.conflicts.map(({ id, line, reason }) => ({ id, line, reason })),
    rejected: rejected.map((r) => ({ file, line: r.line, field: r.field ?? null, reason: r.reason })),
    rows: outcome.accepted + outcome.duplicates + outcome.conflicts.length + rejected.length,
    startedAt: at,
    finishedAt: at,
  };
}
