import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { validateBodyRows } from '../../lib/core/ingest/webhook-body.js';
import { config } from '../../lib/adapters/aws/env.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { authenticate, bodyRows, readWebhookRequest } from '../../lib/adapters/http/webhook-request.js';
import { objectStore, recordStore } from '../../lib/adapters/ingest/containers.js';
import { codesInForce } from '../../lib/app/ingest/code-table.js';
import { logger, recordIngestMetrics } from '../../lib/adapters/aws/telemetry.js';
import { webhookSecret } from '../../lib/adapters/ingest/webhook-secrets.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';

/** POST /v1/movements and POST /v1/entries (CONTRACT §4): signed records in, counted outcomes out. */
async function receiveRecords(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  const request = readWebhookRequest(event);
  // The sender stamps the signature with its own time: checked against the machine's, not the business clock.
  authenticate(request, await webhookSecret(request.source), Math.floor(Date.now() / 1000));
  const delivery = `webhook/${request.requestId ?? context.awsRequestId}`;
  const { records, rejected } = validateBodyRows(bodyRows(request), request.source, delivery, config.zone());
  // Stored under the unified codes (统一编码), as the S3 drops store theirs.
  const codes = await codesInForce(objectStore(), config.bucket());
  const outcome = await recordStore().write(
    records.map((r) => codes.apply(r)),
    delivery,
  );
  const counts = { ...outcome, conflicts: outcome.conflicts.length, rejected: rejected.length };
  recordIngestMetrics(request.source, counts);
  logger.info('webhook ingested', { source: request.source, ...counts });
  return jsonResponse(200, {
    accepted: outcome.accepted,
    duplicates: outcome.duplicates,
    lateArrivals: outcome.lateArrivals ?? 0,
    conflicts: outcome.conflicts.map(({ id, reason }) => ({ id, reason })),
    rejected: rejected.map(({ line, field, reason }) => ({ line, field: field ?? null, reason })),
  });
}

export const handler = httpHandler(receiveRecords);
