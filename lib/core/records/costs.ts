import { parseDecimal, type Decimal } from '../shared/decimal.js';
import { keyPart } from './group-key.js';
import type { Rejection } from './records.js';
import { readTableCsv } from './table-text.js';
import { parseInstant } from '../shared/timestamp.js';
import type { ZoneClock } from '../shared/zone-clock.js';

export interface CostRow {
  warehouseId: string;
  sku: string;
  standardCost: Decimal;
  /** Epoch ms; a plain date is midnight at its start in the run's time zone. */
  effectiveFrom: number;
}

interface Step {
  from: number;
  cost: Decimal;
}

const ANY = '*';

/** One key per (warehouse, item), whatever their text holds (group-key.ts escapes the separator). */
const costKey = (warehouseId: string, sku: string): string => `${keyPart(warehouseId)}|${keyPart(sku)}`;

/**
 * Standard costs with effective dates (CONTRACT §1): at a moment, the warehouse's own row with the
 * latest effectiveFrom not after it, else the `*` row chosen the same way.
 */
export class CostTable {
  private readonly steps = new Map<string, Step[]>();

  constructor(rows: readonly CostRow[] = []) {
    for (const row of rows) {
      const key = costKey(row.warehouseId, row.sku);
      let list = this.steps.get(key);
      if (list === undefined) this.steps.set(key, (list = []));
      list.push({ from: row.effectiveFrom, cost: row.standardCost });
    }
    for (const list of this.steps.values()) list.sort((a, b) => a.from - b.from);
  }

  private inEffect(key: string, at: number): Decimal | undefined {
    const list = this.steps.get(key);
    if (list === undefined) return undefined;
    let found: Decimal | undefined;
    for (const step of list) {
      if (step.from > at) break;
      found = step.cost;
    }
    return found;
  }

  costAt(warehouseId: string, sku: string, at: number): Decimal | undefined {
    return this.inEffect(costKey(warehouseId, sku), at) ?? this.inEffect(costKey(ANY, sku), at);
  }

  get size(): number {
    return this.steps.size;
  }
}

export interface CostLoad {
  table: CostTable;
  rows: CostRow[];
  rejected: Rejection[];
}

export function loadCostsCsv(text: string, file: string, zone: ZoneClock): CostLoad {
  const { rows, rejected } = readTableCsv(text, file, 'costs', [
    'warehouseId',
    'sku',
    'standardCost',
    'effectiveFrom',
  ]);
  const good: CostRow[] = [];
  for (const { line, cells } of rows) {
    const reject = (field: string, reason: string) =>
      rejected.push({ source: 'costs', file, line, field, reason: `${field} ${reason}` });
    const warehouseId = cells.warehouseId ?? '';
    const sku = cells.sku ?? '';
    if (warehouseId === '') reject('warehouseId', 'is empty (use * for every warehouse)');
    else if (sku === '') reject('sku', 'is empty');
    else {
      const cost = parseDecimal(cells.standardCost ?? '');
      const from = parseInstant(cells.effectiveFrom ?? '', zone);
      if (!cost.ok) reject('standardCost', cost.reason);
      else if (cost.value < 0n) reject('standardCost', 'must not be negative');
      else if (!from.ok) reject('effectiveFrom', from.reason);
      else good.push({ warehouseId, sku, standardCost: cost.value, effectiveFrom: from.ms });
    }
  }
  return { table: new CostTable(good), rows: good, rejected };
}
