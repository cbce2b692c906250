import { canonicalRecord, canonicalText, differingFields } from '../records/content-hash.js';
import { divRoundHalfUp, type Decimal } from '../shared/decimal.js';
import type { Entry, LedgerRecord, Movement, Rejection, Source } from '../records/records.js';
import type { UomTable } from '../records/uom.js';

/**
 * Grouping (CONTRACT §2): records de-duplicated by idempotency key, quantities converted into the
 * item's WMS unit, and gathered per (warehouseId, sku, documentRef).
 */
export interface GroupLine<R extends LedgerRecord> {
  record: R;
  /** The quantity in the item's comparison unit. */
  quantity: Decimal;
}

export interface Group {
  warehouseId: string;
  sku: string;
  documentRef: string;
  movements: GroupLine<Movement>[];
  entries: GroupLine<Entry>[];
  /** The next group with the same documentRef (another item or warehouse), if any. */
  next: Group | undefined;
}

/** Finance totals of an item over some of its lines, in the item's unit: a weighted average's terms. */
export interface Totals {
  quantity: Decimal;
  amount: Decimal;
}

/**
 * What a period reconciliation needs to know of an item beyond the groups in hand (CONTRACT §7):
 * its comparison unit and its finance totals per period. A caller that holds only some groups'
 * records (a close that reads the period's groups and the open items carried into it) passes the
 * figures it keeps, so the answer is the one all the item's records would give.
 */
export interface ItemFigures {
  unit: string;
  periods: ReadonlyMap<string, Totals>;
}

/** Per-item figures that span warehouses: why a partition keeps an item whole. */
export interface Item {
  unit: string;
  /** Every finance line of the item, in the item's unit. */
  entries: GroupLine<Entry>[];
  /** Sums over `entries`, made on first need (only groups priced at the average cost need them). */
  totals: Totals | undefined;
  /** Sums over `entries` per period, made on first need (the periodic average of CONTRACT §7). */
  periods: ReadonlyMap<string, Totals> | undefined;
}

export function itemTotals(item: Item): Totals {
  if (item.totals === undefined) {
    let quantity = 0n;
    let amount = 0n;
    for (const line of item.entries) {
      quantity += line.quantity;
      amount += line.record.amount;
    }
    item.totals = { quantity, amount };
  }
  return item.totals;
}

/** The item's finance totals per period of the posting, in `periodOf`'s calendar. */
export function periodTotals(
  lines: readonly GroupLine<Entry>[],
  periodOf: (at: number) => string,
): Map<string, Totals> {
  const periods = new Map<string, Totals>();
  for (const line of lines) {
    const period = periodOf(line.record.at);
    const totals = periods.get(period);
    if (totals === undefined) periods.set(period, { quantity: line.quantity, amount: line.record.amount });
    else {
      totals.quantity += line.quantity;
      totals.amount += line.record.amount;
    }
  }
  return periods;
}

/** The item's finance totals among its entries posted in `period`, computed on first need. */
export function itemPeriodTotals(
  item: Item,
  period: string,
  periodOf: (at: number) => string,
): Totals | undefined {
  item.periods ??= periodTotals(item.entries, periodOf);
  return item.periods.get(period);
}

export function emptyItem(unit = 'EA', figures?: ItemFigures): Item {
  return { unit, entries: [], totals: undefined, periods: figures?.periods };
}

/** The same idempotency key with other content: kept out of the sums and reported for review. */
export interface Conflict {
  source: Source;
  id: string;
  file: string;
  line: number;
  firstLine: number;
  reason: string;
}

export interface Grouped {
  /** In the order their first record arrived. */
  groups: Group[];
  items: Map<string, Item>;
  duplicates: Record<Source, number>;
  /** Records dated at or after the cut-off, left out (CONTRACT §7); none without one. */
  afterCutOff: Record<Source, number>;
  conflicts: Conflict[];
  rejected: Rejection[];
}

/** The stable identity of a group across runs, as shown in outputs (group-key.ts: `|` escaped). */
export { groupKey } from '../records/group-key.js';

/**
 * Records with the same idempotency key and the same content are one record (CONTRACT §2); the
 * same key with other content keeps the first and lists the other as a conflict.
 */
export function dedupe<R extends LedgerRecord>(
  records: readonly R[],
  duplicates: Record<Source, number>,
  conflicts: Conflict[],
): R[] {
  const byId = new Map<string, R>();
  const kept: R[] = [];
  for (const r of records) {
    const first = byId.get(r.id);
    if (first === undefined) {
      byId.set(r.id, r);
      kept.push(r);
    } else if (canonicalText(first) === canonicalText(r)) {
      duplicates[r.source]++;
    } else {
      conflicts.push({
        source: r.source,
        id: r.id,
        file: r.file,
        line: r.line,
        firstLine: first.line,
        reason: `${r.source === 'wms' ? 'eventId' : 'entryId'} ${r.id} repeats line ${first.line} with other content (${differingFields(canonicalRecord(first), canonicalRecord(r)).join(', ')}); the first is kept`,
      });
    }
  }
  return kept;
}

interface UnitCount {
  unit: string;
  count: number;
  /** Counts per unit, made only when an item's events use more than one unit. */
  others: Map<string, number> | undefined;
}

/**
 * The item's comparison unit (CONTRACT §1): the unit of its WMS events (the most frequent one if
 * they differ, ties to the first in code order), EA when it has none.
 */
