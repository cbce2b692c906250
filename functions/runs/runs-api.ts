import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { RunRecord, RunRequest } from '../../lib/core/runs/run-events.js';
import type { RunHeatMap } from '../../lib/core/runs/run-heat-map.js';
import { publicRun } from '../../lib/core/runs/run-failure.js';
import { runInput, startedRun } from '../../lib/core/runs/run-request.js';
import { hasAnyRole, RUN_STARTER_ROLES, type Caller } from '../../lib/core/cases/roles.js';
import { s3Client } from '../../lib/adapters/aws/aws-clients.js';
import { config } from '../../lib/adapters/aws/env.js';
import {
  linkLifetime,
  type ReportFormatName,
  type ReportedRun,
} from '../../lib/adapters/runs/report-keys.js';
import { ForbiddenError } from '../../lib/errors/access.js';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { jsonResponse } from '../../lib/adapters/http/json-response.js';
import { RunNotFoundError } from '../../lib/errors/runs.js';
import { readRunsRequest } from '../../lib/adapters/http/runs-request.js';
import { runStarter } from '../../lib/adapters/runs/run-starter.js';
import { recordStore } from '../../lib/adapters/ingest/containers.js';
import { runStore } from '../../lib/adapters/runs/containers.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { systemClock } from '../../lib/clock.js';
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
 * 302 to a presigned GET of the run's report in `format`; 404 until the run lists a report. The link
 * is signed with this function's own role (s3:GetObject on reports/; locally the URL points at the
 * embedded S3), whose temporary credentials bound how long it can work: `expiresIn` is capped to
 * that (linkLifetime), and the JSON answer says the lifetime granted.
 */
async function reportLink(
  run: ReportedRun,
  format: ReportFormatName,
  requested: number,
  redirect: boolean,
): Promise<APIGatewayProxyStructuredResultV2> {
  const key = run.reports?.[format];
  if (key === undefined) throw new RunNotFoundError(`run ${run.runId} has no ${format} report`);
  const client = s3Client();
  // The credentials expire on the machine's time, which S3 also checks the link against: not the business clock.
  const expiresIn = linkLifetime(requested, await client.config.credentials(), systemClock());
  const location = await getSignedUrl(client, new GetObjectCommand({ Bucket: config.bucket(), Key: key }), {
    expiresIn,
  });
  if (!redirect) return jsonResponse(200, { url: location, expiresIn });
  return { statusCode: 302, headers: { location, 'cache-control': 'no-store' }, body: '' };
}

/** Records shown per side of one discrepancy; a group holding more says how many it has. */
const RECORDS_SHOWN = 100;

/**
 * One discrepancy of a run with its history across runs (the by-group index, newest first) and both
 * sides' stored records, for the dashboard's detail view.
 */
async function discrepancy(runId: string, groupKey: string) {
  const history = await runStore().groupHistory(groupKey);
  const found = history.find((h) => h.runId === runId);
  if (found === undefined) throw new RunNotFoundError(`no discrepancy ${groupKey} in run ${runId}`);
  const { runId: _run, ...shown } = found;
  const [wms, finance] = await Promise.all([
    recordStore().readStored('wms', shown.wmsEventIds.slice(0, RECORDS_SHOWN)),
    recordStore().readStored('finance', shown.financeEntryIds.slice(0, RECORDS_SHOWN)),
  ]);
  return {
    runId,
    discrepancy: shown,
    history: history.map((h) => ({
      runId: h.runId,
      state: h.state,
      kind: h.kind,
      severity: h.severity,
      moneyAtStake: h.moneyAtStake,
      firstSeen: h.firstSeen,
      lastSeen: h.lastSeen,
      ...(h.resolvedAt === undefined ? {} : { resolvedAt: h.resolvedAt }),
    })),
    records: { wms: wms.map((r) => r.record), finance: finance.map((r) => r.record) },
  };
}

/** The run's dashboard aggregates, stored by SummarizeRun: 404 until the run has been summarized. */
async function heatMap(run: RunRecord): Promise<RunHeatMap> {
  const stored = await runStore().getHeatMap(run.runId);
  if (stored === undefined) {
    throw new RunNotFoundError(
      run.status === 'RUNNING'
        ? `run ${run.runId} is still RUNNING; its heat map is made when it is summarized`
        : `run ${run.runId} has no heat map (summarized before heat maps were kept)`,
    );
  }
  return stored;
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
