import type { CostTable } from '../records/costs.js';
import { divide, mulDivRound, mulRound, type Decimal } from '../shared/decimal.js';
import type { Kind, UnitCostSource } from './discrepancy.js';
import { itemPeriodTotals, itemTotals, type Group, type GroupLine, type Item, type Totals } from './group.js';
import type { MovementType } from '../records/movement-type.js';
import type { PeriodWindow } from '../shared/period.js';
import { isMisbooked } from './account-check.js';
import type { Entry } from '../records/records.js';
import { accountsFor, type WorkflowConfig } from '../cases/workflow-config.js';
import { lagMs, type Settings } from './settings.js';
import { withinTolerance } from './tolerance.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/** Everything known about one group after matching: the figures, and the kind when it disagrees. */
export interface Assessment {
  group: Group;
  item: Item;
  kind: Kind | undefined;
  /** Why a TIMING_LAG: one side still inside the lag window, or a cut-off across periods. */
  lagReason: 'one-sided' | 'cut-off' | undefined;
  wmsQuantity: Decimal;
  financeQuantity: Decimal;
  financeAmount: Decimal;
  unitCost: Decimal | undefined;
  unitCostSource: UnitCostSource | undefined;
  expectedAmount: Decimal | undefined;
  latestEvent: number | undefined;
  latestPosting: number | undefined;
  /** The latest record of either side: dates the group in a period (CONTRACT §7). */
  latestRecord: number | undefined;
  /** The period whose weighted average priced the group (a period reconciliation's average only). */
  costPeriod: string | undefined;
  wmsPeriod: string | undefined;
  financePeriod: string | undefined;
  wmsTypes: MovementType[];
  financeTypes: MovementType[];
  /** The finance lines whose dropping makes the group agree (DUPLICATE_POSTING). */
  duplicates: Entry[];
  /** The finance lines booked to an account the mapping does not allow (ACCOUNT_MISMATCH). */
  misbooked: Entry[];
  /** The accounts the mapping allows those lines (`1403 原材料`, its debit then its credit). */
  allowedAccounts: string[];
}

export interface ClassifyContext {
  settings: Settings;
  costs: CostTable;
  zone: ZoneClock;
  /** Reconciling the books at the end of this period (CONTRACT §7); the whole run without it. */
  period?: PeriodWindow | undefined;
  /** The workflow configuration's account mapping (CONTRACT §10); accounts are not checked without it. */
  accounts?: WorkflowConfig | undefined;
}

/** Duplicate search is exhaustive up to this many drop combinations, more than any real group. */
const MAX_DROP_COMBINATIONS = 4096;

function latest(lines: readonly { record: { at: number } }[]): number | undefined {
  let best: number | undefined;
  for (const l of lines) if (best === undefined || l.record.at > best) best = l.record.at;
  return best;
}

function typesOf(lines: readonly { record: { type: MovementType } }[]): MovementType[] {
  return [...new Set(lines.map((l) => l.record.type))].sort();
}

