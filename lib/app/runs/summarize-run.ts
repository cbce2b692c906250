import type { RunRecord, SummarizeRunInput } from '../../core/runs/run-events.js';
import { HeatTally } from '../../core/runs/run-heat-map.js';
import { closeRun, summarizeResults } from '../../core/runs/run-summary.js';
import type { RunWork } from '../../core/runs/ports.js';
import type { Telemetry } from '../../core/shared/ports.js';
import { RunNotFoundError } from '../../errors/runs.js';
import type { ReconcilePartitionOutput } from '../../core/runs/run-events.js';
import { runPeriodOf } from '../../core/runs/run-period.js';
import type { PeriodClose } from '../../core/periods/period-record.js';

/** The run's work: its partitions' records read and groups assessed, added up. */
function workOf(results: readonly ReconcilePartitionOutput[]): NonNullable<RunRecord['work']> {
  const work = { recordsRead: 0, groupsEvaluated: 0 };
  for (const r of results) {
    work.recordsRead += r.work?.recordsRead ?? 0;
    work.groupsEvaluated += r.work?.groupsEvaluated ?? 0;
  }
  return work;
}

/** What GET /v1/periods shows of a close run: its counts and its money at stake. */
function closeOf(run: RunRecord & { summary: NonNullable<RunRecord['summary']> }): PeriodClose {
  return {
    runId: run.runId,
    finishedAt: run.finishedAt ?? run.asOf,
    groupsSeen: run.summary.groupsSeen,
    discrepancies: run.summary.discrepancies,
    moneyAtStake: run.summary.moneyAtStake.total,
  };
}

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
  work: Pick<RunWork, 'runs' | 'dirty' | 'settings' | 'now' | 'telemetry' | 'periods' | 'zone'>,
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
  // A snapshot leaves the live lifecycle, arrival history and dirty marks as they were (CONTRACT §7).
  const live = run.snapshot !== true;
  if (live) {
    await runs.commitLifecycle(runId, run.asOf, done);
    // What the partitions saw of arrival lags becomes the history the next run learns from.
    await runs.commitArrivals(runId, done);
  }
  // The dashboard's aggregates: the partitions' tallies merged, one item the heat map route reads.
  const heat = new HeatTally();
  for (const report of reports) if (report.heat !== undefined) heat.merge(report.heat);
  await runs.putHeatMap({ runId, asOf: run.asOf, ...heat.toJson() });
  const listed = new Map(Object.entries(stored.dirtyVersions).map(([p, v]) => [Number(p), v]));
  if (live) await work.dirty.clear(new Map([...listed].filter(([p]) => succeeded.has(p))));
  const closed: RunRecord = {
    ...closeRun(run, { results, failures, reports, summary }, performance.now() - began, work.now()),
    work: workOf(results),
  };
  await runs.putRun({ ...stored, run: closed });
  if (closed.mode === 'close' && closed.status === 'SUCCEEDED' && closed.summary !== null) {
    // The period's latest close (a snapshot too: it is that period's close run again).
    await work.periods.recordClose(
      runPeriodOf(closed, work.zone()),
      closeOf({ ...closed, summary: closed.summary }),
    );
  }
  work.telemetry.count(`runs${closed.status}`);
  work.telemetry.info('run finished', {
    runId,
    status: closed.status,
    failed: failures.map((f) => f.partition),
  });
  return withReport(closed, render, work.telemetry);
}
