import { createHash } from 'node:crypto';
import type { CostTable } from '../records/costs.js';
import { divRoundHalfUp, formatDecimal, formatMoney, parseDecimal, type Decimal } from '../shared/decimal.js';
import { dedupe, groupKey, type Conflict } from '../reconcile/group.js';
import { MOVEMENT_TYPE_ZH, type MovementType } from '../records/movement-type.js';
import type { Movement, Source } from '../records/records.js';
import { formatInstant } from '../shared/timestamp.js';
import { accountsFor, splitAccount, type WorkflowConfig } from '../cases/workflow-config.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import type { Result } from '../shared/result.js';

/**
 * Vouchers for every movement (CONTRACT §9, 自动生成会计分录): what the warehouse did, proposed as
 * the accounting entries finance imports. One voucher per (warehouseId, documentRef, type, period);
 * per sku a debit and a credit on the accounts the workflow configuration maps for the warehouse and
 * type, for the sku's movements priced each at its own moment. Debits equal credits by construction.
 */
export interface VoucherLine {
  sku: string;
  /** The sku's net quantity in the voucher, as the WMS states it. */
  quantity: string;
  account: string;
  accountName: string;
  /** Money, two places; the other side of the line is 0.00. */
  debit: string;
  credit: string;
}

export interface Voucher {
  voucherId: string;
  /** The latest booked movement's local date in the zone, YYYY-MM-DD. */
  date: string;
  period: string;
  warehouseId: string;
  documentRef: string;
  type: MovementType;
  /** The booked movements, in time order (then by id). */
  eventIds: string[];
  lines: VoucherLine[];
  /** The sum of the debits, equal to the sum of the credits. */
  total: string;
}

/** A movement with no unit cost: never booked at zero, listed with the reason. */
export interface UnpricedMovement {
  eventId: string;
  reason: string;
  warehouseId: string;
  sku: string;
  documentRef: string;
  type: MovementType;
  period: string;
}

export interface VoucherBook {
  vouchers: Voucher[];
  unpriced: UnpricedMovement[];
  /** Retried identical movements, counted once. */
  duplicates: number;
  /** The same eventId with other content: the first is booked, the other listed. */
  conflicts: Conflict[];
}

export interface VoucherOptions {
  config: WorkflowConfig;
  costs: CostTable;
  zone: ZoneClock;
  /** Only the movements of this period (YYYY-MM in the zone); all periods when absent. */
  period?: string | undefined;
}

/** The key a voucher is one of, and what its id is made from. */
export interface VoucherKey {
  warehouseId: string;
  documentRef: string;
  type: MovementType;
  period: string;
}

/**
 * `MV-202610-<16 hex>`: a digest of the key, so the CLI and the pipeline name the same voucher
 * alike, a re-run never renumbers, and 64 bits keep a million vouchers a period clear of collisions.
 */
export function voucherIdOf(key: VoucherKey): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([key.warehouseId, key.documentRef, key.type, key.period]), 'utf8')
    .digest('hex')
    .slice(0, 16);
  return `MV-${key.period.replace('-', '')}-${digest}`;
}

/** quantity x unit cost carries 12 places; money keeps 2. */
const PRODUCT_TO_CENTS = 10n ** 10n;
const CENTS_TO_DECIMAL = 10n ** 4n;

/** An exact sum of products (12 places), rounded half away from zero to cents. */
export function toCents(sumOfProducts: bigint): Decimal {
  return divRoundHalfUp(sumOfProducts, PRODUCT_TO_CENTS) * CENTS_TO_DECIMAL;
}

export type Pricing = Result<{ unitCost: Decimal }>;

/**
 * A movement's unit cost at its own moment: the standard cost in effect at its occurredAt (the
 * warehouse's row, else the `*` row), else the unit cost the WMS sent with it.
 */
export function priceOf(m: Movement, costs: CostTable): Pricing {
  const standard = costs.costAt(m.warehouseId, m.sku, m.at);
  if (standard !== undefined) return { ok: true, unitCost: standard };
  if (m.unitCost !== undefined) return { ok: true, unitCost: m.unitCost };
  const table =
    costs.size === 0
      ? 'no standard cost table was given'
      : `no standard cost of ${m.sku} in ${m.warehouseId} is in effect at ${formatInstant(m.at)}`;
  return { ok: false, reason: `no unit cost: ${table} and the movement carries no unitCost` };
}

/** The local calendar date of an instant in the zone. */
export function localDate(ms: number, zone: ZoneClock): string {
  return new Date(ms + zone.offsetAt(ms)).toISOString().slice(0, 10);
}

interface SkuSum {
  quantity: Decimal;
  /** Σ quantity x unit cost, exact at 12 places. */
  products: bigint;
}

