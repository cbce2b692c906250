import { describe, expect, it } from 'vitest';
import { entry, kinds, movement, run } from '../factories.js';

// One focused test per rule of CONTRACT §2, each with the case that must match and the one that must not.

describe('agreeing groups stay matched', () => {
  it('matches a receipt booked at the WMS unit cost', () => {
    const result = run(
      [movement({ quantity: '10', unitCost: '100' })],
      [entry({ quantity: '10', amount: '1000' })],
    );
    expect(result.discrepancies).toEqual([]);
    expect(result.tally.groupsMatched).toBe(1);
  });

  it('sums partial postings on the finance side', () => {
    const result = run(
      [movement({ quantity: '120', unitCost: '7.5' })],
      [entry({ quantity: '50', amount: '375' }), entry({ quantity: '70', amount: '525' })],
    );
    expect(kinds(result)).toEqual([]);
  });

  it('sums partial WMS events', () => {
    const result = run(
      [movement({ quantity: '40' }), movement({ quantity: '60' })],
      [entry({ quantity: '100', amount: '10000' })],
    );
    expect(kinds(result)).toEqual([]);
  });

  it('nets a receipt and its reversal to zero on both sides, even across months', () => {
    const result = run(
      [
        movement({ quantity: '10', at: '2026-09-30T10:00:00Z' }),
        movement({ quantity: '-10', at: '2026-10-02T10:00:00Z' }),
      ],
      [
        entry({ quantity: '10', amount: '1000', at: '2026-09-30T12:00:00Z' }),
        entry({ quantity: '-10', amount: '-1000', at: '2026-10-03T00:00:00Z' }),
      ],
    );
    expect(kinds(result)).toEqual([]);
  });

  it('nets a one-sided movement and its reversal to nothing to reconcile', () => {
    const result = run(
      [
        movement({ quantity: '5', at: '2026-10-01T00:00:00Z' }),
        movement({ quantity: '-5', at: '2026-10-01T01:00:00Z' }),
      ],
      [],
    );
    expect(kinds(result)).toEqual([]);
  });

  it('counts a retried identical row once', () => {
    const m = movement({ id: 'E1', quantity: '10' });
    const result = run([m, { ...m, line: 99 }], [entry({ quantity: '10', amount: '1000' })]);
    expect(kinds(result)).toEqual([]);
    expect(result.duplicates.wms).toBe(1);
  });

  it('keeps the first of two rows with one id and other content, and reports the other as a conflict', () => {
    const first = movement({ id: 'E7', quantity: '10' });
    const other = { ...movement({ id: 'E7', quantity: '12' }), line: 42 };
    const result = run([first, other], [entry({ quantity: '10', amount: '1000' })]);
    expect(kinds(result)).toEqual([]);
    expect(result.conflicts).toEqual([
      expect.objectContaining({
        id: 'E7',
        line: 42,
        firstLine: first.line,
        reason: expect.stringContaining('quantity'),
      }),
    ]);
  });

  it('converts finance BOX into the WMS unit EA before comparing', () => {
    const result = run(
      [movement({ sku: 'SKU-9', quantity: '96', unitCost: '10' })],
      [entry({ sku: 'SKU-9', quantity: '8', uom: 'BOX', amount: '960' })],
      { uom: [{ sku: 'SKU-9', fromUom: 'BOX', toUom: 'EA', factor: '12' }] },
    );
    expect(kinds(result)).toEqual([]);
  });

  it('uses a * unit row for every item, and an item row wins over it', () => {
    const uom = [
      { sku: '*', fromUom: 'CASE', toUom: 'EA', factor: '24' },
      { sku: 'SKU-2', fromUom: 'CASE', toUom: 'EA', factor: '20' },
    ];
    const wildcard = run(
      [movement({ sku: 'SKU-1', quantity: '48', unitCost: '1' })],
      [entry({ sku: 'SKU-1', quantity: '2', uom: 'CASE', amount: '48' })],
      { uom },
    );
    const own = run(
      [movement({ sku: 'SKU-2', quantity: '40', unitCost: '1' })],
      [entry({ sku: 'SKU-2', quantity: '2', uom: 'CASE', amount: '40' })],
      { uom },
    );
    expect(kinds(wildcard)).toEqual([]);
    expect(kinds(own)).toEqual([]);
  });

  it('rejects a row whose unit cannot be converted, naming the units and the item, and reconciles the rest', () => {
    const result = run(
      [movement({ sku: 'KG-11', uom: 'KG', quantity: '5', unitCost: '2' })],
      [
        entry({ sku: 'KG-11', uom: 'KG', quantity: '5', amount: '10' }),
        entry({ sku: 'KG-11', uom: 'CASE', quantity: '2', amount: '480', documentRef: 'UOM-1' }),
      ],
    );
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({
      field: 'uom',
      reason: 'unit CASE cannot be converted to KG for KG-11',
    });
    expect(kinds(result)).toEqual([]);
  });

  it('rounds the expected amount half-up to the cent before comparing', () => {
    // 3 x 3.335 = 10.005 -> 10.01; finance 10.01 agrees, and so does 10.00 (within 0.01).
    const exact = run(
      [movement({ quantity: '3', unitCost: '3.335' })],
      [entry({ quantity: '3', amount: '10.01' })],
    );
    expect(kinds(exact)).toEqual([]);
    expect(exact.tally.groupsMatched).toBe(1);
  });

  it('keeps unicode warehouse ids and quoted document refs verbatim', () => {
    const ref = 'PO-0000102,"rush"';
    const result = run([movement({ warehouseId: 'WH-上海-02', documentRef: ref, quantity: '1' })], []);
    expect(result.discrepancies[0]).toMatchObject({ warehouseId: 'WH-上海-02', documentRef: ref });
  });
});

