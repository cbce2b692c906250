import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { StocktallyError, type FailureKind } from '../../errors/stocktally-error.js';
import { jsonResponse } from './json-response.js';

/** The one place a failure's kind becomes an HTTP status. */
export const STATUS_OF: Readonly<Record<FailureKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  busy: 503,
  internal: 500,
};

/**
 * Turns any error of an HTTP handler into its JSON answer, in one place: an exposed StocktallyError
 * keeps its status, code and message; anything else is logged in full and answered as
 * 500 `{ code: 'internal' }`, so no stack trace or internal message ever reaches a caller.
 * Refused and failed requests are counted as metrics of their own.
 */
export function httpErrorHandler(
  logger: Logger,
  metrics: Metrics,
): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const { error } = request;
      if (error instanceof StocktallyError && error.expose) {
        const statusCode = STATUS_OF[error.kind];
        logger.warn('request refused', {
          code: error.code,
          statusCode,
          reason: error.message,
        });
        metrics.addMetric('refused', MetricUnit.Count, 1);
        request.response = jsonResponse(statusCode, {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        });
        return;
      }
      logger.error('request failed', error instanceof Error ? error : String(error));
      metrics.addMetric('failed', MetricUnit.Count, 1);
      request.response = jsonResponse(500, { code: 'internal', message: 'internal error' });
    },
  };
}
