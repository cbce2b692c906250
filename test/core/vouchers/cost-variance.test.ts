import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostTable } from '../../../lib/core/records/costs.js';
import { periodWindow } from '../../../lib/core/shared/period.js';
import { reconcilePartition, type PartitionResult } from '../../../lib/core/reconcile/reconcile.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { costVariances, costVarianceIdOf } from '../../../lib/core/vouchers/cost-variance.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { defaultConfig } from '../cases/case-factories.js';
import { d, entry, movement, settings } from '../factories.js';

// The cost variance (材料成本差异): standard valuation of the WMS side against the periodic weighted
// average of the finance side, per item and period, with its entry; and the setting that lets a
// difference the variance explains whole count as agreeing.

const UTC = new ZoneClock('UTC');
const OCTOBER = periodWindow('2026-10', UTC);
const COSTS = new CostTable([
  {
    warehouseId: '*',
    sku: 'SKU-1',
    standardCost: d('10'),
    effectiveFrom: Date.parse('2026-10-01T00:00:00Z'),
  },
]);

/**
 * The worked example of the README: a standard cost of 10.00; receipts of 100 at 10.80 and 50 at
 * 11.20 (1,640.00 for 150, an average of 10.9333...); the shipment of 60 booked at that average,
 * 656.00. Over all 210 of the period's finance units: 2,296.00 / 210 = 10.933333.
 */
function worked(): { movements: Movement[]; entries: Entry[] } {
  return {
    movements: [
      movement({ id: 'E1', documentRef: 'PO-1', quantity: '100', at: '2026-10-05T08:00:00Z' }),
      movement({ id: 'E2', documentRef: 'PO-2', quantity: '50', at: '2026-10-12T08:00:00Z' }),
      movement({
        id: 'E3',
        documentRef: 'SO-1',
        type: 'SHIPMENT',
        quantity: '60',
        at: '2026-10-20T08:00:00Z',
      }),
    ],
    entries: [
      entry({
        id: 'F1',
        documentRef: 'PO-1',
        quantity: '100',
        amount: '1080.00',
        at: '2026-10-05T10:00:00Z',
      }),
      entry({ id: 'F2', documentRef: 'PO-2', quantity: '50', amount: '560.00', at: '2026-10-12T10:00:00Z' }),
      entry({
        id: 'F3',
        documentRef: 'SO-1',
        type: 'SHIPMENT',
        quantity: '60',
        amount: '656.00',
        at: '2026-10-20T10:00:00Z',
      }),
    ],
  };
}

function variances(movements: Movement[], entries: Entry[]) {
  return costVariances(movements, entries, {
    uom: new UomTable(),
    costs: COSTS,
    zone: UTC,
    window: OCTOBER,
    config: defaultConfig(),
  });
}

function reconcile(movements: Movement[], entries: Entry[], compensates: boolean): PartitionResult {
  return reconcilePartition(movements, entries, {
    settings: settings({ asOf: OCTOBER.end }),
    zone: UTC,
    uom: new UomTable(),
    costs: COSTS,
    period: OCTOBER,
    varianceCompensates: compensates,
  });
}

