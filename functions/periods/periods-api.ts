import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { caseStore } from '../../lib/adapters/cases/containers.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { readPeriodsRequest } from '../../lib/adapters/http/periods-request.js';
import { periodStore } from '../../lib/adapters/periods/containers.js';
import { config } from '../../lib/adapters/aws/env.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { logger } from '../../lib/adapters/aws/telemetry.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';
import { listPeriods, lockPeriod } from '../../lib/app/periods/period-work.js';

/** GET /v1/periods and POST /v1/periods/{period}/lock (CONTRACT §7): the months and their closes. */
async function periodsApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = callerOf(event);
  const request = readPeriodsRequest(event);
  if (request.route === 'list') return jsonResponse(200, await listPeriods(periodStore(), config.zone()));
  const deps = { periods: periodStore(), cases: caseStore(), zone: config.zone() };
  const view = await lockPeriod(deps, { ...request, caller, now: currentTime() });
  logger.info('period locked', { period: view.period, by: view.lockedBy, override: view.override !== null });
  return jsonResponse(200, view);
}

export const handler = httpHandler(periodsApi);
