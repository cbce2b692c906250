import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostTable } from '../../../lib/core/records/costs.js';
import type { Discrepancy } from '../../../lib/core/reconcile/discrepancy.js';
import { groupKey } from '../../../lib/core/reconcile/group.js';
import type { MovementType } from '../../../lib/core/records/movement-type.js';
import { partitionOf } from '../../../lib/core/records/partition.js';
import { itemFigures, periodWindow, type PeriodWindow } from '../../../lib/core/shared/period.js';
import {
  reconcilePartition,
  type PartitionResult,
  type ReconcileContext,
} from '../../../lib/core/reconcile/reconcile.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';
import { DEFAULT_SETTINGS } from '../../../lib/core/reconcile/settings.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { entry, movement } from '../factories.js';

// Invariants of the period reconciliation (CONTRACT §7) over random months of records, none of
// which needs a second implementation: the DuckDB peer's differential runs are by hand (README).

const PERIODS = ['2026-08', '2026-09', '2026-10', '2026-11'] as const;
const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York'] as const;
// Moments near month ends in every zone tried, and inside months.
const MOMENTS = [
  '2026-08-10T09:00:00Z',
  '2026-08-31T15:30:00Z',
  '2026-09-01T02:00:00Z',
  '2026-09-14T11:00:00Z',
  '2026-09-30T17:00:00Z',
  '2026-10-01T03:30:00Z',
  '2026-10-01T05:00:00Z',
  '2026-10-18T08:00:00Z',
  '2026-10-31T16:30:00Z',
  '2026-11-01T01:00:00Z',
  '2026-11-01T05:00:00Z',
  '2026-11-20T10:00:00Z',
  '2026-11-29T23:00:00Z',
];
const SKUS = ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4'];
const TYPES: MovementType[] = ['RECEIPT', 'SHIPMENT', 'ADJUSTMENT'];

interface DataSet {
  movements: Movement[];
  entries: Entry[];
  zone: string;
}

/**
 * A document: most agree by construction (each side at its own moment, so cut-off pairs happen),
 * some are one-sided, some disagree in quantity or amount; a third are priced by the average cost
 * (no WMS unit cost), which a period prices at the periodic average of its latest record's month.
 */
const documentSpec = fc.record({
  warehouseId: fc.constantFrom('WH-01', 'WH-上海-02'),
  sku: fc.constantFrom(...SKUS),
  type: fc.constantFrom(...TYPES),
  shape: fc.constantFrom(
    'agree',
    'agree',
    'agree',
    'wmsOnly',
    'financeOnly',
    'quantity',
    'amount',
    'reversed',
  ),
  quantity: fc.integer({ min: 1, max: 40 }),
  cost: fc.constantFrom('10', '12.5', '0.333'),
  priced: fc.boolean(),
  wmsAt: fc.constantFrom(...MOMENTS),
  financeAt: fc.constantFrom(...MOMENTS),
  laterAt: fc.constantFrom(...MOMENTS),
});

let counter = 0;
const dataSet: fc.Arbitrary<DataSet> = fc
  .tuple(fc.array(documentSpec, { minLength: 1, maxLength: 16 }), fc.constantFrom(...ZONES))
  .map(([documents, zone]) => {
    const movements: Movement[] = [];
    const entries: Entry[] = [];
    for (const doc of documents) {
      const documentRef = `DOC-${++counter}`;
      const g = { warehouseId: doc.warehouseId, sku: doc.sku, documentRef, type: doc.type };
      const q = String(doc.quantity);
      const cents = BigInt(Math.round(Number(doc.cost) * 1000)) * BigInt(doc.quantity);
      // quantity x cost, to the cent, half up (cost has at most 3 places).
      const amount = ((cents + 5n) / 10n)
        .toString()
        .padStart(3, '0')
        .replace(/(\d{2})$/, '.$1');
      const unitCost = doc.priced ? doc.cost : null;
      if (doc.shape !== 'financeOnly')
        movements.push(movement({ ...g, id: `E${++counter}`, quantity: q, at: doc.wmsAt, unitCost }));
      if (doc.shape === 'reversed')
        movements.push(movement({ ...g, id: `E${++counter}`, quantity: `-${q}`, at: doc.laterAt, unitCost }));
      if (doc.shape !== 'wmsOnly' && doc.shape !== 'reversed') {
        const fq = doc.shape === 'quantity' ? String(doc.quantity + 1) : q;
        const fa = doc.shape === 'amount' ? `${amount.split('.')[0] ?? '0'}9.99` : amount;
        entries.push(entry({ ...g, id: `F${++counter}`, quantity: fq, amount: fa, at: doc.financeAt }));
      }
    }
    return { movements, entries, zone };
  });

