import { createHash } from 'node:crypto';
import type { CostTable } from '../records/costs.js';
import { divide, formatDecimal, formatMoney, mulDivRound, type Decimal } from '../shared/decimal.js';
import { groupRecords, itemPeriodTotals, type Item, type Totals } from '../reconcile/group.js';
import type { MovementType } from '../records/movement-type.js';
import type { PeriodWindow } from '../shared/period.js';
import type { Entry, Movement } from '../records/records.js';
import type { Settings } from '../reconcile/settings.js';
import { withinTolerance } from '../reconcile/tolerance.js';
import type { UomTable } from '../records/uom.js';
import { localDate, toCents } from './vouchers.js';
import { accountsFor, splitAccount, type WorkflowConfig } from '../cases/workflow-config.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/**
 * The cost variance (材料成本差异): where the WMS values movements at standard cost and finance at
 * the periodic weighted average (月末一次加权平均), their lines differ systematically. Per item and
 * period:
 *
 *   standard = Σ over the item's WMS movements dated in the period that have a standard cost in
 *              effect at their occurredAt, of quantity × that standard cost (rounded to cents per
 *              warehouse and type, as a voucher line is)
 *   actual   = the same quantities × the item's periodic weighted average finance unit cost (its
 *              finance amounts over its quantities, among its entries posted in the period),
 *              rounded half-up to cents per warehouse and type
 *   variance = actual − standard: positive is an overspend (超支), negative a saving (节约)
 *
 * Its proposed entry follows the planned-cost method: the stock account stays at standard and the
 * variance account (`accounts.costVariance`, default 1404 材料成本差异) takes the difference. For a
 * type that adds stock the variance account replaces the debit of the type's mapping (a receipt's
 * overspend: 借 1404 / 贷 2202); for a type that removes stock it replaces the credit (a shipment's:
 * 借 6401 / 贷 1404). A negative variance books the same accounts on opposite sides.
 */
export const DEFAULT_COST_VARIANCE_ACCOUNT = '1404 材料成本差异';

/** Types whose positive quantity adds stock (CONTRACT §1); ADJUSTMENT's sign is its effect. */
const ADDS_STOCK: ReadonlySet<MovementType> = new Set<MovementType>([
  'RECEIPT',
  'TRANSFER_IN',
  'ADJUSTMENT',
  'CUSTOMER_RETURN',
]);

export function costVarianceAccount(config: WorkflowConfig): string {
  return config.accounts.costVariance ?? DEFAULT_COST_VARIANCE_ACCOUNT;
}

/** The item's figures of one warehouse and type in the period. */
export interface CostVarianceSlice {
  warehouseId: string;
  type: MovementType;
  /** Net quantity in the item's unit. */
  quantity: string;
  standardAmount: string;
  actualAmount: string;
  variance: string;
}

export interface CostVarianceEntryLine {
  warehouseId: string;
  type: MovementType;
  account: string;
  accountName: string;
  debit: string;
  credit: string;
}

export interface CostVariance {
  sku: string;
  period: string;
  /** The item's comparison unit (CONTRACT §1): quantities and the average cost are per this unit. */
  uom: string;
  quantity: string;
  standardAmount: string;
  /** The periodic weighted average finance unit cost, 6 places. */
  averageUnitCost: string;
  /** The average's terms: the item's finance quantity and amount posted in the period. */
  financeQuantity: string;
  financeAmount: string;
  actualAmount: string;
  variance: string;
  /** `over` (超支, actual above standard), `under` (节约) or `none`. */
  direction: 'over' | 'under' | 'none';
  /** The movements valued, in time order (then by id). */
  eventIds: string[];
  slices: CostVarianceSlice[];
  /** The proposed entry: empty when the variance is zero. */
  entry: { voucherId: string; date: string; lines: CostVarianceEntryLine[] };
}

