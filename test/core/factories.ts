import { CostTable, type CostRow } from '../../lib/core/records/costs.js';
import { parseDecimal, type Decimal } from '../../lib/core/shared/decimal.js';
import type { MovementType } from '../../lib/core/records/movement-type.js';
import { reconcilePartition, type PartitionResult } from '../../lib/core/reconcile/reconcile.js';
import type { Entry, Movement } from '../../lib/core/records/records.js';
import { DEFAULT_SETTINGS, type Settings } from '../../lib/core/reconcile/settings.js';
import { UomTable, type UomRow } from '../../lib/core/records/uom.js';
import { ZoneClock } from '../../lib/core/shared/zone-clock.js';

/** Small factories for records and runs, so each test states only what it is about. */
export const AS_OF = Date.parse('2026-11-02T00:00:00Z');

export function d(text: string): Decimal {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

let seq = 0;

export interface MovementSpec {
  id?: string;
  warehouseId?: string;
  sku?: string;
  type?: MovementType;
  quantity?: string;
  uom?: string;
  documentRef?: string;
  at?: string;
  unitCost?: string | null;
}

export function movement(spec: MovementSpec = {}): Movement {
  seq++;
  return {
    source: 'wms',
    file: 'wms.csv',
    line: seq,
    id: spec.id ?? `E${seq}`,
    warehouseId: spec.warehouseId ?? 'WH-01',
    sku: spec.sku ?? 'SKU-1',
    type: spec.type ?? 'RECEIPT',
    quantity: d(spec.quantity ?? '10'),
    uom: spec.uom ?? 'EA',
    documentRef: spec.documentRef ?? 'PO-1',
    at: Date.parse(spec.at ?? '2026-10-10T10:00:00Z'),
    unitCost: spec.unitCost === null ? undefined : d(spec.unitCost ?? '100'),
  };
}

export interface EntrySpec {
  id?: string;
  warehouseId?: string;
  sku?: string;
  type?: MovementType;
  quantity?: string;
  uom?: string;
  amount?: string;
  documentRef?: string;
  at?: string;
}

export function entry(spec: EntrySpec = {}): Entry {
  seq++;
  return {
    source: 'finance',
    file: 'finance.csv',
    line: seq,
    id: spec.id ?? `F${seq}`,
    warehouseId: spec.warehouseId ?? 'WH-01',
    sku: spec.sku ?? 'SKU-1',
    type: spec.type ?? 'RECEIPT',
    quantity: d(spec.quantity ?? '10'),
    uom: spec.uom ?? 'EA',
    amount: d(spec.amount ?? '1000'),
    currency: undefined,
    documentRef: spec.documentRef ?? 'PO-1',
    at: Date.parse(spec.at ?? '2026-10-10T12:00:00Z'),
    account: undefined,
  };
}

export interface RunSpec {
  settings?: Partial<Settings>;
  uom?: { sku: string; fromUom: string; toUom: string; factor: string }[];
  costs?: { warehouseId: string; sku: string; standardCost: string; effectiveFrom: string }[];
}

export function settings(overrides: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, asOf: AS_OF, ...overrides };
}

export function run(movements: Movement[], entries: Entry[], spec: RunSpec = {}): PartitionResult {
  const s = settings(spec.settings);
  const zone = new ZoneClock(s.timeZone);
  const uomRows: UomRow[] = (spec.uom ?? []).map((r) => ({ ...r, factor: d(r.factor) }));
  const costRows: CostRow[] = (spec.costs ?? []).map((r) => ({
    warehouseId: r.warehouseId,
    sku: r.sku,
    standardCost: d(r.standardCost),
    effectiveFrom: Date.parse(r.effectiveFrom),
  }));
  return reconcilePartition(movements, entries, {
    settings: s,
    zone,
    uom: new UomTable(uomRows),
    costs: new CostTable(costRows),
  });
}

/** The kinds found, one per group: the shape most rule tests assert. */
export function kinds(result: PartitionResult): string[] {
  return result.discrepancies.map((x) => x.kind);
}