interface Open extends VoucherKey {
  latest: number;
  movements: Movement[];
  skus: Map<string, SkuSum>;
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Movements in time order, then by id, whatever order they arrived in. */
function inOrder(movements: readonly Movement[]): string[] {
  return [...movements].sort((x, y) => x.at - y.at || byCode(x.id, y.id)).map((m) => m.id);
}

/** The debit and credit line of one sku: a negative amount books the same accounts on opposite sides. */
function linesOf(sku: string, sum: SkuSum, pair: { debit: string; credit: string }): VoucherLine[] {
  const amount = toCents(sum.products);
  const [debitAccount, creditAccount] = amount >= 0n ? [pair.debit, pair.credit] : [pair.credit, pair.debit];
  const money = formatMoney(amount < 0n ? -amount : amount);
  const quantity = formatDecimal(sum.quantity);
  const debit = splitAccount(debitAccount);
  const credit = splitAccount(creditAccount);
  return [
    { sku, quantity, account: debit.code, accountName: debit.name, debit: money, credit: '0.00' },
    { sku, quantity, account: credit.code, accountName: credit.name, debit: '0.00', credit: money },
  ];
}

/**
 * Books the movements: de-duplicated by eventId exactly as a reconciliation does, each priced at
 * its own occurredAt, summed exactly per voucher and sku, rounded half-up to cents once per line.
 * Vouchers come out sorted by period, warehouse, document and type, whatever the input order.
 */
export function bookVouchers(movements: readonly Movement[], options: VoucherOptions): VoucherBook {
  const { config, costs, zone, period } = options;
  const duplicates: Record<Source, number> = { wms: 0, finance: 0 };
  const conflicts: Conflict[] = [];
  const kept = dedupe(movements, duplicates, conflicts);
  const open = new Map<string, Open>();
  const unpriced: UnpricedMovement[] = [];
  for (const m of kept) {
    const p = zone.periodOf(m.at);
    if (period !== undefined && p !== period) continue;
    const price = priceOf(m, costs);
    if (!price.ok) {
      unpriced.push({
        eventId: m.id,
        reason: price.reason,
        warehouseId: m.warehouseId,
        sku: m.sku,
        documentRef: m.documentRef,
        type: m.type,
        period: p,
      });
      continue;
    }
    const key = JSON.stringify([m.warehouseId, m.documentRef, m.type, p]);
    let v = open.get(key);
    if (v === undefined) {
      v = {
        warehouseId: m.warehouseId,
        documentRef: m.documentRef,
        type: m.type,
        period: p,
        latest: m.at,
        movements: [],
        skus: new Map(),
      };
      open.set(key, v);
    }
    v.movements.push(m);
    if (m.at > v.latest) v.latest = m.at;
    const sum = v.skus.get(m.sku);
    const product = m.quantity * price.unitCost;
    if (sum === undefined) v.skus.set(m.sku, { quantity: m.quantity, products: product });
    else {
      sum.quantity += m.quantity;
      sum.products += product;
    }
  }
  const vouchers: Voucher[] = [...open.values()].map((v) => {
    const pair = accountsFor(config, v.warehouseId, v.type);
    const lines = [...v.skus.entries()]
      .sort(([a], [b]) => byCode(a, b))
      .flatMap(([sku, sum]) => linesOf(sku, sum, pair));
    let total = 0n;
    for (const sum of v.skus.values()) {
      const amount = toCents(sum.products);
      total += amount < 0n ? -amount : amount;
    }
    return {
      voucherId: voucherIdOf(v),
      date: localDate(v.latest, zone),
      period: v.period,
      warehouseId: v.warehouseId,
      documentRef: v.documentRef,
      type: v.type,
      eventIds: inOrder(v.movements),
      lines,
      total: formatMoney(total),
    };
  });
  vouchers.sort(
    (a, b) =>
      byCode(a.period, b.period) ||
      byCode(a.warehouseId, b.warehouseId) ||
      byCode(a.documentRef, b.documentRef) ||
      byCode(a.type, b.type),
  );
  unpriced.sort((a, b) => byCode(a.period, b.period) || byCode(a.eventId, b.eventId));
  return { vouchers, unpriced, duplicates: duplicates.wms, conflicts };
}

/** The memo of a line (摘要): the voucher's business in words, since the import has no other columns for it. */
export function voucherMemo(
  v: Pick<Voucher, 'type' | 'warehouseId' | 'documentRef'>,
  line: VoucherLine,
): string {
  return `${MOVEMENT_TYPE_ZH[v.type]} ${v.warehouseId} ${v.documentRef} ${line.sku} 数量 ${line.quantity}`;
}

function money(text: string): Decimal {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(`a voucher line holds a bad amount: ${parsed.reason}`);
  return parsed.value;
}

/** Debits minus credits of a voucher, exactly: zero for every voucher this module books. */
export function voucherImbalance(v: Pick<Voucher, 'lines'>): Decimal {
  let sum = 0n;
  for (const line of v.lines) sum += money(line.debit) - money(line.credit);
  return sum;
}

/** The reconciliation groups `(warehouseId, sku, documentRef)` of a voucher's lines. */
export function voucherGroups(v: Pick<Voucher, 'warehouseId' | 'documentRef' | 'lines'>): string[] {
  return [
    ...new Set(
      v.lines.map((l) => groupKey({ warehouseId: v.warehouseId, sku: l.sku, documentRef: v.documentRef })),
    ),
  ];
}
