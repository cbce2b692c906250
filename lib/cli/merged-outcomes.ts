import type { Conflict } from '../core/reconcile/group.js';
import { emptyTally, mergeTally, type Tally } from '../core/reconcile/summary.js';
import type { Rejection, Source } from '../core/records/records.js';
import type { CostVarianceBook } from '../core/vouchers/cost-variance.js';
import type { PartitionOutcome } from './partition-job.js';

/** Every partition's figures added up, in partition order: what summary.json counts. */
export interface MergedOutcomes {
  tally: Tally;
  compensated: number;
  variance: CostVarianceBook;
  /** Sorted by file and line. */
  conflicts: Conflict[];
  rejected: Rejection[];
  routed: Record<Source, number>;
  afterCutOff: Record<Source, number>;
  counts: Record<Source, { accepted: number; duplicates: number; conflicts: number }>;
}

const byLine = (a: { file: string; line: number }, b: { file: string; line: number }) =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;

/**
 * The partitions' outcomes merged; `rejected` (the tables' and the splitter's rejections) gains the
 * partitions' and is sorted with them by file and line.
 */
export function mergeOutcomes(
  outcomes: readonly (PartitionOutcome | undefined)[],
  rejected: Rejection[],
): MergedOutcomes {
  const merged: MergedOutcomes = {
    tally: emptyTally(),
    compensated: 0,
    variance: { items: [], unvalued: [] },
    conflicts: [],
    rejected,
    routed: { wms: 0, finance: 0 },
    afterCutOff: { wms: 0, finance: 0 },
    counts: {
      wms: { accepted: 0, duplicates: 0, conflicts: 0 },
      finance: { accepted: 0, duplicates: 0, conflicts: 0 },
    },
  };
  const { counts, routed, afterCutOff } = merged;
  for (const outcome of outcomes) {
    if (outcome === undefined) continue;
    mergeTally(merged.tally, outcome.tally);
    merged.compensated += outcome.compensated;
    if (outcome.costVariance !== undefined) {
      merged.variance.items.push(...outcome.costVariance.items);
      merged.variance.unvalued.push(...outcome.costVariance.unvalued);
    }
    rejected.push(...outcome.rejected);
    merged.conflicts.push(...outcome.conflicts);
    for (const source of ['wms', 'finance'] as const) {
      routed[source] += outcome.rows[source];
      counts[source].accepted += outcome.records[source] - outcome.duplicates[source];
      counts[source].duplicates += outcome.duplicates[source];
      afterCutOff[source] += outcome.afterCutOff[source];
    }
  }
  for (const c of merged.conflicts) counts[c.source].conflicts++;
  rejected.sort(byLine);
  merged.conflicts.sort(byLine);
  return merged;
}
