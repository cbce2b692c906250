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
import type { GroupStatus } from '../../core/runs/lifecycle.js';
import { runPeriodOf } from '../../core/runs/run-period.js';
import { periodWindow } from '../../core/shared/period.js';
import { lateGroupsUpTo } from '../periods/period-guard.js';
import { nextLagDeadline } from '../../core/runs/lag-deadline.js';
import { settingsOfRun } from '../../core/reconcile/settings-config.js';
import type { PartitionRecords } from '../../core/records/record-sink.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';

/**
 * One partition of a run (the Map's task): its stored records through the partition function, the
 * run's scope, the groups' lifecycle moved on, and the run's discrepancies of this partition
 * replaced, so a retry or a re-run of the same run id overwrites rather than adds; then each
 * discrepancy's case opened or brought up to date (lib/core/cases/case-run.ts), idempotently too.
 */
function datedPeriods(records: PartitionRecords, zone: ZoneClock): Set<string> {
  const periods = new Set<string>();
  for (const r of records.movements) periods.add(zone.periodOf(r.at));
  for (const r of records.entries) periods.add(zone.periodOf(r.at));
  return periods;
}

export async function reconcilePartition(
  work: RunWork,
  { runId, partition, asOf }: PartitionTask,
): Promise<ReconcilePartitionOutput> {
  const began = performance.now();
  const stored = await work.runs.getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`run ${runId} has no record; ListPartitions makes it`);
  const { run } = stored;
  // A snapshot starts from nothing live and leaves nothing live behind (CONTRACT §7).
  const live = run.snapshot !== true;
  const zone = work.zone();
  const period = runPeriodOf(run, zone);
  const [records, tables, before, workflow, history, lateGroups] = await Promise.all([
    work.records.readPartition(partition),
    work.tables(runId),
    live ? work.runs.readLifecycle(partition, runId) : new Map<string, GroupStatus>(),
    work.workflow(),
    diagnosisHistory(work.cases, work.runs),
    lateGroupsUpTo(work.periods, period),
  ]);
  // The periods its records are dated in: ingest notes them, and a close (which reads every
  // partition) backfills what was stored before periods were kept, after an upgrade in place.
  if (run.mode === 'close') await work.periods.note(datedPeriods(records, zone));
  const read = performance.now();
  const context = {
    ...tables,
    ...work.rules(tables, workflow.config),
    zone,
    // The settings ListPartitions recorded: one version for the whole run.
    settings: settingsOfRun(run.settings, asOf, zone.timeZone),
    // The books as they stood at the end of the run's period: `reconcile --period` (CONTRACT §7).
    period: periodWindow(period, zone),
    asOf,
    lateGroups,
  };
  const outcome = runPartition(records, before, { ...context, ...history, scope: run.scope });
  const reconciled = performance.now();
  await work.runs.writePartition(runId, partition, asOf, outcome.transitions);
  if (live) {
    await work.runs.putArrivals(runId, partition, outcome.arrivals);
    const open = outcome.transitions
      .filter((t) => t.next.lifecycle.state !== 'RESOLVED')
      .map((t) => t.next.discrepancy);
    await work.deadlines.set(partition, nextLagDeadline(open, context.settings.lagHours));
  }
  // Each discrepancy written has its case (opened on first sight, never twice), with the latest facts.
  const cases = live
    ? await applyRunToCases(
        work.cases,
        workflow.config,
        outcome.transitions.map((t) => toRunDiscrepancy(t.next, asOf)),
        runId,
        work.now(),
        { linked: linkedKeys(history.links) },
      )
    : 0;
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
    work: outcome.work,
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