describe('costVariances', () => {
  it('values the period at standard and at the periodic weighted average, per warehouse and type', () => {
    const { movements, entries } = worked();
    const { items, unvalued } = variances(movements, entries);
    expect(unvalued).toEqual([]);
    expect(items).toEqual([
      {
        sku: 'SKU-1',
        period: '2026-10',
        uom: 'EA',
        quantity: '210',
        standardAmount: '2100.00',
        averageUnitCost: '10.933333',
        financeQuantity: '210',
        financeAmount: '2296.00',
        actualAmount: '2296.00',
        variance: '196.00',
        direction: 'over',
        eventIds: ['E1', 'E2', 'E3'],
        slices: [
          {
            warehouseId: 'WH-01',
            type: 'RECEIPT',
            quantity: '150',
            standardAmount: '1500.00',
            actualAmount: '1640.00',
            variance: '140.00',
          },
          {
            warehouseId: 'WH-01',
            type: 'SHIPMENT',
            quantity: '60',
            standardAmount: '600.00',
            actualAmount: '656.00',
            variance: '56.00',
          },
        ],
        entry: {
          voucherId: costVarianceIdOf('SKU-1', '2026-10'),
          date: '2026-10-31',
          lines: [
            // The receipt's overspend: 借 材料成本差异 / 贷 应付账款.
            line('RECEIPT', '1404', '材料成本差异', '140.00', '0.00'),
            line('RECEIPT', '2202', '应付账款', '0.00', '140.00'),
            // The shipment carries its share to the cost of sales: 借 主营业务成本 / 贷 材料成本差异.
            line('SHIPMENT', '6401', '主营业务成本', '56.00', '0.00'),
            line('SHIPMENT', '1404', '材料成本差异', '0.00', '56.00'),
          ],
        },
      },
    ]);
  });

  it('books a saving (节约) on the opposite sides', () => {
    const { movements } = worked();
    const entries = [
      entry({ documentRef: 'PO-1', quantity: '100', amount: '950.00', at: '2026-10-05T10:00:00Z' }),
    ];
    const [item] = variances(movements.slice(0, 1), entries).items;
    expect(item).toMatchObject({ variance: '-50.00', direction: 'under' });
    expect(item?.entry.lines).toEqual([
      line('RECEIPT', '2202', '应付账款', '50.00', '0.00'),
      line('RECEIPT', '1404', '材料成本差异', '0.00', '50.00'),
    ]);
  });

  it('leaves out movements without a standard cost and those of other periods', () => {
    const { movements, entries } = worked();
    const others = [
      movement({ sku: 'SKU-9', documentRef: 'PO-9', quantity: '5' }),
      movement({ documentRef: 'PO-8', quantity: '7', at: '2026-09-20T08:00:00Z' }),
      movement({ documentRef: 'PO-7', quantity: '7', at: '2026-11-02T08:00:00Z' }),
    ];
    const { items } = variances([...movements, ...others], entries);
    expect(items.map((i) => [i.sku, i.eventIds])).toEqual([['SKU-1', ['E1', 'E2', 'E3']]]);
  });

  it('lists an item without finance quantity in the period as unvalued, never at zero', () => {
    const { movements } = worked();
    const { items, unvalued } = variances(movements, []);
    expect(items).toEqual([]);
    expect(unvalued).toEqual([
      {
        sku: 'SKU-1',
        period: '2026-10',
        reason:
          'no finance quantity of SKU-1 was posted in 2026-10: there is no periodic weighted average to compare the standard cost with',
        eventIds: ['E1', 'E2', 'E3'],
      },
    ]);
  });

  it('proposes a balanced entry whose total is the variance, whatever the quantities (property)', () => {
    const quantity = fc.integer({ min: -500, max: 500 }).filter((n) => n !== 0);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(quantity, fc.constantFrom('RECEIPT', 'SHIPMENT', 'ADJUSTMENT' as const)), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 100_000 }),
        (moves, cents) => {
          const movements = moves.map(([q, type], i) =>
            movement({ documentRef: `D-${i}`, type, quantity: String(q), at: '2026-10-15T00:00:00Z' }),
          );
          const total = moves.reduce((s, [q]) => s + q, 0) || 1;
          const entries = [
            entry({ documentRef: 'D-X', quantity: String(total), amount: (cents / 100).toFixed(2) }),
          ];
          for (const item of variances(movements, entries).items) {
            const imbalance = item.entry.lines.reduce((s, l) => s + d(l.debit) - d(l.credit), 0n);
            expect(imbalance).toBe(0n);
            const booked = item.entry.lines.reduce((s, l) => s + d(l.debit), 0n);
            const slicesAbs = item.slices.reduce(
              (s, x) => s + (d(x.variance) < 0n ? -d(x.variance) : d(x.variance)),
              0n,
            );
            expect(booked).toBe(slicesAbs);
            const slices = item.slices.reduce((s, x) => s + d(x.variance), 0n);
            expect(slices).toBe(d(item.variance));
            expect(d(item.actualAmount) - d(item.standardAmount)).toBe(d(item.variance));
          }
        },
      ),
    );
  });
});

