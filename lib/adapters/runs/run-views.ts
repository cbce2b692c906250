import type { RunRecord } from '../../core/runs/run-events.js';
import type { RunHeatMap } from '../../core/runs/run-heat-map.js';
import { RunNotFoundError } from '../../errors/runs.js';
import { recordStore } from '../ingest/containers.js';
import { runStore } from './containers.js';

/** Records shown per side of one discrepancy; a group holding more says how many it has. */
const RECORDS_SHOWN = 100;

/**
 * One discrepancy of a run with its history across runs (the by-group index, newest first) and both
 * sides' stored records, for the dashboard's detail view.
 */
export async function discrepancy(runId: string, groupKey: string) {
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
export async function heatMap(run: RunRecord): Promise<RunHeatMap> {
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
