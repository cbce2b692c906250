import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Event } from 'aws-lambda';
import type { IngestReport } from '../../core/ingest/drop.js';
import { BUCKET } from '../../declarations/tables.js';
import { decodeEventKey, unquoteEtag, type ObjectStore } from '../aws/object-store.js';
import { logger, metrics, recordIngestMetrics } from '../aws/telemetry.js';

/** The drops an S3 event announces: objects created under incoming/, each pinned to its version. */
export async function* dropsOf(
  event: S3Event,
  objects: ObjectStore,
): AsyncGenerator<{ bucket: string; key: string; etag: string | undefined }> {
  for (const { eventName, s3 } of event.Records) {
    const key = decodeEventKey(s3.object.key);
    if (!eventName.startsWith('ObjectCreated:') || !key.startsWith(BUCKET.incomingPrefix)) continue;
    const bucket = s3.bucket.name;
    yield {
      bucket,
      key,
      etag: s3.object.eTag ? unquoteEtag(s3.object.eTag) : await objects.etagOf(bucket, key),
    };
  }
}

/** Logs and counts one drop's outcome: its report's counts, or why it was skipped. */
export function recordDropOutcome(key: string, report: IngestReport | undefined): void {
  if (report === undefined) {
    metrics.addMetric('dropsSkipped', MetricUnit.Count, 1);
    logger.info('drop skipped: already ingested, replaced or gone', { key });
    return;
  }
  const { accepted, duplicates, rows } = report;
  const counts = {
    accepted,
    duplicates,
    conflicts: report.conflicts.length,
    rejected: report.rejected.length,
  };
  recordIngestMetrics(report.source ?? 'unknown', counts);
  logger.info('drop ingested', { key, source: report.source, rows, ...counts });
}
