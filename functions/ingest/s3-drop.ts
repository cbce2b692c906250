import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, S3Event } from 'aws-lambda';
import { BUCKET } from '../../lib/declarations/tables.js';
import { ingestDrop } from '../../lib/app/ingest/drop-ingest.js';
import { config } from '../../lib/adapters/aws/env.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { checkpointStore, objectStore, recordStore } from '../../lib/adapters/ingest/containers.js';
import { decodeEventKey, unquoteEtag } from '../../lib/adapters/aws/object-store.js';
import { logger, metrics, recordIngestMetrics } from '../../lib/adapters/aws/telemetry.js';
import { eventHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * Object created under incoming/: stream the drop into the record store (or the unit/cost table
 * into tables/) and write ingest-reports/<key>.json. A drop cut short by time fails the invocation
 * after saving its checkpoint, and Lambda's retry resumes it.
 */
async function ingestDrops(event: S3Event, context: Context): Promise<void> {
  const deps = {
    objects: objectStore(),
    records: recordStore(),
    checkpoints: checkpointStore(),
    zone: config.zone(),
    now: currentTime,
  };
  for (const { eventName, s3 } of event.Records) {
    const key = decodeEventKey(s3.object.key);
    if (!eventName.startsWith('ObjectCreated:') || !key.startsWith(BUCKET.incomingPrefix)) continue;
    const bucket = s3.bucket.name;
    const etag = s3.object.eTag ? unquoteEtag(s3.object.eTag) : await deps.objects.etagOf(bucket, key);
    const report =
      etag && (await ingestDrop({ bucket, key, etag }, deps, () => context.getRemainingTimeInMillis()));
    if (!report) {
      metrics.addMetric('dropsSkipped', MetricUnit.Count, 1);
      logger.info('drop skipped: already ingested, replaced or gone', { bucket, key, etag });
      continue;
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
}

export const handler = eventHandler(
  ingestDrops,
  (event) => event.Records[0]?.responseElements?.['x-amz-request-id'],
);
