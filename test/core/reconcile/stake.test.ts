import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../../lib/core/reconcile/classify.js';
import { emptyItem, type Group } from '../../../lib/core/reconcile/group.js';
import { moneyAtStake } from '../../../lib/core/reconcile/stake.js';
import { formatDecimal, type Decimal } from '../../../lib/core/shared/decimal.js';
import { d, entry, movement } from '../factories.js';

// Money at stake per kind (CONTRACT §2: |amount delta|, or |quantity delta| x unit cost) and the base
// a relative difference is measured against, from assessments stated field by field.

interface Figures {
  kind: Assessment['kind'];
  wmsQuantity?: string;
  financeQuantity?: string;
  financeAmount?: string;
  unitCost?: string;
  expectedAmount?: string;
  /** Finance lines in the group: whether a timing lag is the finance side's. */
  entries?: number;
  duplicates?: string[];
  misbooked?: string[];
}

function assessment(f: Figures): Assessment {
  const group: Group = {
    warehouseId: 'WH-01',
    sku: 'SKU-1',
    documentRef: 'PO-1',
    movements: [{ record: movement(), quantity: d('10') }],
    entries: Array.from({ length: f.entries ?? 1 }, () => ({ record: entry(), quantity: d('10') })),
    next: undefined,
  };
  const opt = (text: string | undefined): Decimal | undefined => (text === undefined ? undefined : d(text));
  return {
    group,
    item: emptyItem(),
    kind: f.kind,
    lagReason: undefined,
    wmsQuantity: d(f.wmsQuantity ?? '0'),
    financeQuantity: d(f.financeQuantity ?? '0'),
    financeAmount: d(f.financeAmount ?? '0'),
    unitCost: opt(f.unitCost),
    unitCostSource: f.unitCost === undefined ? undefined : 'wms',
    expectedAmount: opt(f.expectedAmount),
    latestEvent: undefined,
    latestPosting: undefined,
    latestRecord: undefined,
    costPeriod: undefined,
    wmsPeriod: undefined,
    financePeriod: undefined,
    wmsTypes: [],
    financeTypes: [],
    duplicates: (f.duplicates ?? []).map((amount) => entry({ amount })),
    misbooked: (f.misbooked ?? []).map((amount) => entry({ amount })),
    allowedAccounts: [],
  };
}

/** Money and base as exact text, the form a test can compare without rounding. */
function stake(f: Figures): { money: string; base: string } {
  const { money, base } = moneyAtStake(assessment(f));
  return { money: formatDecimal(money, 2), base: formatDecimal(base, 2) };
}

describe('one-sided kinds', () => {
  it('MISSING_IN_WMS: the finance amount, sign dropped, is both the money and the base', () => {
    expect(stake({ kind: 'MISSING_IN_WMS', financeAmount: '-1234.56', expectedAmount: '99' })).toEqual({
      money: '1234.56',
      base: '1234.56',
    });
  });

  it('MISSING_IN_FINANCE: the expected amount, sign dropped; nothing when no cost is known', () => {
    expect(stake({ kind: 'MISSING_IN_FINANCE', expectedAmount: '-60000.00', entries: 0 })).toEqual({
      money: '60000.00',
      base: '60000.00',
    });
    expect(stake({ kind: 'MISSING_IN_FINANCE', entries: 0 })).toEqual({ money: '0.00', base: '0.00' });
  });

  it("TIMING_LAG: the side that arrived, finance's amount when it has lines, else the expected amount", () => {
    expect(
      stake({ kind: 'TIMING_LAG', financeAmount: '-250.50', expectedAmount: '300', entries: 1 }),
    ).toEqual({ money: '250.50', base: '250.50' });
    expect(stake({ kind: 'TIMING_LAG', financeAmount: '0', expectedAmount: '-300.25', entries: 0 })).toEqual({
      money: '300.25',
      base: '300.25',
    });
    expect(stake({ kind: 'TIMING_LAG', entries: 0 })).toEqual({ money: '0.00', base: '0.00' });
  });

  it('TIMING_LAG across a cut-off (both sides present): the finance amount booked in the other period', () => {
    expect(
      stake({ kind: 'TIMING_LAG', financeAmount: '1000.00', expectedAmount: '1000.00', entries: 2 }),
    ).toEqual({ money: '1000.00', base: '1000.00' });
  });
});

