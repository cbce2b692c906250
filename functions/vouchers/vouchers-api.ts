import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { voucherCsv } from '../../lib/core/vouchers/voucher-csv.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { csvResponse, jsonResponse } from '../../lib/adapters/http/json-response.js';
import { voucherWork } from '../../lib/adapters/vouchers/containers.js';
import { readVouchersRequest } from '../../lib/adapters/http/vouchers-request.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { vouchersOf } from '../../lib/app/vouchers/voucher-work.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * GET /v1/vouchers?period=&format=json|csv&status=&warehouseId= (CONTRACT §9): the voucher of every
 * stored movement, as `stocktally vouchers` books it, with its status from the books; JSON, or the
 * CSV of the ERP import. Any signed-in caller may read it, like the other read routes.
 */
async function vouchersApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  callerOf(event);
  const request = readVouchersRequest(event);
  metrics.addMetric(`vouchersApi_${request.format}`, MetricUnit.Count, 1);
  const answer = await vouchersOf(await voucherWork(), request);
  logger.info('vouchers answered', { period: answer.period, vouchers: answer.vouchers.length });
  if (request.format === 'json') return jsonResponse(200, answer);
  return csvResponse(`vouchers-${answer.period ?? 'all'}.csv`, voucherCsv(answer.vouchers));
}

export const handler = httpHandler(vouchersApi);
