import { formatDecimal, parseDecimal, type Decimal } from '../shared/decimal.js';
import type { Discrepancy } from '../reconcile/discrepancy.js';
import { groupRecords } from '../reconcile/group.js';
import { advance, type GroupStatus, type Transition } from './lifecycle.js';
import { reconcilePartition, type ReconcileContext } from '../reconcile/reconcile.js';
import type { PartitionRecords } from '../records/record-sink.js';
import type { Rejection } from '../records/records.js';
import type { RunScope, TallyJson } from './run-events.js';
import { countDiscrepancy, emptyTally, type Tally } from '../reconcile/summary.js';

/**
 * One partition of a run, pure: the partition function over its stored records, the run's scope
 * applied, and each group's lifecycle moved on from what earlier runs knew. The reconcile task is
 * this plus reading and writing.
 */
export interface PartitionRun {
  /** Discrepancies found (lifecycle NEW or PERSISTING) and groups resolved, by group key. */
  transitions: Transition[];
  tally: Tally;
  discrepancies: number;
  resolved: number;
  rejected: Rejection[];
  conflicts: { file: string; line: number; id: string; reason: string }[];
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

export function runPartition(
  records: PartitionRecords,
  before: ReadonlyMap<string, GroupStatus>,
  ctx: ReconcileContext & { asOf: string; scope?: RunScope | undefined },
): PartitionRun {
  const { scope } = ctx;
  // An item is whole inside its partition, so a SKU scope may narrow the records themselves; a
  // warehouse scope may not (an item's unit and average cost span its warehouses).
  const skus = scope?.skus === undefined ? undefined : new Set(scope.skus);
  const movements = skus === undefined ? records.movements : records.movements.filter((m) => skus.has(m.sku));
  const entries = skus === undefined ? records.entries : records.entries.filter((e) => skus.has(e.sku));
  const result = reconcilePartition(movements, entries, ctx);
  let found: Discrepancy[] = result.discrepancies;
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
    tally,
    discrepancies: found.length,
    resolved: transitions.length - found.length,
    rejected: [...records.rejected, ...result.rejected],
    conflicts: result.conflicts.map(({ file, line, id, reason }) => ({ file, line, id, reason })),
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
