import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { publicRun } from '../../lib/core/runs/run-failure.js';
import { discrepancyDetail, heatMapOf, storedRun } from '../../lib/app/runs/run-queries.js';
import { startRun } from '../../lib/app/runs/start-run.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { readRunsRequest } from '../../lib/adapters/http/runs-request.js';
import { runStore, runWork } from '../../lib/adapters/runs/containers.js';
import { reportLink } from '../../lib/adapters/runs/report-link.js';
import { telemetry } from '../../lib/adapters/aws/telemetry.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * POST /v1/runs, GET /v1/runs (newest first), GET /v1/runs/{runId}, GET /v1/runs/{runId}/heatmap,
 * GET /v1/runs/{runId}/discrepancies, GET /v1/runs/{runId}/report?format=pdf|csv|xlsx&expiresIn=
 * (CONTRACT §4; the list and the heat map serve the dashboard).
 */
async function runsApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const request = readRunsRequest(event);
  telemetry.count(`runsApi_${request.route}`);
  if (request.route === 'start')
    return jsonResponse(202, { runId: await startRun(runWork, callerOf(event), request.body) });
  if (request.route === 'list') return jsonResponse(200, await runStore().listRuns(request));
  const { run } = await storedRun(runStore(), request.runId);
  if (request.route === 'get') return jsonResponse(200, publicRun(run));
  if (request.route === 'report') return reportLink(run, request.format, request.expiresIn, request.redirect);
  if (request.route === 'discrepancy')
    return jsonResponse(200, await discrepancyDetail(runWork, request.runId, request.groupKey));
  if (request.route === 'heatmap') return jsonResponse(200, await heatMapOf(runStore(), run));
  const { runId, filter, cursor, limit, sort } = request;
  return jsonResponse(200, await runStore().listDiscrepancies(runId, filter, { cursor, limit, sort }));
}

export const handler = httpHandler(runsApi);