function context(zone: string, period: string | undefined, asOf?: number): ReconcileContext {
  const clock = new ZoneClock(zone);
  const window = period === undefined ? undefined : periodWindow(period, clock);
  return {
    settings: { ...DEFAULT_SETTINGS, timeZone: zone, asOf: asOf ?? window?.end ?? Date.parse('2026-12-01') },
    zone: clock,
    uom: new UomTable(),
    costs: new CostTable(),
    period: window,
  };
}

function reconcile(data: DataSet, period: string | undefined, asOf?: number): PartitionResult {
  return reconcilePartition(data.movements, data.entries, context(data.zone, period, asOf));
}

const lines = (r: PartitionResult): string[] => r.discrepancies.map((d) => JSON.stringify(d));

/** The groups and their latest record, from the records before a cut-off. */
function latestByGroup(data: DataSet, before: number): Map<string, number> {
  const latest = new Map<string, number>();
  for (const r of [...data.movements, ...data.entries]) {
    if (r.at >= before) continue;
    const key = groupKey(r);
    latest.set(key, Math.max(latest.get(key) ?? -Infinity, r.at));
  }
  return latest;
}

/** A TIMING_LAG with both sides present: the only difference is the cut-off between their months. */
const cutOffOnly = (d: Discrepancy): boolean =>
  d.kind === 'TIMING_LAG' &&
  d.wmsPeriod !== null &&
  d.financePeriod !== null &&
  d.wmsPeriod !== d.financePeriod;

const windowOf = (data: DataSet, period: string): PeriodWindow =>
  periodWindow(period, new ZoneClock(data.zone));
const period = fc.constantFrom(...PERIODS);

