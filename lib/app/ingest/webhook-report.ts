import type { IngestReport } from '../../core/ingest/drop.js';
import type { DropObjects } from '../../core/ingest/ports.js';
import type { Rejection, Source } from '../../core/records/records.js';
import type { WriteOutcome } from '../../core/records/record-sink.js';
import { BUCKET } from '../../declarations/tables.js';

/** Where webhook deliveries keep their answers: one folder per source, keys in time order. */
export const WEBHOOK_REPORT_PREFIX = `${BUCKET.ingestReportPrefix}webhook/`;

/**
 * A webhook delivery's answer, kept as an S3 drop's report is (`ingest-reports/webhook/<source>/
 * <time>-<request id>.json`, the shape of `ingest-reports/<key>.json`): the sender got its rejected
 * rows in the answer, and the report of the run that reads the delivery's records counts them too.
 */
export function webhookReportKey(source: Source, at: Date, requestId: string): string {
  const moment = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return `${WEBHOOK_REPORT_PREFIX}${source}/${moment}-${requestId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100)}.json`;
}

export async function keepWebhookReport(
  objects: Pick<DropObjects, 'putJson'>,
  bucket: string,
  delivery: { source: Source; id: string; at: Date },
  outcome: WriteOutcome,
  rejected: readonly Rejection[],
): Promise<IngestReport> {
  const at = delivery.at.toISOString();
  const report: IngestReport = {
    key: `webhook/${delivery.id}`,
    source: delivery.source,
    accepted: outcome.accepted,
    duplicates: outcome.duplicates,
    lateArrivals: outcome.lateArrivals ?? 0,
    conflicts: outcome.conflicts.map(({ id, line, reason }) => ({ id, line, reason })),
    rejected: rejected.map((r) => ({
      file: `webhook/${delivery.id}`,
      line: r.line,
      field: r.field ?? null,
      reason: r.reason,
    })),
    rows: outcome.accepted + outcome.duplicates + outcome.conflicts.length + rejected.length,
    startedAt: at,
    finishedAt: at,
  };
  await objects.putJson(bucket, webhookReportKey(delivery.source, delivery.at, delivery.id), report);
  return report;
}