function sameTypes(a: readonly MovementType[], b: readonly MovementType[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

interface ExpectedCost {
  cost: Decimal;
  source: UnitCostSource;
  average?: Totals;
  /** The period of the average, in a period reconciliation. */
  period?: string;
}

/**
 * The expected unit cost (CONTRACT §2): the standard cost in effect at the group's latest event,
 * else the WMS unit cost (of the latest event that carries one), else the item's weighted average
 * finance unit cost: over the whole run, or in a period reconciliation (CONTRACT §7) the periodic
 * weighted average (月末一次加权平均) over the item's entries posted in the period of the group's
 * latest record.
 */
function expectedCost(
  group: Group,
  item: Item,
  at: number,
  latestRecord: number,
  ctx: ClassifyContext,
): ExpectedCost | undefined {
  const standard = ctx.costs.costAt(group.warehouseId, group.sku, at);
  if (standard !== undefined) return { cost: standard, source: 'standard' };
  // The latest event that carries a cost; on a tie the greater id, so row order never matters.
  let wms: { at: number; id: string; cost: Decimal } | undefined;
  for (const { record } of group.movements) {
    if (
      record.unitCost !== undefined &&
      (wms === undefined || record.at > wms.at || (record.at === wms.at && record.id > wms.id))
    ) {
      wms = { at: record.at, id: record.id, cost: record.unitCost };
    }
  }
  if (wms !== undefined) return { cost: wms.cost, source: 'wms' };
  if (ctx.period !== undefined) {
    const zone = ctx.zone;
    const period = zone.periodOf(latestRecord);
    const totals = itemPeriodTotals(item, period, (ms) => zone.periodOf(ms));
    const average = totals === undefined ? undefined : divide(totals.amount, totals.quantity);
    if (totals === undefined || average === undefined) return undefined;
    return { cost: average, source: 'average', average: totals, period };
  }
  const totals = itemTotals(item);
  const average = divide(totals.amount, totals.quantity);
  if (average === undefined) return undefined;
  return { cost: average, source: 'average', average: totals };
}

function sum(lines: readonly { quantity: Decimal }[]): Decimal {
  // Most groups hold one line a side: no addition, no new bigint.
  let total = lines[0]?.quantity ?? 0n;
  for (let i = 1; i < lines.length; i++) total += lines[i]?.quantity ?? 0n;
  return total;
}

/**
 * Which repeated finance lines (same type, quantity and amount, different entryIds) can be dropped,
 * at least one and never all of a kind, so the group agrees. Fewest drops first; the later lines
 * are the ones named as duplicates.
 */
function findDuplicates(
  entries: readonly GroupLine<Entry>[],
  agrees: (quantity: Decimal, amount: Decimal) => boolean,
  quantity: Decimal,
  amount: Decimal,
): Entry[] {
  const bySignature = new Map<string, GroupLine<Entry>[]>();
  for (const line of entries) {
    const signature = `${line.record.type}\u0000${line.quantity}\u0000${line.record.amount}`;
    const list = bySignature.get(signature);
    if (list === undefined) bySignature.set(signature, [line]);
    else list.push(line);
  }
  const repeated = [...bySignature.values()].filter((l) => l.length >= 2);
  if (repeated.length === 0) return [];
  for (const list of repeated)
    list.sort(
      (a, b) =>
        a.record.at - b.record.at || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0),
    );
  let best: number[] | undefined;
  let bestDrops = Infinity;
  const drops = repeated.map(() => 0);
  let tried = 0;
  const visit = (index: number, q: Decimal, a: Decimal, dropped: number): void => {
    if (tried >= MAX_DROP_COMBINATIONS || dropped >= bestDrops) return;
    if (index === repeated.length) {
      tried++;
      if (dropped > 0 && agrees(q, a)) {
        best = [...drops];
        bestDrops = dropped;
      }
      return;
    }
    const list = repeated[index] ?? [];
    const first = list[0];
    if (first === undefined) return;
    for (let k = 0; k < list.length; k++) {
      drops[index] = k;
      visit(index + 1, q - first.quantity * BigInt(k), a - first.record.amount * BigInt(k), dropped + k);
    }
    drops[index] = 0;
  };
  visit(0, quantity, amount, 0);
  if (best === undefined) return [];
  const chosen = best;
  return repeated.flatMap((list, i) => list.slice(list.length - (chosen[i] ?? 0)).map((l) => l.record));
}

/** Whether both sides carry the same set of movement types; no allocation when each side has one. */
function typesAgree(group: Group): boolean {
  const first = group.movements[0]?.record.type;
  let single = true;
  for (const l of group.movements) if (l.record.type !== first) single = false;
  for (const l of group.entries) if (l.record.type !== first) single = false;
  return single || sameTypes(typesOf(group.movements), typesOf(group.entries));
}

export function assess(group: Group, item: Item, ctx: ClassifyContext): Assessment {
  const a = judge(group, item, ctx);
  // Type lists are only shown for discrepancies: built here, not for the groups that agree.
  if (a.kind !== undefined) {
    a.wmsTypes = typesOf(group.movements);
    a.financeTypes = typesOf(group.entries);
  }
  return a;
}

function judge(group: Group, item: Item, ctx: ClassifyContext): Assessment {
  const { settings, zone } = ctx;
  const wmsQuantity = sum(group.movements);
  const financeQuantity = sum(group.entries);
  let financeAmount = group.entries[0]?.record.amount ?? 0n;
  for (let i = 1; i < group.entries.length; i++) financeAmount += group.entries[i]?.record.amount ?? 0n;
  const latestEvent = latest(group.movements);
  const latestPosting = latest(group.entries);
  const at = latestEvent ?? latestPosting ?? settings.asOf;
  const latestRecord =
    latestEvent === undefined || (latestPosting !== undefined && latestPosting > latestEvent)
      ? latestPosting
      : latestEvent;
  const cost = expectedCost(group, item, at, latestRecord ?? at, ctx);
  const expectedAmount =
    cost === undefined
      ? undefined
      : cost.average !== undefined
        ? mulDivRound(wmsQuantity, cost.average.amount, cost.average.quantity, 2)
        : mulRound(wmsQuantity, cost.cost, 2);
  const assessment: Assessment = {
    group,
    item,
    kind: undefined,
    lagReason: undefined,
    wmsQuantity,
    financeQuantity,
    financeAmount,
    unitCost: cost?.cost,
    unitCostSource: cost?.source,
    expectedAmount,
    latestEvent,
    latestPosting,
    latestRecord,
    costPeriod: cost?.period,
    wmsPeriod: latestEvent === undefined ? undefined : zone.periodOf(latestEvent),
    financePeriod: latestPosting === undefined ? undefined : zone.periodOf(latestPosting),
    wmsTypes: [],
    financeTypes: [],
    duplicates: [],
    misbooked: [],
    allowedAccounts: [],
  };

  // A movement and its reversal (on either or both sides) leave nothing to reconcile.
  if (wmsQuantity === 0n && financeQuantity === 0n && financeAmount === 0n) return assessment;

  const hasWms = group.movements.length > 0;
  const hasFinance = group.entries.length > 0;
  if (!hasWms || !hasFinance) {
    const age = settings.asOf - at;
    if (age > lagMs(settings)) assessment.kind = hasWms ? 'MISSING_IN_FINANCE' : 'MISSING_IN_WMS';
    else {
      assessment.kind = 'TIMING_LAG';
      assessment.lagReason = 'one-sided';
    }
    return assessment;
  }

  if (!typesAgree(group)) {
    assessment.kind = 'TYPE_MISMATCH';
    return assessment;
  }
  // Right after the type (CONTRACT §10): a line booked to an account its type may not book.
  const accounts = ctx.accounts;
  if (accounts !== undefined) {
    const misbooked = group.entries.filter((l) => isMisbooked(l.record, accounts)).map((l) => l.record);
    if (misbooked.length > 0) {
      assessment.kind = 'ACCOUNT_MISMATCH';
      assessment.misbooked = misbooked;
      const type = misbooked[0]?.type ?? group.entries[0]?.record.type ?? 'RECEIPT';
      const pair = accountsFor(accounts, group.warehouseId, type);
      assessment.allowedAccounts = [pair.debit, pair.credit];
      return assessment;
    }
  }
  const agrees = (quantity: Decimal, amount: Decimal): boolean =>
    quantity === wmsQuantity &&
    (expectedAmount === undefined || withinTolerance(amount - expectedAmount, expectedAmount, settings));
  if (!agrees(financeQuantity, financeAmount)) {
    const duplicates = findDuplicates(group.entries, agrees, financeQuantity, financeAmount);
    if (duplicates.length > 0) {
      assessment.kind = 'DUPLICATE_POSTING';
      assessment.duplicates = duplicates;
    } else assessment.kind = financeQuantity !== wmsQuantity ? 'QUANTITY_MISMATCH' : 'AMOUNT_MISMATCH';
    return assessment;
  }
  if (assessment.wmsPeriod !== assessment.financePeriod) {
    assessment.kind = 'TIMING_LAG';
    assessment.lagReason = 'cut-off';
  }
  return assessment;
}
