import { assess, type Assessment, type ClassifyContext } from './classify.js';
import type { CostTable } from '../records/costs.js';
import { formatDecimal, formatMoney } from '../shared/decimal.js';
import type { Discrepancy } from './discrepancy.js';
import { explain, impliedUnitCost } from './explain.js';
import { emptyItem, groupKey, groupRecords, type Conflict, type ItemFigures } from './group.js';
import { ageInDays, standingIn, type PeriodWindow } from '../shared/period.js';
import type { Entry, Movement, Rejection, Source } from '../records/records.js';
import { thresholdsFor, type Settings } from './settings.js';
import { severityOf } from './severity.js';
import { moneyAtStake } from './stake.js';
import { countDiscrepancy, emptyTally, type Tally } from './summary.js';
import type { UomTable } from '../records/uom.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import { explainZh } from './explain-zh.js';
import { accountShapeRejection } from './account-check.js';
import { toFunctional, type CurrencySettings, type OriginalAmount } from '../records/rates.js';
import { isOneSided } from '../diagnosis/suggest-matches.js';

/**
 * The partition function: the records of one hash bucket of SKUs in, its discrepancies and counts
 * out. Pure and self-contained, so the CLI's worker threads and the reconcile Lambda of a Step
 * Functions Map run exactly this, and partitions concatenate.
 */
export interface ReconcileContext extends ClassifyContext {
  uom: UomTable;
  costs: CostTable;
  zone: ZoneClock;
  settings: Settings;
  /**
   * The items' units and per-period finance totals, from a store that keeps them, for a caller
   * that passes only some groups' records (see period.ts); computed from the records without it.
   */
  items?: ReadonlyMap<string, ItemFigures> | undefined;
  /**
   * The functional currency and the rates (CONTRACT §10): every finance entry is converted before
   * anything is compared, or rejected; without it amounts are taken as they come.
   */
  currency?: CurrencySettings | undefined;
  /** Shown every group's assessment, agreeing or not: the history diagnosis learns from. */
  observe?: ((a: Assessment) => void) | undefined;
}

export interface PartitionResult {
  discrepancies: Discrepancy[];
  tally: Tally;
  records: Record<Source, number>;
  duplicates: Record<Source, number>;
  /** Records dated at or after the period's cut-off, not read (zero without a period). */
  afterCutOff: Record<Source, number>;
  conflicts: Conflict[];
  rejected: Rejection[];
  /** Groups counted whose amount difference the cost variance explained (--variance-compensates). */
  compensated: number;
}

