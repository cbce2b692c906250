import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import type { RunRequest } from '../../lib/core/runs/run-events.js';
import { publicRun } from '../../lib/core/runs/run-failure.js';
import { runInput, startedRun } from '../../lib/core/runs/run-request.js';
import { hasAnyRole, RUN_STARTER_ROLES, type Caller } from '../../lib/core/cases/roles.js';
import { config } from '../../lib/adapters/aws/env.js';
import { ForbiddenError } from '../../lib/errors/access.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { RunNotFoundError } from '../../lib/errors/runs.js';
import { readRunsRequest } from '../../lib/adapters/http/runs-request.js';
import { runStarter } from '../../lib/adapters/runs/run-starter.js';
import { runStore } from '../../lib/adapters/runs/containers.js';
import { reportLink } from '../../lib/adapters/runs/report-link.js';
import { discrepancy, heatMap } from '../../lib/adapters/runs/run-views.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { httpHandler } from '../../lib/adapters/aws/handlers.js';

/** A close moves the books: runs are started by finance (and by the schedules, which do not call here). */
function requireRunStarter(caller: Caller): void {
  if (hasAnyRole(caller, RUN_STARTER_ROLES)) return;
  throw new ForbiddenError(
    'run_role_required',
    `starting a run needs one of ${RUN_STARTER_ROLES.join(', ')}; ${caller.username} holds ${
      caller.roles.length === 0 ? 'no role' : caller.roles.join(', ')
    }`,
  );
}

/** Records the run as RUNNING, then starts its state machine; a start that fails closes it FAILED. */
async function startRun(request: RunRequest): Promise<string> {
  const now = currentTime();
  const input = runInput(request, config.zone(), now, randomBytes(4).toString('hex'));
  const run = startedRun(input, now);
  await runStore().putRun({ run, dirtyVersions: {} });
  try {
    await runStarter().start(input);
  } catch (error) {
    await runStore().putRun({
      run: { ...run, status: 'FAILED', finishedAt: currentTime().toISOString() },
      dirtyVersions: {},
    });
    throw error;
  }
  logger.info('run requested', { runId: input.runId, mode: input.mode, asOf: input.asOf });
  return input.runId;
}

/**
 * POST /v1/runs, GET /v1/runs (newest first), GET /v1/runs/{runId}, GET /v1/runs/{runId}/heatmap,
 * GET /v1/runs/{runId}/discrepancies, GET /v1/runs/{runId}/report?format=pdf|csv|xlsx&expiresIn=
 * (CONTRACT §4; the list and the heat map serve the dashboard).
 */
async function runsApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const request = readRunsRequest(event);
  metrics.addMetric(`runsApi_${request.route}`, MetricUnit.Count, 1);
  if (request.route === 'start') {
    requireRunStarter(callerOf(event));
    return jsonResponse(202, { runId: await startRun(request.body) });
  }
  if (request.route === 'list') return jsonResponse(200, await runStore().listRuns(request));
  const stored = await runStore().getRun(request.runId);
  if (stored === undefined) throw new RunNotFoundError(`no run ${request.runId}`);
  if (request.route === 'get') return jsonResponse(200, publicRun(stored.run));
  if (request.route === 'report')
    return reportLink(stored.run, request.format, request.expiresIn, request.redirect);
  if (request.route === 'discrepancy')
    return jsonResponse(200, await discrepancy(request.runId, request.groupKey));
  if (request.route === 'heatmap') return jsonResponse(200, await heatMap(stored.run));
  const { filter, cursor, limit, sort } = request;
  return jsonResponse(
    200,
    await runStore().listDiscrepancies(request.runId, filter, { cursor, limit, sort }),
  );
}

export const handler = httpHandler(runsApi);
