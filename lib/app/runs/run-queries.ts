import type { RunRecord } from '../../core/runs/run-events.js';
import type { RunHeatMap } from '../../core/runs/run-heat-map.js';
import type { RunRecordSource, RunRepository, StoredRun } from '../../core/runs/ports.js';
import { RunNotFoundError } from '../../errors/runs.js';

/** Records shown per side of one discrepancy; a group holding more says how many it has. */
const RECORDS_SHOWN = 100;

/** The run as stored, or 404. */
export async function storedRun(runs: Pick<RunRepository, 'getRun'>, runId: string): Promise<StoredRun> {
  const stored = await runs.getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`no run ${runId}`);
  return stored;
}

/**
 * One discrepancy of a run with its history across runs (the by-group index, newest first) and both
 * sides' stored records, for the dashboard's detail view.
 */
export async function discrepancyDetail(
  work: { runs: Pick<RunRepository, 'groupHistory'>; records: Pick<RunRecordSource, 'readStored'> },
  runId: string,
  groupKey: string,
) {
  const history = await work.runs.groupHistory(groupKey);
  const found = history.find((h) => h.runId === runId);
  if (found === undefined) throw new RunNotFoundError(`no discrepancy ${groupKey} in run ${runId}`);
  const { runId: _run, ...shown } = found;
  const [wms, finance] = await Promise.all([
    work.records.readStored('wms', shown.wmsEventIds.slice(0, RECORDS_SHOWN)),
    work.records.readStored('finance', shown.financeEntryIds.slice(0, RECORDS_SHOWN)),
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
export async function heatMapOf(
  runs: Pick<RunRepository, 'getHeatMap'>,
  run: RunRecord,
): Promise<RunHeatMap> {
  const stored = await runs.getHeatMap(run.runId);
  if (stored === undefined) {
    throw new RunNotFoundError(
      run.status === 'RUNNING'
        ? `run ${run.runId} is still RUNNING; its heat map is made when it is summarized`
        : `run ${run.runId} has no heat map (summarized before heat maps were kept)`,
    );
  }
  return stored;
}