function itemUnits(movements: readonly LedgerRecord[]): Map<string, string> {
  const counts = new Map<string, UnitCount>();
  for (const m of movements) {
    const c = counts.get(m.sku);
    if (c === undefined) counts.set(m.sku, { unit: m.uom, count: 1, others: undefined });
    else if (c.unit === m.uom && c.others === undefined) c.count++;
    else {
      c.others ??= new Map([[c.unit, c.count]]);
      c.others.set(m.uom, (c.others.get(m.uom) ?? 0) + 1);
    }
  }
  const units = new Map<string, string>();
  for (const [sku, c] of counts) {
    let best = c.unit;
    if (c.others !== undefined) {
      let bestCount = 0;
      for (const [unit, count] of c.others) {
        if (count > bestCount || (count === bestCount && unit < best)) {
          best = unit;
          bestCount = count;
        }
      }
    }
    units.set(sku, best);
  }
  return units;
}

export interface GroupOptions {
  /**
   * The cut-off (CONTRACT §7): records dated at or after it are left out, after de-duplication, so
   * the first of two records with one id wins whatever their dates, as it does when stored.
   */
  before?: number | undefined;
  /** Figures the caller keeps for items it may not hold every record of; they win for their items. */
  items?: ReadonlyMap<string, ItemFigures> | undefined;
  /**
   * An item without WMS events is compared in EA when every finance line of it converts to EA, else
   * in its finance lines' own unit (the most frequent), so a one-sided item is never rejected for a
   * conversion it does not need: the period reconciliation's reading (the period sample's truth
   * reports a KG-only finance item as MISSING_IN_WMS). A run without a period keeps the literal EA
   * of CONTRACT §1, byte for byte.
   */
  financeUnitWithoutEvents?: boolean | undefined;
}

function beforeCutOff<R extends LedgerRecord>(
  source: Source,
  records: R[],
  before: number | undefined,
  afterCutOff: Record<Source, number>,
): R[] {
  if (before === undefined) return records;
  const kept = records.filter((r) => r.at < before);
  afterCutOff[source] += records.length - kept.length;
  return kept;
}

export function groupRecords(
  movements: readonly Movement[],
  entries: readonly Entry[],
  uom: UomTable,
  options: GroupOptions = {},
): Grouped {
  const duplicates: Record<Source, number> = { wms: 0, finance: 0 };
  const afterCutOff: Record<Source, number> = { wms: 0, finance: 0 };
  const conflicts: Conflict[] = [];
  const rejected: Rejection[] = [];
  const keptMovements = beforeCutOff(
    'wms',
    dedupe(movements, duplicates, conflicts),
    options.before,
    afterCutOff,
  );
  const keptEntries = beforeCutOff(
    'finance',
    dedupe(entries, duplicates, conflicts),
    options.before,
    afterCutOff,
  );
  const known = options.items;
  const units = itemUnits(keptMovements);
  if (options.financeUnitWithoutEvents === true) {
    const toEa = new Map<string, boolean>();
    for (const e of keptEntries) {
      if (units.has(e.sku) || toEa.get(e.sku) === false) continue;
      toEa.set(e.sku, e.uom === 'EA' || uom.factor(e.sku, e.uom, 'EA') !== undefined);
    }
    const own = itemUnits(keptEntries.filter((e) => toEa.get(e.sku) === false));
    for (const [sku, unit] of own) units.set(sku, unit);
  }
  if (known !== undefined) for (const [sku, figures] of known) units.set(sku, figures.unit);
  const groups: Group[] = [];
  // Keyed by documentRef alone, with a chain for the rare document that spans items or
  // warehouses: no key string is built per record.
  const byDocument = new Map<string, Group>();
  const items = new Map<string, Item>();

  const groupOf = (r: LedgerRecord): Group => {
    const head = byDocument.get(r.documentRef);
    let group = head;
    while (group !== undefined && (group.sku !== r.sku || group.warehouseId !== r.warehouseId))
      group = group.next;
    if (group === undefined) {
      group = {
        warehouseId: r.warehouseId,
        sku: r.sku,
        documentRef: r.documentRef,
        movements: [],
        entries: [],
        next: head,
      };
      byDocument.set(r.documentRef, group);
      groups.push(group);
    }
    return group;
  };
  const convert = (r: LedgerRecord): Decimal | undefined => {
    const unit = units.get(r.sku) ?? 'EA';
    if (r.uom === unit) return r.quantity;
    const factor = uom.factor(r.sku, r.uom, unit);
    if (factor === undefined) {
      rejected.push({
        source: r.source,
        file: r.file,
        line: r.line,
        field: 'uom',
        reason: `unit ${r.uom} cannot be converted to ${unit} for ${r.sku}`,
        documentRef: r.documentRef,
      });
      return undefined;
    }
    return divRoundHalfUp(r.quantity * factor.num, factor.den);
  };

  for (const m of keptMovements) {
    const quantity = convert(m);
    if (quantity !== undefined) groupOf(m).movements.push({ record: m, quantity });
  }
  for (const e of keptEntries) {
    const quantity = convert(e);
    if (quantity === undefined) continue;
    const line = { record: e, quantity };
    groupOf(e).entries.push(line);
    let item = items.get(e.sku);
    if (item === undefined) {
      item = emptyItem(units.get(e.sku), known?.get(e.sku));
      items.set(e.sku, item);
    }
    item.entries.push(line);
  }
  for (const [sku, unit] of units) {
    if (!items.has(sku)) items.set(sku, emptyItem(unit, known?.get(sku)));
  }
  return { groups, items, duplicates, afterCutOff, conflicts, rejected };
}
