import type { RunRecord, SummarizeRunInput } from '../../core/runs/run-events.js';
import { HeatTally } from '../../core/runs/run-heat-map.js';
import { closeRun, summarizeResults } from '../../core/runs/run-summary.js';
import type { RunWork } from '../../core/runs/ports.js';
import type { Telemetry } from '../../core/shared/ports.js';
import { RunNotFoundError } from '../../errors/runs.js';

/** Renders a run's report and answers where it was put, or undefined when the run has none to render. */
export type RenderReport<R> = (runId: string) => Promise<R | undefined>;

/**
 * The run's report, rendered in-process once the run is stored (the same code locally and in the
 * cloud). A report that fails to render leaves the run as it closed, without `reports`: the report
 * route answers 404 and the failure is logged and counted, never turning a good run into a failed one.
 */
async function withReport<R>(
  closed: RunRecord,
  render: RenderReport<R>,
  telemetry: Telemetry,
): Promise<RunRecord & { reports?: R }> {
  try {
    const reports = await render(closed.runId);
    return reports === undefined ? closed : { ...closed, reports };
  } catch (error) {
    telemetry.count('reportsFailed');
    telemetry.error('report rendering failed', { runId: closed.runId, error: error as Error });
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
export async function summarizeRun<R>(
  work: Pick<RunWork, 'runs' | 'dirty' | 'settings' | 'now' | 'telemetry'>,
  { runId, results, failures }: SummarizeRunInput,
  render: RenderReport<R>,
): Promise<RunRecord & { reports?: R }> {
  const began = performance.now();
  const { runs } = work;
  const stored = await runs.getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`run ${runId} has no record; ListPartitions makes it`);
  const { run } = stored;
  const done = results.map((r) => r.partition);
  const succeeded = new Set(done);
  // One truth per run: what failed partitions wrote before failing is not the run's.
  await runs.dropPartitions(
    runId,
    [...new Set([...run.partitions, ...failures.map((f) => f.partition)])].filter((p) => !succeeded.has(p)),
  );
  const reports = await runs.readPartitionReports(runId, done);
  const settings = work.settings(run.asOf);
  const figures = { asOf: run.asOf, timezone: settings.timeZone, lagHours: settings.lagHours };
  const summary = summarizeResults(figures, results, reports);
  await runs.commitLifecycle(runId, run.asOf, done);
  // What the partitions saw of arrival lags becomes the history the next run learns from.
  await runs.commitArrivals(runId, done);
  // The dashboard's aggregates: the partitions' tallies merged, one item the heat map route reads.
  const heat = new HeatTally();
  for (const report of reports) if (report.heat !== undefined) heat.merge(report.heat);
  await runs.putHeatMap({ runId, asOf: run.asOf, ...heat.toJson() });
  const listed = new Map(Object.entries(stored.dirtyVersions).map(([p, v]) => [Number(p), v]));
  await work.dirty.clear(new Map([...listed].filter(([p]) => succeeded.has(p))));
  const closed = closeRun(
    run,
    { results, failures, reports, summary },
    performance.now() - began,
    work.now(),
  );
  await runs.putRun({ ...stored, run: closed });
  work.telemetry.count(`runs${closed.status}`);
  work.telemetry.info('run finished', {
    runId,
    status: closed.status,
    failed: failures.map((f) => f.partition),
  });
  return withReport(closed, render, work.telemetry);
}