describe('one-sided groups and the lag window', () => {
  it('reports MISSING_IN_FINANCE past the lag window and TIMING_LAG inside it', () => {
    const old = run([movement({ at: '2026-10-29T23:59:59Z' })], []);
    const recent = run([movement({ at: '2026-10-31T00:00:00Z' })], []);
    expect(kinds(old)).toEqual(['MISSING_IN_FINANCE']);
    expect(kinds(recent)).toEqual(['TIMING_LAG']);
  });

  it('treats a record exactly at the lag edge as still inside the window', () => {
    const edge = run([], [entry({ at: '2026-10-31T00:00:00Z' })]);
    const beyond = run([], [entry({ at: '2026-10-30T23:59:59Z' })]);
    expect(kinds(edge)).toEqual(['TIMING_LAG']);
    expect(kinds(beyond)).toEqual(['MISSING_IN_WMS']);
  });

  it('honours --lag-hours', () => {
    const result = run([movement({ at: '2026-10-31T00:00:00Z' })], [], { settings: { lagHours: 12 } });
    expect(kinds(result)).toEqual(['MISSING_IN_FINANCE']);
  });

  it('judges the lag by the latest record of the side', () => {
    const result = run(
      [],
      [
        entry({ at: '2026-10-01T00:00:00Z', quantity: '5', amount: '500' }),
        entry({ at: '2026-11-01T00:00:00Z', quantity: '5', amount: '500' }),
      ],
    );
    expect(kinds(result)).toEqual(['TIMING_LAG']);
  });
});

describe('two-sided disagreements in the contract order', () => {
  it('reports TYPE_MISMATCH before any quantity difference', () => {
    const result = run(
      [movement({ type: 'SHIPMENT', quantity: '10' })],
      [entry({ type: 'RECEIPT', quantity: '12', amount: '1200' })],
    );
    expect(kinds(result)).toEqual(['TYPE_MISMATCH']);
  });

  it('reports DUPLICATE_POSTING when dropping a repeated line makes the group agree', () => {
    const result = run(
      [movement({ quantity: '120', unitCost: '10' })],
      [
        entry({ id: 'F1', quantity: '120', amount: '1200' }),
        entry({ id: 'F2', quantity: '120', amount: '1200', at: '2026-10-11T00:00:00Z' }),
      ],
    );
    expect(kinds(result)).toEqual(['DUPLICATE_POSTING']);
    expect(result.discrepancies[0]?.duplicateEntryIds).toEqual(['F2']);
    expect(result.discrepancies[0]?.explanation).toContain('F2');
  });

  it('finds a duplicate among partial postings (drop one of three equal lines)', () => {
    const result = run(
      [movement({ quantity: '100', unitCost: '1' })],
      [
        entry({ quantity: '50', amount: '50' }),
        entry({ quantity: '50', amount: '50' }),
        entry({ quantity: '50', amount: '50' }),
      ],
    );
    expect(kinds(result)).toEqual(['DUPLICATE_POSTING']);
  });

  it('does not call repeated lines a duplicate when dropping them cannot make the group agree', () => {
    const result = run(
      [movement({ quantity: '100', unitCost: '1' })],
      [entry({ quantity: '30', amount: '30' }), entry({ quantity: '30', amount: '30' })],
    );
    expect(kinds(result)).toEqual(['QUANTITY_MISMATCH']);
  });

  it('never drops every repeated line, even when that alone would make the group agree', () => {
    // 5 + 5 + 10 against 10: only dropping both 5s fits, and that is all of the repeated lines.
    const result = run(
      [movement({ quantity: '10', unitCost: '1' })],
      [
        entry({ quantity: '5', amount: '5' }),
        entry({ quantity: '5', amount: '5' }),
        entry({ quantity: '10', amount: '10' }),
      ],
    );
    expect(kinds(result)).toEqual(['QUANTITY_MISMATCH']);
  });

  it('reports QUANTITY_MISMATCH when net quantities differ', () => {
    const result = run(
      [movement({ quantity: '161', unitCost: '95.33' })],
      [entry({ quantity: '153', amount: '14585.49' })],
    );
    expect(kinds(result)).toEqual(['QUANTITY_MISMATCH']);
    expect(result.discrepancies[0]).toMatchObject({
      quantityDelta: '-8',
      wmsQuantity: '161',
      financeQuantity: '153',
    });
  });

  it('reports AMOUNT_MISMATCH beyond the tolerance and carries the cost used and the cost finance implied', () => {
    const result = run(
      [movement({ quantity: '10', unitCost: '100' })],
      [entry({ quantity: '10', amount: '1100' })],
    );
    expect(kinds(result)).toEqual(['AMOUNT_MISMATCH']);
    expect(result.discrepancies[0]).toMatchObject({
      unitCost: '100',
      unitCostSource: 'wms',
      financeUnitCost: '110',
      expectedAmount: '1000.00',
      amountDelta: '100.00',
    });
  });
});