describe('two-sided kinds', () => {
  it('TYPE_MISMATCH: the larger of the value booked and the value moved, against the expected amount', () => {
    expect(stake({ kind: 'TYPE_MISMATCH', financeAmount: '-800', expectedAmount: '500' })).toEqual({
      money: '800.00',
      base: '500.00',
    });
    expect(stake({ kind: 'TYPE_MISMATCH', financeAmount: '200', expectedAmount: '-500' })).toEqual({
      money: '500.00',
      base: '500.00',
    });
    // No expected amount: the finance amount alone, and the base falls back to it.
    expect(stake({ kind: 'TYPE_MISMATCH', financeAmount: '200' })).toEqual({
      money: '200.00',
      base: '200.00',
    });
  });

  it('ACCOUNT_MISMATCH: the net value of the misbooked lines, sign dropped', () => {
    expect(
      stake({
        kind: 'ACCOUNT_MISMATCH',
        financeAmount: '900',
        expectedAmount: '1000',
        misbooked: ['-300.10', '-0.15'],
      }),
    ).toEqual({ money: '300.25', base: '1000.00' });
  });

  it('DUPLICATE_POSTING: the sum of the repeated lines, not the whole group', () => {
    expect(
      stake({
        kind: 'DUPLICATE_POSTING',
        financeAmount: '3000',
        expectedAmount: '1000',
        duplicates: ['1000', '1000'],
      }),
    ).toEqual({ money: '2000.00', base: '1000.00' });
    expect(
      stake({
        kind: 'DUPLICATE_POSTING',
        financeAmount: '-2000',
        expectedAmount: '-1000',
        duplicates: ['-1000'],
      }),
    ).toEqual({ money: '1000.00', base: '1000.00' });
  });

  it('QUANTITY_MISMATCH: |quantity delta| x unit cost, rounded half away from zero to the cent', () => {
    expect(
      stake({
        kind: 'QUANTITY_MISMATCH',
        wmsQuantity: '10',
        financeQuantity: '7',
        unitCost: '0.335',
        expectedAmount: '3.35',
      }),
    ).toEqual({ money: '1.01', base: '3.35' });
    // 1 x 0.005 is exactly half a cent: up, never to zero.
    expect(
      stake({
        kind: 'QUANTITY_MISMATCH',
        wmsQuantity: '-1',
        financeQuantity: '-2',
        unitCost: '0.005',
        expectedAmount: '-0.01',
      }),
    ).toEqual({ money: '0.01', base: '0.01' });
    expect(
      stake({ kind: 'QUANTITY_MISMATCH', wmsQuantity: '3', financeQuantity: '0.5', unitCost: '0.333333' })
        .money,
    ).toBe('0.83');
  });

  it('QUANTITY_MISMATCH without a unit cost: the amount difference instead', () => {
    expect(
      stake({ kind: 'QUANTITY_MISMATCH', wmsQuantity: '10', financeQuantity: '12', financeAmount: '-75.5' }),
    ).toEqual({ money: '75.50', base: '75.50' });
  });

  it('AMOUNT_MISMATCH: |finance amount - expected amount|, exact to the cent', () => {
    expect(stake({ kind: 'AMOUNT_MISMATCH', financeAmount: '0.3', expectedAmount: '0.1' })).toEqual({
      money: '0.20',
      base: '0.10',
    });
    expect(stake({ kind: 'AMOUNT_MISMATCH', financeAmount: '-1000.01', expectedAmount: '-1000' })).toEqual({
      money: '0.01',
      base: '1000.00',
    });
    expect(
      stake({ kind: 'AMOUNT_MISMATCH', financeAmount: '12345678901.23', expectedAmount: '0.01' }).money,
    ).toBe('12345678901.22');
  });

  it('measures against the finance amount when the expected amount is zero', () => {
    expect(stake({ kind: 'AMOUNT_MISMATCH', financeAmount: '-40', expectedAmount: '0' })).toEqual({
      money: '40.00',
      base: '40.00',
    });
  });

  it('puts nothing at stake for a group that agrees', () => {
    expect(stake({ kind: undefined, financeAmount: '500', expectedAmount: '500' })).toEqual({
      money: '0.00',
      base: '500.00',
    });
  });
});
