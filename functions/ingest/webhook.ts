import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { authenticate, bodyRows, readWebhookRequest } from '../../lib/adapters/http/webhook-request.js';
import { webhookWork } from '../../lib/adapters/ingest/containers.js';
import { webhookSecret } from '../../lib/adapters/ingest/webhook-secrets.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';
import { receiveRecords } from '../../lib/app/ingest/receive-records.js';

/** POST /v1/movements and POST /v1/entries (CONTRACT §4): signed records in, counted outcomes out. */
async function receive(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  const request = readWebhookRequest(event);
  // The sender stamps the signature with its own time: checked against the machine's, not the business clock.
  authenticate(request, await webhookSecret(request.source), Math.floor(Date.now() / 1000));
  const delivery = `webhook/${request.requestId ?? context.awsRequestId}`;
  return jsonResponse(200, await receiveRecords(webhookWork, request.source, bodyRows(request), delivery));
}

export const handler = httpHandler(receive);