describe('--variance-compensates', () => {
  it('is off by default: the differences from standard are AMOUNT_MISMATCH', () => {
    const { movements, entries } = worked();
    const result = reconcile(movements, entries, false);
    expect(result.discrepancies.map((x) => [x.documentRef, x.kind])).toEqual([
      ['PO-1', 'AMOUNT_MISMATCH'],
      ['PO-2', 'AMOUNT_MISMATCH'],
      ['SO-1', 'AMOUNT_MISMATCH'],
    ]);
    expect(result.compensated).toBe(0);
  });

  it('compensates a line at the periodic average and keeps a receipt at its own price a mismatch', () => {
    const { movements, entries } = worked();
    const result = reconcile(movements, entries, true);
    // SO-1: 656.00 is 60 x 2,296.00 / 210 exactly. PO-1: 1,080.00 against 1,093.33 at the average.
    expect(result.discrepancies.map((x) => [x.documentRef, x.kind])).toEqual([
      ['PO-1', 'AMOUNT_MISMATCH'],
      ['PO-2', 'AMOUNT_MISMATCH'],
    ]);
    expect(result.compensated).toBe(1);
    expect(result.tally.groupsMatched).toBe(1);
  });

  it('keeps a line off the average a mismatch while its item’s other lines are compensated', () => {
    const movements = [
      movement({ documentRef: 'PO-1', quantity: '10000', at: '2026-10-05T08:00:00Z' }),
      movement({ documentRef: 'SO-1', type: 'SHIPMENT', quantity: '60', at: '2026-10-20T08:00:00Z' }),
      movement({ documentRef: 'SO-2', type: 'SHIPMENT', quantity: '20', at: '2026-10-21T08:00:00Z' }),
    ];
    const entries = [
      entry({ documentRef: 'PO-1', quantity: '10000', amount: '109000.00', at: '2026-10-05T10:00:00Z' }),
      entry({
        documentRef: 'SO-1',
        type: 'SHIPMENT',
        quantity: '60',
        amount: '654.00',
        at: '2026-10-20T10:00:00Z',
      }),
      // At the average this is 218.00: 22.00 more is an error the variance does not explain.
      entry({
        documentRef: 'SO-2',
        type: 'SHIPMENT',
        quantity: '20',
        amount: '240.00',
        at: '2026-10-21T10:00:00Z',
      }),
    ];
    const result = reconcile(movements, entries, true);
    expect(result.discrepancies.map((x) => [x.documentRef, x.kind])).toEqual([['SO-2', 'AMOUNT_MISMATCH']]);
    expect(result.compensated).toBe(2);
  });

  it('never compensates a group priced otherwise than at standard, nor a quantity difference', () => {
    const noStandard = reconcilePartition(
      [movement({ documentRef: 'PO-1', quantity: '10', unitCost: '10' })],
      [entry({ documentRef: 'PO-1', quantity: '10', amount: '120.00' })],
      {
        settings: settings({ asOf: OCTOBER.end }),
        zone: UTC,
        uom: new UomTable(),
        costs: new CostTable(),
        period: OCTOBER,
        varianceCompensates: true,
      },
    );
    expect(noStandard.discrepancies.map((x) => x.kind)).toEqual(['AMOUNT_MISMATCH']);
    const { movements, entries } = worked();
    const short = entries.map((e) => (e.id === 'F3' ? { ...e, quantity: d('59') } : e));
    expect(reconcile(movements, short, true).discrepancies.find((x) => x.documentRef === 'SO-1')?.kind).toBe(
      'QUANTITY_MISMATCH',
    );
  });
});

function line(type: string, account: string, accountName: string, debit: string, credit: string) {
  return { warehouseId: 'WH-01', type, account, accountName, debit, credit };
}
