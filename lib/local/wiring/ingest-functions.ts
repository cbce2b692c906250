import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, S3Event } from 'aws-lambda';
import { WEBHOOK_ROUTES } from '../../declarations/tables.js';
import type { Route } from '../standins/http-front.js';
import type { LambdaHandler } from '../standins/lambda-runtime.js';
import type { S3DropFunction } from '../standins/s3-trigger.js';

/**
 * The ingest functions as the local pipeline runs them: the handlers (the real ones, or small ones
 * in tests), their names and timeouts, and the routes of CONTRACT §4 that reach them.
 */
export interface IngestHandlers {
  webhook: LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2<unknown>>;
  s3Drop: LambdaHandler<S3Event, unknown>;
}

/** API Gateway gives an integration 30 s; an S3-triggered function may run up to Lambda's 15 minutes. */
export const WEBHOOK_FUNCTION = { name: 'stocktally-webhook', timeoutMs: 29_000 } as const;
export const S3_DROP_FUNCTION = { name: 'stocktally-s3-drop', timeoutMs: 15 * 60_000 } as const;

/** Both signed webhook routes go to the one webhook function, which tells the source by the path. */
export function webhookRoutes(handlers: IngestHandlers): Route[] {
  const fn = { ...WEBHOOK_FUNCTION, handler: handlers.webhook };
  return WEBHOOK_ROUTES.map((route) => ({ method: route.method, path: route.path, auth: 'signed', fn }));
}

export function s3DropFunction(handlers: IngestHandlers): S3DropFunction {
  return { ...S3_DROP_FUNCTION, handler: handlers.s3Drop };
}
