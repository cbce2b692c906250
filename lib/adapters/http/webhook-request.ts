import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Source } from '../../core/records/records.js';
import { verifySignature } from '../../core/ingest/signature.js';
import { readWebhookBody, type BodyRow } from '../../core/ingest/webhook-body.js';
import { WEBHOOK_LIMITS, WEBHOOK_ROUTES } from '../../declarations/tables.js';
import { PayloadTooLargeError, RouteNotFoundError, UnreadableBodyError } from '../../errors/common.js';
import { UnauthorizedError } from '../../errors/ingest.js';

/**
 * The edge of the webhooks (CONTRACT §4): which source a request feeds, its raw bytes, whether it
 * is signed by that source, and its rows. Each refusal is an error of the hierarchy, raised before
 * anything is written.
 */
export interface WebhookRequest {
  source: Source;
  /** The raw body exactly as signed (base64 bodies decoded). */
  body: Buffer;
  contentType: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  requestId: string | undefined;
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

export function readWebhookRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  const method = event.requestContext?.http?.method ?? event.routeKey?.split(' ')[0];
  const route = WEBHOOK_ROUTES.find(
    (r) => event.routeKey === `${r.method} ${r.path}` || (method === r.method && event.rawPath === r.path),
  );
  if (route === undefined) throw new RouteNotFoundError(`no route for ${method ?? '?'} ${event.rawPath}`);
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (body.byteLength > WEBHOOK_LIMITS.maxBytes) {
    throw new PayloadTooLargeError(
      `the body has ${body.byteLength} bytes; at most ${WEBHOOK_LIMITS.maxBytes}`,
    );
  }
  return {
    source: route.source,
    body,
    contentType: header(event, 'content-type'),
    timestamp: header(event, 'x-stocktally-timestamp'),
    signature: header(event, 'x-stocktally-signature'),
    requestId: event.requestContext?.requestId,
  };
}

export function authenticate(request: WebhookRequest, secret: string, nowSeconds: number): void {
  const check = verifySignature(request, secret, nowSeconds, WEBHOOK_LIMITS.maxSkewSeconds);
  if (check.ok) return;
  const code = {
    missing: 'signature_missing',
    malformed: 'signature_malformed',
    stale: 'timestamp_stale',
    mismatch: 'signature_mismatch',
  } as const;
  throw new UnauthorizedError(code[check.problem], check.reason);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function bodyRows(request: WebhookRequest): BodyRow[] {
  let text: string;
  try {
    text = utf8.decode(request.body);
  } catch {
    throw new UnreadableBodyError('the body is not UTF-8 text');
  }
  const body = readWebhookBody(text, request.contentType);
  if (!body.ok) throw new UnreadableBodyError(body.reason);
  if (body.rows.length > WEBHOOK_LIMITS.maxRecords) {
    throw new PayloadTooLargeError(
      `the body holds ${body.rows.length} records; at most ${WEBHOOK_LIMITS.maxRecords}`,
    );
  }
  return body.rows;
}
