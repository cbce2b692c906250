import type { Rejection } from '../records/records.js';
import type { HeatMapJson } from './run-heat-map.js';
import type {
  PartitionFailure,
  ReconcilePartitionOutput,
  RunRecord,
  RunRejection,
  RunStatus,
  RunSummary,
} from './run-events.js';
import { tallyFromJson } from './run-partition.js';
import { emptyTally, mergeTally, summaryFigures } from '../reconcile/summary.js';

/**
 * What a reconcile task keeps beside its answer for the summary: the rows it found unusable, the
 * conflicts, the groups it resolved and where its time went. Rows are capped per partition so the
 * record stays inside one DynamoDB item; the counts stay exact.
 */
export interface PartitionReport {
  partition: number;
  resolved: number;
  rejected: RunRejection[];
  conflicts: { file: string; line: number; id: string; reason: string }[];
  phasesMs: { read: number; reconcile: number; write: number };
  /** The dashboard's aggregates of what the partition found (absent in reports written before them). */
  heat?: HeatMapJson;
}

export const MAX_REPORTED_ROWS = 1000;

export function toRunRejection(r: Rejection): RunRejection {
  return { file: r.file, line: r.line, field: r.field ?? null, reason: r.reason, source: r.source };
}

/** SUCCEEDED, PARTIAL when some partitions failed, FAILED when none succeeded. */
export function runStatus(results: readonly unknown[], failures: readonly PartitionFailure[]): RunStatus {
  if (failures.length === 0) return 'SUCCEEDED';
  return results.length === 0 ? 'FAILED' : 'PARTIAL';
}

const byLine = (a: { file: string; line: number }, b: { file: string; line: number }) =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;

export function summarizeResults(
  run: { asOf: string; timezone: string; lagHours: number },
  results: readonly ReconcilePartitionOutput[],
  reports: readonly PartitionReport[],
): RunSummary {
  const tally = emptyTally();
  for (const r of results) mergeTally(tally, tallyFromJson(r.tally));
  return {
    asOf: run.asOf,
    timezone: run.timezone,
    lagHours: run.lagHours,
    ...summaryFigures(tally),
    rejected: reports.flatMap((r) => r.rejected).sort(byLine),
    conflicts: reports.flatMap((r) => r.conflicts).sort(byLine),
    resolved: reports.reduce((n, r) => n + r.resolved, 0),
  };
}

/** The run record closed by its summary: status, failures named in order, and where the time went. */
export function closeRun(
  run: RunRecord,
  outcome: {
    results: readonly ReconcilePartitionOutput[];
    failures: readonly PartitionFailure[];
    reports: readonly PartitionReport[];
    summary: RunSummary;
  },
  summarizeMs: number,
  finishedAt: Date,
): RunRecord {
  const { results, failures, reports } = outcome;
  const sum = (pick: (phases: PartitionReport['phasesMs']) => number) =>
    reports.reduce((n, r) => n + pick(r.phasesMs), 0);
  return {
    ...run,
    status: runStatus(results, failures),
    summary: outcome.summary,
    failures: [...failures].sort((a, b) => a.partition - b.partition),
    finishedAt: finishedAt.toISOString(),
    timings: {
      ...run.timings,
      totalMs: finishedAt.getTime() - Date.parse(run.startedAt),
      partitionsMs: results.reduce((n, r) => n + r.durationMs, 0),
      readMs: sum((p) => p.read),
      reconcileMs: sum((p) => p.reconcile),
      writeMs: sum((p) => p.write),
      summarizeMs: Math.round(summarizeMs),
    },
  };
}