describe('reconcile --period invariants', () => {
  it('reads the books as they stood at the end of P: records dated later change nothing', () => {
    fc.assert(
      fc.property(dataSet, period, (data, p) => {
        const { end } = windowOf(data, p);
        const cut: DataSet = {
          ...data,
          movements: data.movements.filter((m) => m.at < end),
          entries: data.entries.filter((e) => e.at < end),
        };
        const all = reconcile(data, p);
        const only = reconcile(cut, p);
        expect(lines(all)).toEqual(lines(only));
        expect(all.tally).toEqual(only.tally);
        expect(all.afterCutOff.wms + all.afterCutOff.finance).toBe(
          data.movements.length + data.entries.length - cut.movements.length - cut.entries.length,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('counts the groups with a record in P plus the open items carried forward, and nothing else', () => {
    fc.assert(
      fc.property(dataSet, period, (data, p) => {
        const window = windowOf(data, p);
        const result = reconcile(data, p);
        const latest = latestByGroup(data, window.end);
        const inPeriod = [...latest.values()].filter((at) => at >= window.start).length;
        const carried = result.discrepancies.filter((d) => d.carriedFrom !== null);
        expect(result.tally.groupsSeen).toBe(inPeriod + carried.length);
        expect(result.tally.groupsMatched + result.discrepancies.length).toBe(result.tally.groupsSeen);
        for (const d of result.discrepancies) {
          const at = latest.get(d.groupKey) ?? NaN;
          // A group with a record in P carries no origin; an earlier one names its latest record's month.
          expect(d.carriedFrom).toBe(at >= window.start ? null : new ZoneClock(data.zone).periodOf(at));
          // A cut-off difference is reported in the period of its latest record only.
          if (d.carriedFrom !== null)
            expect(d.kind === 'TIMING_LAG' && d.wmsPeriod !== d.financePeriod).toBe(false);
          expect(d.ageDays).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never reports in P a group that agreed in the period of its latest record before P', () => {
    fc.assert(
      fc.property(dataSet, period, (data, p) => {
        const zone = new ZoneClock(data.zone);
        const window = windowOf(data, p);
        const reported = new Set(reconcile(data, p).discrepancies.map((d) => d.groupKey));
        for (const [key, at] of latestByGroup(data, window.start)) {
          const own = zone.periodOf(at);
          // The groups whose records all date before P: judged in their own month, then in P.
          if (latestByGroup(data, window.end).get(key) !== at) continue;
          const then = reconcile(data, own).discrepancies.find((d) => d.groupKey === key);
          if (then === undefined || cutOffOnly(then)) expect(reported.has(key), key).toBe(false);
          else expect(reported.has(key), key).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('carries into P exactly what P-1 reported, less its cut-off differences and the groups P touches', () => {
    fc.assert(
      fc.property(dataSet, fc.constantFrom('2026-09', '2026-10', '2026-11'), (data, p) => {
        const previous = PERIODS[PERIODS.indexOf(p as (typeof PERIODS)[number]) - 1] ?? '';
        const window = windowOf(data, p);
        const touched = new Set(
          [...latestByGroup(data, window.end)].filter(([, at]) => at >= window.start).map(([k]) => k),
        );
        const expected = reconcile(data, previous)
          .discrepancies.filter((d) => !cutOffOnly(d))
          .filter((d) => !touched.has(d.groupKey))
          .map((d) => d.groupKey);
        const carried = reconcile(data, p)
          .discrepancies.filter((d) => d.carriedFrom !== null)
          .map((d) => d.groupKey);
        expect(carried.sort()).toEqual(expected.sort());
      }),
      { numRuns: 150 },
    );
  });

  it("gives a close that reads only P's groups and the open items, with the items' kept figures, the same answer", () => {
    fc.assert(
      fc.property(dataSet, period, (data, p) => {
        const ctx = context(data.zone, p);
        const window = windowOf(data, p);
        const full = reconcile(data, p);
        // What a store would hand a close: every record of the groups with a record in P or
        // carried forward, and the per-(item, period) figures it keeps; never the cleared history.
        const wanted = new Set([
          ...[...latestByGroup(data, window.end)].filter(([, at]) => at >= window.start).map(([k]) => k),
          ...full.discrepancies.map((d) => d.groupKey),
        ]);
        const read = <R extends Movement | Entry>(records: R[]) =>
          records.filter((r) => r.at < window.end && wanted.has(groupKey(r)));
        const items = itemFigures(data.movements, data.entries, ctx.uom, ctx.zone, window.end);
        const partial = reconcilePartition(read(data.movements), read(data.entries), { ...ctx, items });
        expect(lines(partial)).toEqual(lines(full));
        expect(partial.tally).toEqual(full.tally);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same discrepancies for 1 partition and for 64', () => {
    fc.assert(
      fc.property(dataSet, period, (data, p) => {
        const whole = reconcile(data, p);
        const parts: string[] = [];
        let seen = 0;
        for (let i = 0; i < 64; i++) {
          const part = reconcile(
            {
              ...data,
              movements: data.movements.filter((m) => partitionOf(m.sku, 64) === i),
              entries: data.entries.filter((e) => partitionOf(e.sku, 64) === i),
            },
            p,
          );
          parts.push(...lines(part));
          seen += part.tally.groupsSeen;
        }
        expect(parts.sort()).toEqual([...lines(whole)].sort());
        expect(seen).toBe(whole.tally.groupsSeen);
      }),
      { numRuns: 100 },
    );
  });

  it('equals the run without a period when every record falls in P, the period fields aside', () => {
    fc.assert(
      fc.property(dataSet, period, fc.integer({ min: 0, max: 96 }), (data, p, hours) => {
        const window = windowOf(data, p);
        const inside = <R extends Movement | Entry>(rs: R[]) =>
          rs.filter((r) => r.at >= window.start && r.at < window.end);
        const only: DataSet = { ...data, movements: inside(data.movements), entries: inside(data.entries) };
        const asOf = window.end - 48 * 3_600_000 + hours * 3_600_000;
        const plain = reconcile(only, undefined, asOf);
        const periodic = reconcile(only, p, asOf);
        const withoutPeriodFields = (d: Discrepancy) => {
          const { carriedFrom, ageDays, ...rest } = d;
          expect(carriedFrom).toBeNull();
          expect(ageDays).toBeGreaterThanOrEqual(0);
          // The one average there is, named as the period's.
          rest.explanation = rest.explanation.replace(
            `periodic weighted average finance cost of ${p}`,
            'weighted average finance cost',
          );
          rest.explanationZh = rest.explanationZh.replace(`${p} 月末一次加权平均成本`, '财务加权平均成本');
          return JSON.stringify(rest);
        };
        expect(periodic.discrepancies.map(withoutPeriodFields)).toEqual(lines(plain));
        expect(periodic.tally).toEqual(plain.tally);
        // And the plain run has no period fields at all: its output is what it always was.
        for (const d of plain.discrepancies) expect('carriedFrom' in d || 'ageDays' in d).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
