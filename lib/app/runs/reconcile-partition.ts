import { linkedKeys } from '../../core/diagnosis/group-links.js';
import { toRunDiscrepancy } from '../../core/runs/lifecycle.js';
import type { PartitionTask, ReconcilePartitionOutput } from '../../core/runs/run-events.js';
import { heatOfTransitions } from '../../core/runs/run-heat-map.js';
import { runPartition, tallyToJson } from '../../core/runs/run-partition.js';
import { MAX_REPORTED_ROWS, toRunRejection } from '../../core/runs/run-summary.js';
import type { RunWork } from '../../core/runs/ports.js';
import { RunNotFoundError } from '../../errors/runs.js';
import { applyRunToCases } from '../cases/case-work.js';
import { diagnosisHistory } from './diagnosis-history.js';

/**
 * One partition of a run (the Map's task): its stored records through the partition function, the
 * run's scope, the groups' lifecycle moved on, and the run's discrepancies of this partition
 * replaced, so a retry or a re-run of the same run id overwrites rather than adds; then each
 * discrepancy's case opened or brought up to date (lib/core/cases/case-run.ts), idempotently too.
 */
export async function reconcilePartition(
  work: RunWork,
  { runId, partition, asOf }: PartitionTask,
): Promise<ReconcilePartitionOutput> {
  const began = performance.now();
  const stored = await work.runs.getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`run ${runId} has no record; ListPartitions makes it`);
  const [records, tables, before, workflow, history] = await Promise.all([
    work.records.readPartition(partition),
    work.tables(runId),
    work.runs.readLifecycle(partition, runId),
    work.workflow(),
    diagnosisHistory(work.cases, work.runs),
  ]);
  const read = performance.now();
  const context = {
    ...tables,
    ...work.rules(tables, workflow.config),
    zone: work.zone(),
    settings: work.settings(asOf),
    asOf,
  };
  const outcome = runPartition(records, before, { ...context, ...history, scope: stored.run.scope });
  const reconciled = performance.now();
  await work.runs.writePartition(runId, partition, asOf, outcome.transitions);
  await work.runs.putArrivals(runId, partition, outcome.arrivals);
  // Each discrepancy written has its case (opened on first sight, never twice), with the latest facts.
  const cases = await applyRunToCases(
    work.cases,
    workflow.config,
    outcome.transitions.map((t) => toRunDiscrepancy(t.next, asOf)),
    runId,
    work.now(),
    { linked: linkedKeys(history.links) },
  );
  const { tally } = outcome;
  const output: ReconcilePartitionOutput = {
    runId,
    partition,
    groupsSeen: tally.groupsSeen,
    groupsMatched: tally.groupsMatched,
    discrepancies: outcome.discrepancies,
    tally: tallyToJson(tally),
    rejected: outcome.rejected.length,
    durationMs: Math.round(performance.now() - began),
  };
  const phasesMs = {
    read: Math.round(read - began),
    reconcile: Math.round(reconciled - read),
    write: Math.round(performance.now() - reconciled),
  };
  await work.runs.putPartitionResult(output, {
    partition,
    resolved: outcome.resolved,
    rejected: outcome.rejected.slice(0, MAX_REPORTED_ROWS).map(toRunRejection),
    conflicts: outcome.conflicts.slice(0, MAX_REPORTED_ROWS),
    phasesMs,
    heat: heatOfTransitions(outcome.transitions, asOf),
  });
  work.telemetry.count('discrepancies', outcome.discrepancies);
  work.telemetry.info('partition reconciled', {
    runId,
    partition,
    ...phasesMs,
    discrepancies: outcome.discrepancies,
    cases,
  });
  return output;
}