/** An item with movements at standard in the period but no actual cost to compare with. */
export interface UnvaluedItem {
  sku: string;
  period: string;
  reason: string;
  eventIds: string[];
}

export interface CostVarianceBook {
  items: CostVariance[];
  unvalued: UnvaluedItem[];
}

export interface CostVarianceOptions {
  uom: UomTable;
  costs: CostTable;
  zone: ZoneClock;
  window: PeriodWindow;
  config: WorkflowConfig;
}

interface Slice {
  warehouseId: string;
  type: MovementType;
  quantity: Decimal;
  /** Σ quantity × standard cost, exact at 12 places. */
  products: bigint;
}

interface Valued {
  slices: Map<string, Slice>;
  movements: Movement[];
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `CV-202610-<16 hex>`: stable per item and period, like a movement voucher's id. */
export function costVarianceIdOf(sku: string, period: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(['cost-variance', sku, period]), 'utf8')
    .digest('hex')
    .slice(0, 16);
  return `CV-${period.replace('-', '')}-${digest}`;
}

/** The periodic weighted average's terms, or undefined when the item has no finance quantity in the period. */
function periodAverage(item: Item | undefined, period: string, zone: ZoneClock): Totals | undefined {
  if (item === undefined) return undefined;
  const totals = itemPeriodTotals(item, period, (ms) => zone.periodOf(ms));
  return totals === undefined || totals.quantity === 0n ? undefined : totals;
}

function entryLines(
  slice: Slice,
  variance: Decimal,
  config: WorkflowConfig,
  varianceAccount: string,
): CostVarianceEntryLine[] {
  if (variance === 0n) return [];
  const pair = accountsFor(config, slice.warehouseId, slice.type);
  const [debitText, creditText] = ADDS_STOCK.has(slice.type)
    ? [varianceAccount, pair.credit]
    : [pair.debit, varianceAccount];
  const [debitAccount, creditAccount] = variance > 0n ? [debitText, creditText] : [creditText, debitText];
  const money = formatMoney(variance < 0n ? -variance : variance);
  const debit = splitAccount(debitAccount);
  const credit = splitAccount(creditAccount);
  const base = { warehouseId: slice.warehouseId, type: slice.type };
  return [
    { ...base, account: debit.code, accountName: debit.name, debit: money, credit: '0.00' },
    { ...base, account: credit.code, accountName: credit.name, debit: '0.00', credit: money },
  ];
}

function inOrder(movements: readonly Movement[]): string[] {
  return [...movements].sort((x, y) => x.at - y.at || byCode(x.id, y.id)).map((m) => m.id);
}

/**
 * The cost variance of every item with movements at standard in the period. Records are read as a
 * period reconciliation reads them: de-duplicated, dated before the cut-off, quantities in the
 * item's unit; a row whose unit cannot be converted is left out here (the reconciliation rejects it).
 */