/** Ids in time order (then by id), whatever order the rows arrived in. */
function inOrder(lines: readonly { record: { at: number; id: string } }[]): string[] {
  return lines
    .map((l) => l.record)
    .sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
    .map((r) => r.id);
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The group's first record: when its document started, the start of an open item's age. */
function earliest(a: Assessment): number | undefined {
  let first: number | undefined;
  for (const l of a.group.movements) if (first === undefined || l.record.at < first) first = l.record.at;
  for (const l of a.group.entries) if (first === undefined || l.record.at < first) first = l.record.at;
  return first;
}

/** A period reconciliation's word on an open item: where it comes from and how old it is. */
function periodFacts(
  a: Assessment,
  settings: Settings,
  period: PeriodWindow,
  zone: ZoneClock,
): { carriedFrom: string | null; ageDays: number } {
  const latest = a.latestRecord ?? settings.asOf;
  return {
    carriedFrom: latest < period.start ? zone.periodOf(latest) : null,
    ageDays: ageInDays(settings.asOf, earliest(a) ?? latest),
  };
}

/** What a conversion kept of the entries, by the converted entry. */
type Originals = ReadonlyMap<Entry, OriginalAmount>;

/** The finance lines' own currency and amount in it: one currency, else the codes and no amount. */
function currencyFacts(
  a: Assessment,
  originals: Originals,
  functional: string,
): { currency: string | null; originalAmount: string | null } {
  if (a.group.entries.length === 0) return { currency: null, originalAmount: null };
  const currencies = new Set<string>();
  let amount = 0n;
  for (const { record } of a.group.entries) {
    const original = originals.get(record);
    currencies.add(original?.currency ?? functional);
    amount += original?.amount ?? record.amount;
  }
  const codes = [...currencies].sort();
  return codes.length === 1
    ? { currency: codes[0] ?? functional, originalAmount: formatDecimal(amount, 2) }
    : { currency: codes.join(','), originalAmount: null };
}

/** What a run adds beyond CONTRACT §2, each only with its flag. */
export interface DiscrepancyContext {
  period?: { window: PeriodWindow; zone: ZoneClock } | undefined;
  currency?: { functional: string; originals: Originals } | undefined;
  accounts?: boolean | undefined;
}

export function toDiscrepancy(
  a: Assessment,
  settings: Settings,
  extras: DiscrepancyContext = {},
): Discrepancy {
  const { period } = extras;
  const kind = a.kind ?? 'TIMING_LAG';
  const { money, base } = moneyAtStake(a);
  const implied = impliedUnitCost(a);
  const open = period === undefined ? undefined : periodFacts(a, settings, period.window, period.zone);
  let explanation = explain(a, settings);
  let explanationZh = explainZh(a, settings);
  if (open?.carriedFrom != null) {
    explanation += `; open item carried forward from ${open.carriedFrom}, ${open.ageDays} days old`;
    explanationZh += `;自 ${open.carriedFrom} 结转的未清项,已 ${open.ageDays} 天`;
  }
  const d: Discrepancy = {
    groupKey: groupKey(a.group),
    kind,
    severity: severityOf(kind, money, base, thresholdsFor(settings, a.group.warehouseId)),
    warehouseId: a.group.warehouseId,
    sku: a.group.sku,
    documentRef: a.group.documentRef,
    uom: a.item.unit,
    wmsQuantity: formatDecimal(a.wmsQuantity),
    financeQuantity: formatDecimal(a.financeQuantity),
    quantityDelta: formatDecimal(a.financeQuantity - a.wmsQuantity),
    unitCost: a.unitCost === undefined ? null : formatDecimal(a.unitCost),
    unitCostSource: a.unitCostSource ?? null,
    financeUnitCost: implied === undefined ? null : formatDecimal(implied),
    expectedAmount: a.expectedAmount === undefined ? null : formatMoney(a.expectedAmount),
    financeAmount: formatMoney(a.financeAmount),
    // Only when currencies are converted: without the flags the output stays as it was.
    ...(extras.currency === undefined
      ? {}
      : currencyFacts(a, extras.currency.originals, extras.currency.functional)),
    amountDelta: a.expectedAmount === undefined ? null : formatMoney(a.financeAmount - a.expectedAmount),
    moneyAtStake: formatMoney(money),
    wmsTypes: a.wmsTypes,
    financeTypes: a.financeTypes,
    latestEventAt: iso(a.latestEvent),
    latestPostingAt: iso(a.latestPosting),
    wmsPeriod: a.wmsPeriod ?? null,
    financePeriod: a.financePeriod ?? null,
    // Only a period reconciliation has these: without --period the output stays as it was.
    ...(open === undefined ? {} : open),
    wmsEventIds: inOrder(a.group.movements),
    financeEntryIds: inOrder(a.group.entries),
    duplicateEntryIds: a.duplicates.map((e) => e.id),
    ...(extras.accounts === true ? { misbookedEntryIds: a.misbooked.map((e) => e.id) } : {}),
    explanation,
    explanationZh,
    rejectedRows: [],
  };
  // Filled once every partition is in (suggest-matches.ts): a match may sit in another partition.
  if (isOneSided(d)) d.suggestedMatches = [];
  return d;
}

/**
 * The entries in the functional currency (CONTRACT §10), with what each conversion kept; a row that
 * cannot be converted, or whose account is not shaped like one when accounts are checked, is
 * rejected. An entry dated after a period's cut-off is left as it is: it is not read at all.
 */
function usableEntries(
  entries: readonly Entry[],
  ctx: ReconcileContext,
): { entries: readonly Entry[]; originals: Map<Entry, OriginalAmount>; rejected: Rejection[] } {
  const originals = new Map<Entry, OriginalAmount>();
  const { currency, accounts } = ctx;
  if (currency === undefined && accounts === undefined) return { entries, originals, rejected: [] };
  const kept: Entry[] = [];
  const rejected: Rejection[] = [];
  const cutOff = ctx.period?.end;
  for (const e of entries) {
    if (cutOff !== undefined && e.at >= cutOff) {
      kept.push(e);
      continue;
    }
    const misshapen = accounts === undefined ? undefined : accountShapeRejection(e);
    if (misshapen !== undefined) {
      rejected.push(misshapen);
      continue;
    }
    if (currency === undefined) {
      kept.push(e);
      continue;
    }
    const converted = toFunctional(e, currency, ctx.zone);
    if (!converted.ok) {
      rejected.push(converted.rejection);
      continue;
    }
    kept.push(converted.entry);
    if (converted.original !== undefined) originals.set(converted.entry, converted.original);
  }
  return { entries: kept, originals, rejected };
}

export function reconcilePartition(
  movements: readonly Movement[],
  input: readonly Entry[],
  ctx: ReconcileContext,
): PartitionResult {
  const window = ctx.period;
  const usable = usableEntries(input, ctx);
  const entries = usable.entries;
  const grouped = groupRecords(movements, entries, ctx.uom, {
    before: window?.end,
    items: ctx.items,
    financeUnitWithoutEvents: window !== undefined,
  });
  const tally = emptyTally();
  let compensated = 0;
  const discrepancies: Discrepancy[] = [];
  const extras: DiscrepancyContext = {
    period: window === undefined ? undefined : { window, zone: ctx.zone },
    currency:
      ctx.currency?.shown === true
        ? { functional: ctx.currency.currency, originals: usable.originals }
        : undefined,
    accounts: ctx.accounts !== undefined,
  };
  for (const group of grouped.groups) {
    const item = grouped.items.get(group.sku) ?? emptyItem();
    const a = assess(group, item, ctx);
    ctx.observe?.(a);
    // A period reconciliation leaves out the earlier groups that are settled (CONTRACT §7).
    if (
      window !== undefined &&
      standingIn(window, a.latestRecord ?? ctx.settings.asOf, a.kind, a.lagReason === 'cut-off') === 'cleared'
    )
      continue;
    tally.groupsSeen++;
    if (a.compensatedBy !== undefined) compensated++;
    if (a.kind === undefined) {
      tally.groupsMatched++;
      continue;
    }
    const d = toDiscrepancy(a, ctx.settings, extras);
    countDiscrepancy(tally, d.kind, d.severity, moneyAtStake(a).money);
    discrepancies.push(d);
  }
  // Sorted by group so the output never depends on the order rows arrived in.
  discrepancies.sort((x, y) => (x.groupKey < y.groupKey ? -1 : x.groupKey > y.groupKey ? 1 : 0));
  return {
    discrepancies,
    tally,
    records: { wms: movements.length, finance: entries.length },
    duplicates: grouped.duplicates,
    afterCutOff: grouped.afterCutOff,
    conflicts: grouped.conflicts,
    rejected: [...usable.rejected, ...grouped.rejected],
    compensated,
  };
}
