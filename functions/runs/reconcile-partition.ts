import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PartitionTaskSchema, type ReconcilePartitionOutput } from '../../lib/core/runs/run-events.js';
import { runPartition, tallyToJson } from '../../lib/core/runs/run-partition.js';
import { toRunDiscrepancy } from '../../lib/core/runs/lifecycle.js';
import { heatOfTransitions } from '../../lib/core/runs/run-heat-map.js';
import { MAX_REPORTED_ROWS, toRunRejection } from '../../lib/core/runs/run-summary.js';
import { caseStore, workflowConfig } from '../../lib/adapters/cases/containers.js';
import { applyRunToCases } from '../../lib/app/cases/case-work.js';
import { config } from '../../lib/adapters/aws/env.js';
import { RunNotFoundError } from '../../lib/errors/runs.js';
import { recordStore } from '../../lib/adapters/ingest/containers.js';
import { runConfig, runStore, tablesOfRun } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * One partition of a run (the Map's task): its stored records through the partition function, the
 * run's scope, the groups' lifecycle moved on, and the run's discrepancies of this partition
 * replaced, so a retry or a re-run of the same run id overwrites rather than adds; then each
 * discrepancy's case opened or brought up to date (lib/core/cases/case-run.ts), idempotently too.
 */
async function reconcile(event: unknown): Promise<ReconcilePartitionOutput> {
  const began = performance.now();
  const { runId, partition, asOf } = taskInput(PartitionTaskSchema, event, 'ReconcilePartition');
  const stored = await runStore().getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`run ${runId} has no record; ListPartitions makes it`);
  const [records, tables, before] = await Promise.all([
    recordStore().readPartition(partition),
    tablesOfRun(runId),
    runStore().readLifecycle(partition, runId),
  ]);
  const read = performance.now();
  const context = { ...tables, zone: config.zone(), settings: runConfig.settings(asOf), asOf };
  const outcome = runPartition(records, before, { ...context, scope: stored.run.scope });
  const reconciled = performance.now();
  await runStore().writePartition(runId, partition, asOf, outcome.transitions);
  // Each discrepancy written has its case (opened on first sight, never twice), with the latest facts.
  const cases = await applyRunToCases(
    caseStore(),
    (await workflowConfig().current()).config,
    outcome.transitions.map((t) => toRunDiscrepancy(t.next, asOf)),
    runId,
    currentTime(),
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
  await runStore().putPartitionResult(output, {
    partition,
    resolved: outcome.resolved,
    rejected: outcome.rejected.slice(0, MAX_REPORTED_ROWS).map(toRunRejection),
    conflicts: outcome.conflicts.slice(0, MAX_REPORTED_ROWS),
    phasesMs,
    heat: heatOfTransitions(outcome.transitions, asOf),
  });
  metrics.addMetric('discrepancies', MetricUnit.Count, outcome.discrepancies);
  logger.info('partition reconciled', {
    runId,
    partition,
    ...phasesMs,
    discrepancies: outcome.discrepancies,
    cases,
  });
  return output;
}

export const handler = taskHandler(reconcile);
