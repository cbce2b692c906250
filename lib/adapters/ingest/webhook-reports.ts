import type { Rejection, Source } from '../../core/records/records.js';
import type { WriteOutcome } from '../../core/records/record-sink.js';
import { webhookReport, webhookReportKey } from '../../core/ingest/webhook-report.js';
import { BUCKET } from '../../declarations/tables.js';
import { config } from '../aws/env.js';
import { currentTime } from '../aws/clock.js';
import type { ObjectStore } from '../aws/object-store.js';

/** Where webhook deliveries keep their answers: one folder per source, keys in time order. */
export const WEBHOOK_REPORT_PREFIX = `${BUCKET.ingestReportPrefix}webhook/`;

/** A webhook delivery's answer kept in the data bucket (lib/core/ingest/webhook-report.ts). */
export async function keepWebhookAnswer(
  objects: Pick<ObjectStore, 'putJson'>,
  source: Source,
  delivery: string,
  outcome: WriteOutcome,
  rejected: readonly Rejection[],
): Promise<void> {
  const id = delivery.replace(/^webhook\//, '');
  const at = currentTime();
  await objects.putJson(
    config.bucket(),
    webhookReportKey(WEBHOOK_REPORT_PREFIX, source, at, id),
    webhookReport({ source, id, at }, outcome, rejected),
  );
}
