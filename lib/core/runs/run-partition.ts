import { formatDecimal, parseDecimal, type Decimal } from '../shared/decimal.js';
import type { Discrepancy } from '../reconcile/discrepancy.js';
import { groupRecords } from '../reconcile/group.js';
import { advance, type GroupStatus, type Transition } from './lifecycle.js';
import { reconcilePartition, type ReconcileContext } from '../reconcile/reconcile.js';
import type { PartitionRecords } from '../records/record-sink.js';
import type { Rejection } from '../records/records.js';
import type { RunScope, TallyJson } from './run-events.js';
import { countDiscrepancy, emptyTally, type Tally } from '../reconcile/summary.js';
import type { Assessment } from '../reconcile/classify.js';
import { addArrival, emptyClearingModel, type ClearingModel } from '../diagnosis/clearing-probability.js';
import { arrivalOf, diagnose, type DiagnosisModels } from '../diagnosis/diagnose.js';
import { applyLinks, type GroupLink } from '../diagnosis/group-links.js';
import { subjectOf, suggestMatches, withSuggestions } from '../diagnosis/suggest-matches.js';

/**
 * One partition of a run, pure: the partition function over its stored records, the run's scope
 * applied, and each group's lifecycle moved on from what earlier runs knew. The reconcile task is
 * this plus reading and writing.
 */
export interface PartitionRun {
  /** Discrepancies found (lifecycle NEW or PERSISTING) and groups resolved, by group key. */
  transitions: Transition[];
  /** How late the second side of each group came (or has been awaited): the partition's history. */
  arrivals: ClearingModel;
  tally: Tally;
  discrepancies: number;
  resolved: number;
  rejected: Rejection[];
  conflicts: { file: string; line: number; id: string; reason: string }[];
  /** What the partition cost (CONTRACT §7): records read, groups assessed. */
  work: WorkDone;
}

export interface WorkDone {
  recordsRead: number;
  groupsEvaluated: number;
}

/** Scope (CONTRACT §4): all stock, some warehouses, or a key-SKU list (重点SKU); both narrow. */
export function inScope(scope: RunScope | undefined, g: { warehouseId: string; sku: string }): boolean {
  if (scope?.warehouses !== undefined && !scope.warehouses.includes(g.warehouseId)) return false;
  if (scope?.skus !== undefined && !scope.skus.includes(g.sku)) return false;
  return true;
}

function money(text: string): Decimal {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(`a tally holds a bad amount: ${parsed.reason}`);
  return parsed.value;
}

/** What diagnosis brings to a partition's run (CONTRACT §11); each part is optional. */
export interface PartitionDiagnosis {
  /** Approved links: their groups reconcile as one. */
  links?: readonly GroupLink[] | undefined;
  /** Models learned from history: predicted causes and clearing probabilities where they answer. */
  models?: DiagnosisModels | undefined;
  /** Groups with a record that arrived after its period was locked: flagged `lateArrival` (CONTRACT §7). */
  lateGroups?: ReadonlySet<string> | undefined;
}

export function runPartition(
  records: PartitionRecords,
  before: ReadonlyMap<string, GroupStatus>,
  ctx: ReconcileContext & PartitionDiagnosis & { asOf: string; scope?: RunScope | undefined },
): PartitionRun {
  const { scope } = ctx;
  // An item is whole inside its partition, so a SKU scope may narrow the records themselves; a
  // warehouse scope may not (an item's unit and average cost span its warehouses).
  const skus = scope?.skus === undefined ? undefined : new Set(scope.skus);
  const links = ctx.links ?? [];
  const movements = applyLinks(
    skus === undefined ? records.movements : records.movements.filter((m) => skus.has(m.sku)),
    links,
  );
  const entries = applyLinks(
    skus === undefined ? records.entries : records.entries.filter((e) => skus.has(e.sku)),
    links,
  );
  const arrivals = emptyClearingModel();
  let groupsEvaluated = 0;
  const observe = (a: Assessment): void => {
    groupsEvaluated++;
    const o = arrivalOf(a, ctx.settings.asOf);
    if (o !== undefined) addArrival(arrivals, o);
  };
  const result = reconcilePartition(movements, entries, { ...ctx, observe });
  // Suggestions among this partition's groups: every warehouse of an item is here, so a mistyped
  // documentRef is found; a mistyped sku that hashes elsewhere is the CLI's to pair, not the run's.
  const suggestions = suggestMatches(
    result.discrepancies.flatMap((d) => subjectOf(d) ?? []),
    {
      settings: ctx.settings,
    },
  );
  const models = ctx.models ?? {};
  const late = ctx.lateGroups ?? new Set<string>();
  let found: Discrepancy[] = result.discrepancies.map((d) => {
    const diagnosed = diagnose(withSuggestions(d, suggestions), models, ctx.settings);
    return late.has(d.groupKey) ? { ...diagnosed, lateArrival: true } : diagnosed;
  });
  let tally = result.tally;
  if (scope?.warehouses !== undefined) {
    found = found.filter((d) => inScope(scope, d));
    tally = emptyTally();
    tally.groupsSeen = groupRecords(movements, entries, ctx.uom).groups.filter((g) =>
      inScope(scope, g),
    ).length;
    tally.groupsMatched = tally.groupsSeen - found.length;
    for (const d of found) countDiscrepancy(tally, d.kind, d.severity, money(d.moneyAtStake));
  }
  const transitions = advance(before, found, (d) => inScope(scope, d), ctx.asOf);
  return {
    transitions,
    arrivals,
    tally,
    discrepancies: found.length,
    resolved: transitions.length - found.length,
    rejected: [...records.rejected, ...result.rejected],
    conflicts: result.conflicts.map(({ file, line, id, reason }) => ({ file, line, id, reason })),
    work: { recordsRead: records.movements.length + records.entries.length, groupsEvaluated },
  };
}

export function tallyToJson(t: Tally): TallyJson {
  const text = <K extends string>(r: Record<K, Decimal>) =>
    Object.fromEntries(Object.entries<Decimal>(r).map(([k, v]) => [k, formatDecimal(v)])) as Record<
      K,
      string
    >;
  return {
    groupsSeen: t.groupsSeen,
    groupsMatched: t.groupsMatched,
    byKind: { ...t.byKind },
    bySeverity: { ...t.bySeverity },
    moneyBySeverity: text(t.moneyBySeverity),
    moneyByKind: text(t.moneyByKind),
  };
}

export function tallyFromJson(j: TallyJson): Tally {
  const exact = <K extends string>(r: Record<K, string>) =>
    Object.fromEntries(Object.entries<string>(r).map(([k, v]) => [k, money(v)])) as Record<K, Decimal>;
  return {
    groupsSeen: j.groupsSeen,
    groupsMatched: j.groupsMatched,
    byKind: { ...j.byKind },
    bySeverity: { ...j.bySeverity },
    moneyBySeverity: exact(j.moneyBySeverity),
    moneyByKind: exact(j.moneyByKind),
  };
}