export function costVariances(
  movements: readonly Movement[],
  entries: readonly Entry[],
  options: CostVarianceOptions,
): CostVarianceBook {
  const { window, zone, costs, config } = options;
  const grouped = groupRecords(movements, entries, options.uom, {
    before: window.end,
    financeUnitWithoutEvents: true,
  });
  const valued = new Map<string, Valued>();
  for (const group of grouped.groups) {
    for (const { record: m, quantity } of group.movements) {
      if (m.at < window.start) continue;
      const standard = costs.costAt(m.warehouseId, m.sku, m.at);
      if (standard === undefined) continue;
      let item = valued.get(m.sku);
      if (item === undefined) valued.set(m.sku, (item = { slices: new Map(), movements: [] }));
      item.movements.push(m);
      const key = JSON.stringify([m.warehouseId, m.type]);
      const slice = item.slices.get(key);
      if (slice === undefined)
        item.slices.set(key, {
          warehouseId: m.warehouseId,
          type: m.type,
          quantity,
          products: quantity * standard,
        });
      else {
        slice.quantity += quantity;
        slice.products += quantity * standard;
      }
    }
  }
  const varianceAccount = costVarianceAccount(config);
  const items: CostVariance[] = [];
  const unvalued: UnvaluedItem[] = [];
  for (const [sku, item] of [...valued].sort(([a], [b]) => byCode(a, b))) {
    const totals = periodAverage(grouped.items.get(sku), window.period, zone);
    const eventIds = inOrder(item.movements);
    if (totals === undefined) {
      unvalued.push({
        sku,
        period: window.period,
        reason: `no finance quantity of ${sku} was posted in ${window.period}: there is no periodic weighted average to compare the standard cost with`,
        eventIds,
      });
      continue;
    }
    const slices = [...item.slices.values()].sort(
      (a, b) => byCode(a.warehouseId, b.warehouseId) || byCode(a.type, b.type),
    );
    let quantity = 0n;
    let standard = 0n;
    let actual = 0n;
    const shown: CostVarianceSlice[] = [];
    const lines: CostVarianceEntryLine[] = [];
    for (const slice of slices) {
      const sliceStandard = toCents(slice.products);
      const sliceActual = mulDivRound(slice.quantity, totals.amount, totals.quantity, 2);
      const variance = sliceActual - sliceStandard;
      quantity += slice.quantity;
      standard += sliceStandard;
      actual += sliceActual;
      shown.push({
        warehouseId: slice.warehouseId,
        type: slice.type,
        quantity: formatDecimal(slice.quantity),
        standardAmount: formatMoney(sliceStandard),
        actualAmount: formatMoney(sliceActual),
        variance: formatMoney(variance),
      });
      lines.push(...entryLines(slice, variance, config, varianceAccount));
    }
    const variance = actual - standard;
    items.push({
      sku,
      period: window.period,
      uom: grouped.items.get(sku)?.unit ?? 'EA',
      quantity: formatDecimal(quantity),
      standardAmount: formatMoney(standard),
      averageUnitCost: formatDecimal(divide(totals.amount, totals.quantity) ?? 0n),
      financeQuantity: formatDecimal(totals.quantity),
      financeAmount: formatMoney(totals.amount),
      actualAmount: formatMoney(actual),
      variance: formatMoney(variance),
      direction: variance > 0n ? 'over' : variance < 0n ? 'under' : 'none',
      eventIds,
      slices: shown,
      entry: {
        voucherId: costVarianceIdOf(sku, window.period),
        date: localDate(window.end - 1, zone),
        lines,
      },
    });
  }
  return { items, unvalued };
}

/** What the compensation rule needs of a group's assessment (classify.ts). */
export interface CompensationFacts {
  unitCostSource: 'standard' | 'wms' | 'average' | undefined;
  wmsQuantity: Decimal;
  financeAmount: Decimal;
  latestRecord: number | undefined;
}

/**
 * The compensation rule (`--variance-compensates`): a group priced at standard cost whose net
 * quantities agree but whose finance amount differs from the expected amount beyond tolerance is
 * compensated, not an AMOUNT_MISMATCH, when its finance amount is within tolerance of its actual
 * amount: net quantity × the item's periodic weighted average finance unit cost of the period of
 * the group's latest record, rounded half-up to cents (the tolerance taken on that actual amount).
 * The whole difference is then the cost variance. Returns the actual amount when compensated.
 */
export function varianceCompensation(
  facts: CompensationFacts,
  item: Item,
  zone: ZoneClock,
  settings: Settings,
): Decimal | undefined {
  if (facts.unitCostSource !== 'standard' || facts.latestRecord === undefined) return undefined;
  const totals = periodAverage(item, zone.periodOf(facts.latestRecord), zone);
  if (totals === undefined) return undefined;
  const actual = mulDivRound(facts.wmsQuantity, totals.amount, totals.quantity, 2);
  return withinTolerance(facts.financeAmount - actual, actual, settings) ? actual : undefined;
}