describe('the amount tolerance', () => {
  // Expected 1000.00: tolerance max(0.01, 0.1 % x 1000) = 1.00.
  it('accepts a difference equal to the tolerance and rejects one a cent beyond', () => {
    const equal = run(
      [movement({ quantity: '10', unitCost: '100' })],
      [entry({ quantity: '10', amount: '1001.00' })],
    );
    const beyond = run(
      [movement({ quantity: '10', unitCost: '100' })],
      [entry({ quantity: '10', amount: '1001.01' })],
    );
    expect(kinds(equal)).toEqual([]);
    expect(kinds(beyond)).toEqual(['AMOUNT_MISMATCH']);
  });

  it('uses the absolute minimum of 0.01 for small amounts', () => {
    const equal = run(
      [movement({ quantity: '1', unitCost: '1' })],
      [entry({ quantity: '1', amount: '1.01' })],
    );
    const beyond = run(
      [movement({ quantity: '1', unitCost: '1' })],
      [entry({ quantity: '1', amount: '1.02' })],
    );
    expect(kinds(equal)).toEqual([]);
    expect(kinds(beyond)).toEqual(['AMOUNT_MISMATCH']);
  });

  it('honours configured tolerances, unrounded', () => {
    const strict = run(
      [movement({ quantity: '10', unitCost: '100' })],
      [entry({ quantity: '10', amount: '1000.5' })],
      {
        settings: { amountToleranceRate: 0n, amountTolerance: 100_000n /* 0.1 */ },
      },
    );
    const loose = run(
      [movement({ quantity: '10', unitCost: '100' })],
      [entry({ quantity: '10', amount: '1000.5' })],
      {
        settings: { amountToleranceRate: 500n /* 0.0005 -> 0.5 */ },
      },
    );
    expect(kinds(strict)).toEqual(['AMOUNT_MISMATCH']);
    expect(kinds(loose)).toEqual([]);
  });
});

