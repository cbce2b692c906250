import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { journalCsv } from '../../lib/core/cases/journal/journal-csv.js';
import * as cases from '../../lib/app/cases/case-requests.js';
import { caseWork } from '../../lib/adapters/cases/containers.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { readCasesRequest } from '../../lib/adapters/http/cases-request.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { telemetry } from '../../lib/adapters/aws/telemetry.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * GET /v1/cases, GET /v1/cases/summary?warehouseId=, GET /v1/cases/{caseId}, POST /v1/cases/{caseId}/actions,
 * GET /v1/cases/{caseId}/trail, GET /v1/journal-entries?period=&format=csv|json,
 * GET /v1/periods/{period}/close-check: the exception workflow (README, "Cases and approvals").
 * The caller comes from the JWT authorizer's claims; the rules from lib/core.
 */
async function casesApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = callerOf(event);
  const request = readCasesRequest(event);
  telemetry.count(`casesApi_${request.route}`);
  const asked = await cases.caseRequest(caseWork, caller);
  if (request.route === 'list')
    return jsonResponse(200, await cases.listCases(asked, request.filter, request));
  if (request.route === 'summary')
    return jsonResponse(200, await cases.openCasesSummary(asked, request.warehouseId));
  if (request.route === 'get') return jsonResponse(200, await cases.caseDetail(asked, request.groupKey));
  if (request.route === 'act')
    return jsonResponse(200, await cases.actOnCaseRequest(asked, request.groupKey, request.action));
  if (request.route === 'trail') return jsonResponse(200, await cases.caseTrail(asked, request.groupKey));
  if (request.route === 'closeCheck') return jsonResponse(200, await cases.closeCheck(asked, request.period));
  const { period, format } = request;
  const entries = await cases.journalEntries(asked, period, format);
  if (format === 'json') return jsonResponse(200, { period, entries });
  const disposition = `attachment; filename="journal-entries-${period}.csv"`;
  const headers = { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition };
  return { statusCode: 200, headers, body: journalCsv(entries.map((e) => e.entry)) };
}

export const handler = httpHandler(casesApi);
