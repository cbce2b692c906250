import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunRecord } from '../../lib/core/runs/run-events.js';
import { HeatTally } from '../../lib/core/runs/run-heat-map.js';
import { closeRun, summarizeResults } from '../../lib/core/runs/run-summary.js';
import { RunNotFoundError } from '../../lib/errors/runs.js';
import { dirtyMarks, runConfig, runStore } from '../../lib/adapters/runs/containers.js';
import { objectStore } from '../../lib/adapters/ingest/containers.js';
import type { ReportedRun } from '../../lib/adapters/runs/report-keys.js';
import { summarizeInput } from '../../lib/adapters/runs/map-results.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { renderReport } from '../../lib/adapters/runs/run-report.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * The run's report, rendered in-process once the run is stored (the same code locally and in the
 * cloud). A report that fails to render leaves the run as it closed, without `reports`: the report
 * route answers 404 and the failure is logged and counted, never turning a good run into a failed one.
 */
async function withReport(closed: RunRecord): Promise<ReportedRun> {
  try {
    const reports = await renderReport(closed.runId);
    return reports === undefined ? closed : { ...closed, reports };
  } catch (error) {
    metrics.addMetric('reportsFailed', MetricUnit.Count, 1);
    logger.error('report rendering failed', { runId: closed.runId, error: error as Error });
    return closed;
  }
}

/**
 * The run's last task: the partitions' tallies merged into the summary, the lifecycle of the groups
 * of every partition that succeeded committed, their dirty marks cleared (unless written since the
 * listing), what failed partitions wrote dropped, and the run closed SUCCEEDED, PARTIAL with the
 * failed partitions named, or FAILED;
 * then its report is rendered to reports/<runId>/ and listed on the run.
 */
async function summarize(event: unknown): Promise<RunRecord> {
  const began = performance.now();
  const { runId, results, failures } = await summarizeInput(event, objectStore);
  const stored = await runStore().getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`run ${runId} has no record; ListPartitions makes it`);
  const { run } = stored;
  const done = results.map((r) => r.partition);
  const succeeded = new Set(done);
  // One truth per run: what failed partitions wrote before failing is not the run's.
  await runStore().dropPartitions(
    runId,
    [...new Set([...run.partitions, ...failures.map((f) => f.partition)])].filter((p) => !succeeded.has(p)),
  );
  const reports = await runStore().readPartitionReports(runId, done);
  const settings = runConfig.settings(run.asOf);
  const figures = { asOf: run.asOf, timezone: settings.timeZone, lagHours: settings.lagHours };
  const summary = summarizeResults(figures, results, reports);
  await runStore().commitLifecycle(runId, run.asOf, done);
  // The dashboard's aggregates: the partitions' tallies merged, one item the heat map route reads.
  const heat = new HeatTally();
  for (const report of reports) if (report.heat !== undefined) heat.merge(report.heat);
  await runStore().putHeatMap({ runId, asOf: run.asOf, ...heat.toJson() });
  const listed = new Map(Object.entries(stored.dirtyVersions).map(([p, v]) => [Number(p), v]));
  await dirtyMarks().clear(new Map([...listed].filter(([p]) => succeeded.has(p))));
  const closed = closeRun(
    run,
    { results, failures, reports, summary },
    performance.now() - began,
    currentTime(),
  );
  await runStore().putRun({ ...stored, run: closed });
  metrics.addMetric(`runs${closed.status}`, MetricUnit.Count, 1);
  logger.info('run finished', { runId, status: closed.status, failed: failures.map((f) => f.partition) });
  return withReport(closed);
}

export const handler = taskHandler(summarize);
