import { parseDecimal, type Decimal } from '../shared/decimal.js';
import { keyPart } from './group-key.js';
import type { Rejection } from './records.js';
import { readTableCsv } from './table-text.js';

/** An exact conversion factor as a fraction, so EA -> BOX (1/12) stays exact until rounded once. */
export interface Factor {
  num: bigint;
  den: bigint;
}

export interface UomRow {
  sku: string;
  fromUom: string;
  toUom: string;
  factor: Decimal;
}

const ANY = '*';

/**
 * Unit conversions (CONTRACT §1): `SKU-1,BOX,EA,12` means 1 BOX = 12 EA; `*` rows apply to every
 * item and an item's own row wins over them. A conversion is found directly, inverted, or through
 * one shared unit (CASE -> EA -> BOX).
 */
/** One key per (item, unit), whatever their text holds (group-key.ts escapes the separator). */
const unitKey = (sku: string, unit: string): string => `${keyPart(sku)}|${keyPart(unit)}`;

export class UomTable {
  private readonly edges = new Map<string, Map<string, Factor>>();

  constructor(rows: readonly UomRow[] = []) {
    for (const row of rows) {
      this.add(row.sku, row.fromUom, row.toUom, { num: row.factor, den: 1_000_000n });
      this.add(row.sku, row.toUom, row.fromUom, { num: 1_000_000n, den: row.factor });
    }
  }

  private add(sku: string, from: string, to: string, factor: Factor): void {
    const key = unitKey(sku, from);
    let targets = this.edges.get(key);
    if (targets === undefined) this.edges.set(key, (targets = new Map()));
    // The first row for a pair wins: a later contradicting row must not silently replace it.
    if (!targets.has(to)) targets.set(to, factor);
  }

  private edge(sku: string, from: string, to: string): Factor | undefined {
    return this.edges.get(unitKey(sku, from))?.get(to) ?? this.edges.get(unitKey(ANY, from))?.get(to);
  }

  private neighbours(sku: string, from: string): Map<string, Factor> {
    const merged = new Map(this.edges.get(unitKey(ANY, from)) ?? []);
    for (const [to, f] of this.edges.get(unitKey(sku, from)) ?? []) merged.set(to, f);
    return merged;
  }

  /** The factor turning a quantity in `from` into `to` for this item, if one is known. */
  factor(sku: string, from: string, to: string): Factor | undefined {
    if (from === to) return { num: 1n, den: 1n };
    const direct = this.edge(sku, from, to);
    if (direct !== undefined) return direct;
    for (const [via, first] of this.neighbours(sku, from)) {
      const second = this.edge(sku, via, to);
      if (second !== undefined) return { num: first.num * second.num, den: first.den * second.den };
    }
    return undefined;
  }

  get size(): number {
    return this.edges.size;
  }
}

export interface UomLoad {
  table: UomTable;
  rows: UomRow[];
  rejected: Rejection[];
}

export function loadUomCsv(text: string, file: string): UomLoad {
  const { rows, rejected } = readTableCsv(text, file, 'uom', ['sku', 'fromUom', 'toUom', 'factor']);
  const good: UomRow[] = [];
  for (const { line, cells } of rows) {
    const reject = (field: string, reason: string) =>
      rejected.push({ source: 'uom', file, line, field, reason: `${field} ${reason}` });
    const sku = cells.sku ?? '';
    const fromUom = cells.fromUom ?? '';
    const toUom = cells.toUom ?? '';
    if (sku === '') reject('sku', 'is empty (use * for every item)');
    else if (fromUom === '') reject('fromUom', 'is empty');
    else if (toUom === '') reject('toUom', 'is empty');
    else {
      const factor = parseDecimal(cells.factor ?? '');
      if (!factor.ok) reject('factor', factor.reason);
      else if (factor.value <= 0n) reject('factor', 'must be greater than zero');
      else good.push({ sku, fromUom, toUom, factor: factor.value });
    }
  }
  return { table: new UomTable(good), rows: good, rejected };
}
