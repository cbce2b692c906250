import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { voucherCsv } from '../../lib/core/vouchers/voucher-csv.js';
import { caseStore, workflowConfig } from '../../lib/adapters/cases/containers.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { config } from '../../lib/adapters/aws/env.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { readVouchersRequest } from '../../lib/adapters/http/vouchers-request.js';
import { objectStore, recordStore } from '../../lib/adapters/ingest/containers.js';
import { runConfig } from '../../lib/adapters/runs/containers.js';
import { loadRunTables } from '../../lib/adapters/runs/run-tables.js';
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
  const zone = config.zone();
  const [tables, workflow] = await Promise.all([
    loadRunTables(objectStore(), config.bucket(), zone),
    workflowConfig().current(),
  ]);
  const answer = await vouchersOf(
    {
      records: recordStore(),
      partitions: config.partitions(),
      tables,
      config: workflow.config,
      zone,
      settings: runConfig.settings(currentTime().toISOString()),
      casesOf: async (keys) => new Set((await caseStore().getCases(keys)).keys()),
    },
    request,
  );
  logger.info('vouchers answered', { period: answer.period, vouchers: answer.vouchers.length });
  if (request.format === 'json') return jsonResponse(200, answer);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="vouchers-${answer.period ?? 'all'}.csv"`,
    },
    body: voucherCsv(answer.vouchers),
  };
}

export const handler = httpHandler(vouchersApi);
