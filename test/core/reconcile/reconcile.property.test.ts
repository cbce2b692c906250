import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MOVEMENT_TYPES, type MovementType } from '../../../lib/core/records/movement-type.js';
import { partitionOf } from '../../../lib/core/records/partition.js';
import type { PartitionResult } from '../../../lib/core/reconcile/reconcile.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';
import { entry, movement, run } from '../factories.js';

// Invariants of the matching engine over random data sets (CONTRACT §2).

const WAREHOUSES = ['WH-01', 'WH-02', 'WH-上海-02'];
const SKUS = ['SKU-1', 'SKU-2', 'SKU-3', 'KG-4', 'SKU-5', 'SKU-6'];
const DAYS = ['2026-09-28', '2026-10-05', '2026-10-31', '2026-11-01'];

interface DataSet {
  movements: Movement[];
  entries: Entry[];
}

const money = fc.integer({ min: -50_000, max: 200_000 }).map((cents) => (cents / 100).toFixed(2));
const qty = fc.integer({ min: -20, max: 60 }).map(String);
const time = fc
  .tuple(fc.constantFrom(...DAYS), fc.integer({ min: 0, max: 23 }))
  .map(([day, h]) => `${day}T${String(h).padStart(2, '0')}:00:00Z`);

const groupSpec = fc.record({
  warehouseId: fc.constantFrom(...WAREHOUSES),
  sku: fc.constantFrom(...SKUS),
  documentRef: fc.constantFrom('PO-1', 'PO-2', 'SO-"3",x', 'TO-4'),
  type: fc.constantFrom<MovementType>(...MOVEMENT_TYPES),
  movements: fc.array(
    fc.record({
      quantity: qty,
      at: time,
      unitCost: fc.option(fc.constantFrom('10', '12.5', '0.333'), { nil: null }),
    }),
    { maxLength: 3 },
  ),
  entries: fc.array(fc.record({ quantity: qty, amount: money, at: time, otherType: fc.boolean() }), {
    maxLength: 3,
  }),
});

let counter = 0;
const dataSet: fc.Arbitrary<DataSet> = fc.array(groupSpec, { minLength: 1, maxLength: 12 }).map((groups) => {
  const movements: Movement[] = [];
  const entries: Entry[] = [];
  for (const g of groups) {
    for (const m of g.movements) {
      movements.push(
        movement({ ...g, id: `E${++counter}`, quantity: m.quantity, at: m.at, unitCost: m.unitCost }),
      );
    }
    for (const e of g.entries) {
      entries.push(
        entry({
          ...g,
          id: `F${++counter}`,
          type: e.otherType ? 'SHIPMENT' : g.type,
          quantity: e.quantity,
          amount: e.amount,
          at: e.at,
        }),
      );
    }
  }
  return { movements, entries };
});

function normalized(result: PartitionResult): string[] {
  return result.discrepancies.map((d) => JSON.stringify(d)).sort();
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('reconcile invariants', () => {
  it('gives the same result whatever order the rows arrive in', () => {
    fc.assert(
      fc.property(dataSet, fc.integer(), (data, seed) => {
        const before = run(data.movements, data.entries);
        const after = run(shuffled(data.movements, seed), shuffled(data.entries, seed + 1));
        expect(normalized(after)).toEqual(normalized(before));
      }),
      { numRuns: 200 },
    );
  });

  it('changes nothing when any row is repeated with the same id', () => {
    fc.assert(
      fc.property(dataSet, fc.nat(), fc.nat(), (data, i, j) => {
        const before = run(data.movements, data.entries);
        const m = data.movements[i % Math.max(1, data.movements.length)];
        const e = data.entries[j % Math.max(1, data.entries.length)];
        const movements = m === undefined ? data.movements : [...data.movements, { ...m, line: 10_000 }];
        const entries = e === undefined ? data.entries : [{ ...e, line: 10_001 }, ...data.entries];
        const after = run(movements, entries);
        expect(normalized(after)).toEqual(normalized(before));
        expect(after.duplicates.wms + after.duplicates.finance).toBe((m ? 1 : 0) + (e ? 1 : 0));
      }),
      { numRuns: 200 },
    );
  });

  it('finds nothing in a movement and its reversal on both sides', () => {
    fc.assert(
      fc.property(dataSet, qty, money, time, time, (data, q, a, t1, t2) => {
        const g = { warehouseId: 'WH-9', sku: 'SKU-1', documentRef: 'REV-1' };
        const neg = (s: string) => (s.startsWith('-') ? s.slice(1) : `-${s}`);
        const result = run(
          [
            ...data.movements,
            movement({ ...g, quantity: q, at: t1 }),
            movement({ ...g, quantity: neg(q), at: t2 }),
          ],
          [
            ...data.entries,
            entry({ ...g, quantity: q, amount: a, at: t1 }),
            entry({ ...g, quantity: neg(q), amount: neg(a), at: t2 }),
          ],
        );
        expect(result.discrepancies.filter((d) => d.documentRef === 'REV-1')).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same discrepancies for 1 partition and for 64', () => {
    fc.assert(
      fc.property(dataSet, (data) => {
        const whole = run(data.movements, data.entries);
        const parts: string[] = [];
        let seen = 0;
        for (let p = 0; p < 64; p++) {
          const movements = data.movements.filter((m) => partitionOf(m.sku, 64) === p);
          const entries = data.entries.filter((e) => partitionOf(e.sku, 64) === p);
          if (movements.length + entries.length === 0) continue;
          const part = run(movements, entries);
          parts.push(...normalized(part));
          seen += part.tally.groupsSeen;
        }
        expect(parts.sort()).toEqual(normalized(whole));
        expect(seen).toBe(whole.tally.groupsSeen);
      }),
      { numRuns: 150 },
    );
  });

  it('yields exactly one discrepancy for every group that does not agree', () => {
    fc.assert(
      fc.property(dataSet, (data) => {
        const result = run(data.movements, data.entries);
        const groups = new Set(
          [...data.movements, ...data.entries].map((r) => `${r.warehouseId}|${r.sku}|${r.documentRef}`),
        );
        const reported = result.discrepancies.map((d) => d.groupKey);
        expect(new Set(reported).size).toBe(reported.length);
        expect(result.tally.groupsSeen).toBe(groups.size);
        expect(result.tally.groupsMatched + result.discrepancies.length).toBe(groups.size);
      }),
      { numRuns: 200 },
    );
  });
});
