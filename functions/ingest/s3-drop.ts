import type { Context, S3Event } from 'aws-lambda';
import { ingestDrop } from '../../lib/app/ingest/drop-ingest.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { config } from '../../lib/adapters/aws/env.js';
import { eventHandler } from '../../lib/adapters/aws/handlers.js';
import { checkpointStore, objectStore, recordStore } from '../../lib/adapters/ingest/containers.js';
import { dropsOf, recordDropOutcome } from '../../lib/adapters/ingest/drop-events.js';

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
  for await (const { bucket, key, etag } of dropsOf(event, deps.objects)) {
    const remainingMs = () => context.getRemainingTimeInMillis();
    const report =
      etag === undefined ? undefined : await ingestDrop({ bucket, key, etag }, deps, remainingMs);
    recordDropOutcome(key, report);
  }
}

export const handler = eventHandler(
  ingestDrops,
  (event) => event.Records[0]?.responseElements?.['x-amz-request-id'],
);
