import { caseIdOf } from '../../core/cases/case-id.js';
import { reconcilePartition } from '../../core/reconcile/reconcile.js';
import type { Movement } from '../../core/records/records.js';
import type { RecordSource } from '../../core/records/record-sink.js';
import type { Settings } from '../../core/reconcile/settings.js';
import {
  groupStandings,
  voucherStatus,
  type GroupStanding,
  type VoucherStatus,
  type VoucherWithStatus,
} from '../../core/vouchers/voucher-status.js';
import { bookVouchers, type UnpricedMovement } from '../../core/vouchers/vouchers.js';
import type { WorkflowConfig } from '../../core/cases/workflow-config.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import type { RunTables } from '../../core/records/run-tables.js';

/**
 * GET /v1/vouchers as a use case (CONTRACT §9): the stored movements booked exactly as
 * `stocktally vouchers` books a file, each voucher's status from a reconciliation of the stored
 * records as they stand (the partition function every run executes, over every partition), and the
 * cases of the groups that disagree. Partitions are read a few at a time; only the movements of the
 * asked period are kept beside the group standings.
 */
export interface VoucherSources {
  records: RecordSource;
  partitions: number;
  tables: RunTables;
  config: WorkflowConfig;
  zone: ZoneClock;
  settings: Settings;
  /** The group keys, among those given, that have a case. */
  casesOf(groupKeys: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface VoucherQuery {
  period?: string | undefined;
  statuses?: readonly VoucherStatus[] | undefined;
  warehouseId?: string | undefined;
}

export interface VoucherAnswer {
  period: string | null;
  vouchers: VoucherWithStatus[];
  unpriced: UnpricedMovement[];
}

/** Partitions read at once: each is a Query of its own, and their records stay in memory together. */
const PARTITIONS_IN_FLIGHT = 4;

export async function vouchersOf(sources: VoucherSources, query: VoucherQuery): Promise<VoucherAnswer> {
  const { zone } = sources;
  const { period } = query;
  const movements: Movement[] = [];
  const standings = new Map<string, GroupStanding>();
  const partitions = Array.from({ length: sources.partitions }, (_, p) => p);
  const read = await mapInFlight(partitions, PARTITIONS_IN_FLIGHT, async (partition) => {
    const records = await sources.records.readPartition(partition);
    const { discrepancies } = reconcilePartition(records.movements, records.entries, {
      ...sources.tables,
      zone,
      settings: sources.settings,
    });
    const kept =
      period === undefined
        ? records.movements
        : records.movements.filter((m) => zone.periodOf(m.at) === period);
    return { kept, standings: groupStandings(records.movements, records.entries, discrepancies) };
  });
  // In partition order, so a conflicting retry keeps the same first version on every call.
  for (const share of read) {
    movements.push(...share.kept);
    for (const [key, standing] of share.standings) standings.set(key, standing);
  }
  const book = bookVouchers(movements, {
    config: sources.config,
    costs: sources.tables.costs,
    zone,
    period,
  });
  const inWarehouse = <T extends { warehouseId: string }>(items: T[]): T[] =>
    query.warehouseId === undefined ? items : items.filter((v) => v.warehouseId === query.warehouseId);
  const vouchers = inWarehouse(book.vouchers);
  // Statuses first, naming the disagreeing groups; then one look-up of which of those have a case.
  const provisional = vouchers
    .map((v) => voucherStatus(v, standings, (key) => key))
    .filter((v) => query.statuses === undefined || query.statuses.includes(v.status));
  const withCases = await sources.casesOf([...new Set(provisional.flatMap((v) => v.caseIds))]);
  const statused = provisional.map((v) => ({
    ...v,
    caseIds: v.caseIds.filter((key) => withCases.has(key)).map(caseIdOf),
  }));
  return { period: period ?? null, vouchers: statused, unpriced: inWarehouse(book.unpriced) };
}
