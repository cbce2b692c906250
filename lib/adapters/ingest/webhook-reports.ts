import type { Rejection, Source } from '../../core/records/records.js';
import type { WriteOutcome } from '../../core/records/record-sink.js';
import { keepWebhookReport } from '../../app/ingest/webhook-report.js';
import { config } from '../aws/env.js';
import { currentTime } from '../aws/clock.js';
import { objectStore } from './containers.js';

/** A webhook delivery's answer kept in the data bucket (lib/app/ingest/webhook-report.ts). */
export async function keepWebhookAnswer(
  source: Source,
  delivery: string,
  outcome: WriteOutcome,
  rejected: readonly Rejection[],
): Promise<void> {
  const id = delivery.replace(/^webhook\//, '');
  await keepWebhookReport(
    objectStore(),
    config.bucket(),
    { source, id, at: currentTime() },
    outcome,
    rejected,
  );
}