describe('expected unit cost', () => {
  const costs = [
    { warehouseId: '*', sku: 'SKU-1', standardCost: '90', effectiveFrom: '2026-09-01T00:00:00Z' },
    { warehouseId: '*', sku: 'SKU-1', standardCost: '95', effectiveFrom: '2026-10-15T00:00:00Z' },
    { warehouseId: 'WH-02', sku: 'SKU-1', standardCost: '99', effectiveFrom: '2026-10-15T00:00:00Z' },
  ];

  it('prefers the standard cost in effect at the latest event over the WMS unit cost', () => {
    const before = run(
      [movement({ at: '2026-10-14T23:59:59Z', unitCost: '100' })],
      [entry({ amount: '900' })],
      { costs },
    );
    const at = run([movement({ at: '2026-10-15T00:00:00Z', unitCost: '100' })], [entry({ amount: '950' })], {
      costs,
    });
    expect(kinds(before)).toEqual([]);
    expect(kinds(at)).toEqual([]);
  });

  it("takes the warehouse's own row over the * row", () => {
    const own = run(
      [movement({ warehouseId: 'WH-02', at: '2026-10-20T00:00:00Z' })],
      [entry({ warehouseId: 'WH-02', amount: '990' })],
      { costs },
    );
    expect(kinds(own)).toEqual([]);
  });

  it("falls back to the * row when the warehouse's own row is not yet in effect", () => {
    const early = run(
      [movement({ warehouseId: 'WH-02', at: '2026-10-01T00:00:00Z' })],
      [entry({ warehouseId: 'WH-02', amount: '900' })],
      { costs },
    );
    expect(kinds(early)).toEqual([]);
  });

  it('reads effective dates in the run time zone', () => {
    // 2026-10-15 in Asia/Shanghai starts at 2026-10-14T16:00Z.
    const shanghai = [
      { warehouseId: '*', sku: 'SKU-1', standardCost: '95', effectiveFrom: '2026-10-14T16:00:00Z' },
    ];
    const result = run(
      [movement({ at: '2026-10-14T17:00:00Z', unitCost: '1' })],
      [entry({ amount: '950' })],
      { costs: shanghai },
    );
    expect(kinds(result)).toEqual([]);
  });

  it('uses the weighted average finance cost of the item across warehouses when nothing else is known', () => {
    const result = run(
      [
        movement({ warehouseId: 'WH-01', documentRef: 'A', unitCost: null, quantity: '10' }),
        movement({ warehouseId: 'WH-02', documentRef: 'B', unitCost: null, quantity: '10' }),
      ],
      [
        entry({ warehouseId: 'WH-01', documentRef: 'A', quantity: '10', amount: '1000' }),
        entry({ warehouseId: 'WH-02', documentRef: 'B', quantity: '10', amount: '1300' }),
      ],
    );
    // Average 115: A expects 1150 (finance 1000), B expects 1150 (finance 1300).
    expect(kinds(result)).toEqual(['AMOUNT_MISMATCH', 'AMOUNT_MISMATCH']);
    expect(result.discrepancies.map((x) => x.unitCostSource)).toEqual(['average', 'average']);
    expect(result.discrepancies[0]?.expectedAmount).toBe('1150.00');
  });
});

describe('accounting periods (cut-off)', () => {
  it('reports TIMING_LAG when agreeing sides fall in different months', () => {
    const result = run([movement({ at: '2026-10-31T20:00:00Z' })], [entry({ at: '2026-11-01T03:00:00Z' })]);
    expect(kinds(result)).toEqual(['TIMING_LAG']);
    expect(result.discrepancies[0]).toMatchObject({ wmsPeriod: '2026-10', financePeriod: '2026-11' });
  });

  it('puts both sides in one period in Asia/Shanghai when UTC would split them', () => {
    const movements = [movement({ at: '2026-10-31T17:00:00Z' })];
    const entries = [entry({ at: '2026-11-01T01:00:00Z' })];
    expect(kinds(run(movements, entries))).toEqual(['TIMING_LAG']);
    expect(kinds(run(movements, entries, { settings: { timeZone: 'Asia/Shanghai' } }))).toEqual([]);
  });
});

describe('severity and money at stake', () => {
  it('grades RED at 50,000, YELLOW at 5,000 or 5 %, else GREEN', () => {
    const red = run([movement({ quantity: '1000', unitCost: '50' })], []);
    const yellow = run(
      [movement({ quantity: '10', unitCost: '100' })],
      [entry({ quantity: '10', amount: '1050' })],
    );
    const green = run(
      [movement({ quantity: '100', unitCost: '100' })],
      [entry({ quantity: '100', amount: '10100' })],
    );
    expect(red.discrepancies[0]).toMatchObject({ severity: 'RED', moneyAtStake: '50000.00' });
    expect(yellow.discrepancies[0]).toMatchObject({ severity: 'YELLOW', moneyAtStake: '50.00' });
    expect(green.discrepancies[0]).toMatchObject({ severity: 'GREEN', moneyAtStake: '100.00' });
  });

  it('prices a quantity difference at the unit cost', () => {
    const result = run(
      [movement({ quantity: '10', unitCost: '2.5' })],
      [entry({ quantity: '8', amount: '20' })],
    );
    expect(result.discrepancies[0]).toMatchObject({ kind: 'QUANTITY_MISMATCH', moneyAtStake: '5.00' });
  });

  it('sums money at stake exactly in the tally', () => {
    const result = run(
      [
        movement({ documentRef: 'A', quantity: '1', unitCost: '0.10' }),
        movement({ documentRef: 'B', quantity: '1', unitCost: '0.20' }),
      ],
      [],
    );
    const total =
      result.tally.moneyBySeverity.GREEN +
      result.tally.moneyBySeverity.YELLOW +
      result.tally.moneyBySeverity.RED;
    expect(total).toBe(300_000n);
  });
});

describe('every non-agreeing group yields exactly one discrepancy', () => {
  it('reports one discrepancy per group however many records it has', () => {
    const result = run(
      [movement({ quantity: '1' }), movement({ quantity: '2' }), movement({ quantity: '3' })],
      [entry({ quantity: '1', amount: '100' })],
    );
    expect(result.discrepancies).toHaveLength(1);
    expect(result.discrepancies[0]?.wmsEventIds).toHaveLength(3);
  });
});
