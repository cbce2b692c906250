import { dynamoClient, s3Client } from '../aws/aws-clients.js';
import { CheckpointStore } from './checkpoint-store.js';
import { digestLog } from './digest-log-container.js';
import { config } from '../aws/env.js';
import { IngestJournalStore } from './ingest-journal-store.js';
import { ObjectStore } from '../aws/object-store.js';
import { RecordStore } from './record-store.js';
import type { WebhookWork } from '../../core/ingest/ports.js';
import { keepWebhookAnswer } from './webhook-reports.js';
import { recordIngestMetrics, telemetry } from '../aws/telemetry.js';
import { periodArrivals } from '../periods/period-arrivals.js';
import { periodStore } from '../periods/containers.js';
import { DirtyMarks } from '../runs/dirty-marks.js';

/** The stores the ingest functions write through, one of each per container, made on first use. */
let records: RecordStore | undefined;
let objects: ObjectStore | undefined;
let checkpoints: CheckpointStore | undefined;
let dirty: DirtyMarks | undefined;

export function recordStore(): RecordStore {
  const digests = digestLog();
  return (records ??= new RecordStore({
    client: dynamoClient(),
    tableName: config.recordsTable(),
    partitions: config.partitions(),
    journal: new IngestJournalStore(dynamoClient(), config.recordsTable()),
    arrivals: periodArrivals(periodStore(), config.zone()),
    ...(digests === undefined ? {} : { digests }),
  }));
}

export function objectStore(): ObjectStore {
  return (objects ??= new ObjectStore(s3Client()));
}

export function checkpointStore(): CheckpointStore {
  return (checkpoints ??= new CheckpointStore(dynamoClient(), config.recordsTable()));
}

/** The partitions written since the last run (on the records table: ingest and case links mark them). */
export function dirtyMarks(): DirtyMarks {
  return (dirty ??= new DirtyMarks(dynamoClient(), config.recordsTable()));
}

/** What the webhook's use case is given (lib/app/ingest/receive-records.ts), each part made on first use. */
export const webhookWork: WebhookWork = {
  get records() {
    return recordStore();
  },
  telemetry,
  zone: () => config.zone(),
  get objects() {
    return objectStore();
  },
  bucket: () => config.bucket(),
  keep: (source, delivery, outcome, rejected) =>
    keepWebhookAnswer(objectStore(), source, delivery, outcome, rejected),
  count: recordIngestMetrics,
};
